import Foundation

/// A small C plugin compiled by the tests that need to look at the context from inside a
/// step: what the host put there, what add-only refuses, and what an artifact name may be.
enum ProbePlugin {
    /// Compiles it into `directory`; returns the library path.
    static func build(in directory: String) -> String { Harness.compileC(source, name: "probe", in: directory) }

    static let source = #"""
    #include "crystallize.h"
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>

    static const crys_host *H;

    static void metric_i64(crys_ctx *ctx, const char *name, int64_t v) { H->record_metric(ctx, name, H->make_i64(ctx, v), NULL, 0); }

    /* probe: reports the host keys it sees as metrics, tries to overwrite one, records a
       metric twice with tags, and writes the condition name as an artifact. */
    static crys_status probe(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        const crys_value *r = H->ctx_get(ctx, "replicate"), *s = H->ctx_get(ctx, "seed_used"), *c = H->ctx_get(ctx, "condition");
        if (!r || !s || !c) { H->set_error(ctx, "probe: a host key is missing"); return CRYS_ERROR; }
        if (H->type_of(r) != CRYS_T_I64 || H->type_of(s) != CRYS_T_I64 || H->type_of(c) != CRYS_T_STRING) {
            H->set_error(ctx, "probe: a host key has the wrong type"); return CRYS_ERROR;
        }
        metric_i64(ctx, "replicate_seen", H->get_i64(r));
        metric_i64(ctx, "seed_seen", H->get_i64(s));
        const char *first[] = {"probe", "first"}, *second[] = {"second"};
        H->record_metric(ctx, "twice", H->make_f64(ctx, 1.5), first, 2);
        H->record_metric(ctx, "twice", H->make_f64(ctx, 2.5), second, 1);
        metric_i64(ctx, "overwrite_refused", H->ctx_add(ctx, "replicate", H->make_i64(ctx, 99)) == CRYS_EXISTS);
        metric_i64(ctx, "replicate_after", H->get_i64(H->ctx_get(ctx, "replicate")));
        metric_i64(ctx, "saw_c_touched", H->ctx_get(ctx, "c_touched") != NULL);
        size_t n = 0;
        const char *text = H->get_string(c, &n);
        if (H->write_artifact(ctx, "condition.txt", text, n) != CRYS_OK) return CRYS_ERROR;
        *out = data;
        return CRYS_OK;
    }

    /* evil: writes an artifact named by its `name` parameter; with strict false it ignores
       the host's refusal, to show a refused name never reaches the disk either way. */
    static crys_status evil(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        const char *name = H->get_string(H->param(ctx, "name"), NULL);
        int strict = H->get_bool(H->param(ctx, "strict"));
        if (H->write_artifact(ctx, name, "pwned", 5) != CRYS_OK && strict) return CRYS_ERROR;
        *out = data;
        return CRYS_OK;
    }

    /* give: adds context key `key` with f64 `value`, for later steps' parameters to find. */
    static crys_status give(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        const char *key = H->get_string(H->param(ctx, "key"), NULL);
        if (H->ctx_add(ctx, key, H->make_f64(ctx, H->get_f64(H->param(ctx, "value")))) != CRYS_OK) return CRYS_ERROR;
        *out = data;
        return CRYS_OK;
    }

    /* lifecycle: notes setup, each call and teardown in the file named by $PROBE_LOG. */
    static void note(const char *what) {
        const char *path = getenv("PROBE_LOG");
        FILE *f = path ? fopen(path, "a") : NULL;
        if (f) { fprintf(f, "%s\n", what); fclose(f); }
    }
    static crys_status life_setup(crys_ctx *ctx, void *user) { (void)ctx; (void)user; note("setup"); return CRYS_OK; }
    static crys_status life_teardown(crys_ctx *ctx, void *user) { (void)ctx; (void)user; note("teardown"); return CRYS_OK; }
    static crys_status life_call(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)ctx; (void)user; note("call"); *out = data; return CRYS_OK;
    }

    #define P(type, name, def, doc) { sizeof(crys_param), type, name, def, doc }
    static const crys_param evil_params[] = { P(CRYS_T_STRING, "name", "\"../evil\"", "Artifact name"),
                                              P(CRYS_T_BOOL, "strict", "true", "Fail when the write is refused") };
    static const crys_param give_params[] = { P(CRYS_T_STRING, "key", NULL, "Context key to add"),
                                              P(CRYS_T_F64, "value", NULL, "Its value") };
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "give", .doc = "Adds a context key",
          .params = give_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .call = give },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "probe", .doc = "Reports the context it sees",
          .flags = CRYS_F_THREAD_SAFE, .call = probe },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "evil", .doc = "Writes an artifact named by a parameter",
          .params = evil_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .call = evil },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "lifecycle", .doc = "Logs setup, calls and teardown",
          .call = life_call, .setup = life_setup, .teardown = life_teardown },
    };
    static const crys_plugin descriptor = {
        .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR,
        .pointer_size = sizeof(void *), .name = "Probe", .version = "1.0.0", .doc = "Test probe",
        .exports = exports, .export_count = sizeof exports / sizeof exports[0],
    };
    CRYS_DEFINE_ENTRY(host) { H = host; return &descriptor; }
    """#
}
