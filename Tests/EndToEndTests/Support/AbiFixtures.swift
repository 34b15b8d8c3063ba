import Foundation

/// C sources of small plugins that the ABI tests compile with `Harness.compileC`: a template
/// for (deliberately broken) descriptors, and two working fixtures, Probe and Vals.
enum AbiFixtures {
    /// The default parameter array of `descriptor(...)`: one optional f64.
    static let defaultParams = #"{ sizeof(crys_param), CRYS_T_F64, "gain", "1.0", "A gain" }"#

    /// The default export array of `descriptor(...)`: one value step that passes data on.
    static let defaultExports = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass", .params = params, .param_count = 1, .call = pass }"#

    /// A plugin whose descriptor fields are given as C expressions, so a test changes exactly
    /// the one field it is about. `setup` lets a test observe whether plugin code ran.
    static func descriptor(name: String = #""Broken""#, major: String = "CRYS_ABI_MAJOR", minor: String = "CRYS_ABI_MINOR",
                           pointerSize: String = "sizeof(void *)", params: String = defaultParams,
                           exports: String = defaultExports, extra: String = "") -> String {
        """
        #include "crystallize.h"
        #include <stdio.h>
        static crys_status pass(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
            (void)ctx; (void)user; *out = data; return CRYS_OK;
        }
        \(extra)
        static const crys_param params[] = { \(params) };
        static const crys_export exports[] = { \(exports) };
        static const crys_plugin descriptor = {
            .size = sizeof(crys_plugin), .abi_major = \(major), .abi_minor = \(minor), .pointer_size = \(pointerSize),
            .name = \(name), .version = "0.1", .doc = "test fixture", .exports = exports,
            .export_count = sizeof exports / sizeof exports[0],
        };
        CRYS_DEFINE_ENTRY(host) { (void)host; return &descriptor; }
        """
    }

    /// Probe: `probe_record(metric)` records its (numeric, bool or f64[]) input as a metric and
    /// passes it on; typed functions taking string and i64 arguments and one with a required
    /// parameter (`probe_need`'s `gain`, no default).
    static let probe = #"""
    #include "crystallize.h"
    #include <string.h>
    static const crys_host *H;
    static crys_status probe_record(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        const char *metric = H->get_string(H->param(ctx, "metric"), NULL);
        double v = 0;
        switch (H->type_of(data)) {
        case CRYS_T_BOOL: v = H->get_bool(data) ? 1 : 0; break;
        case CRYS_T_I64: case CRYS_T_F64: v = H->get_f64(data); break;
        case CRYS_T_F64_ARRAY: {
            size_t n = 0; double *d = H->f64_data(data, &n);
            for (size_t i = 0; i < n; i++) v += d[i];
            break;
        }
        default: H->set_error(ctx, "probe_record: data is not a number"); return CRYS_TYPE_ERROR;
        }
        if (H->record_metric(ctx, metric, H->make_f64(ctx, v), NULL, 0) != CRYS_OK) return CRYS_ERROR;
        *out = data;
        return CRYS_OK;
    }
    __attribute__((visibility("default"))) int64_t probe_strlen(const char *label) { return (int64_t)strlen(label); }
    __attribute__((visibility("default"))) int64_t probe_twice(int64_t data, int64_t offset) { return 2 * data + offset; }
    __attribute__((visibility("default"))) double probe_need(double data, double gain) { return data * gain; }

    #define P(type, name, def) { sizeof(crys_param), type, name, def, NULL }
    #define TYPED(fn) ((crys_any_fn)(void (*)(void))(fn))
    static const crys_param record_params[] = { P(CRYS_T_STRING, "metric", NULL) };
    static const crys_param strlen_params[] = { P(CRYS_T_STRING, "label", "\"abc\"") };
    static const crys_param twice_params[] = { P(CRYS_T_I64, "data", NULL), P(CRYS_T_I64, "offset", "0") };
    static const crys_param need_params[] = { P(CRYS_T_F64, "data", NULL), P(CRYS_T_F64, "gain", NULL) };
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "probe_record", .params = record_params, .param_count = 1,
          .flags = CRYS_F_THREAD_SAFE, .call = probe_record },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "probe_strlen", .params = strlen_params, .param_count = 1,
          .typed = TYPED(probe_strlen), .typed_return = CRYS_T_I64 },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "probe_twice", .params = twice_params, .param_count = 2,
          .typed = TYPED(probe_twice), .typed_return = CRYS_T_I64 },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "probe_need", .params = need_params, .param_count = 2,
          .typed = TYPED(probe_need), .typed_return = CRYS_T_F64 },
    };
    static const crys_plugin descriptor = {
        .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR, .pointer_size = sizeof(void *),
        .name = "Probe", .version = "1.0", .exports = exports, .export_count = sizeof exports / sizeof exports[0],
    };
    CRYS_DEFINE_ENTRY(host) { H = host; return &descriptor; }
    """#

    /// Vals: builds one value of every kind through the host (`v_build`), prints any value by
    /// walking it with the host's readers (`v_dump`), checks that borrowed pointers stay valid
    /// (`v_stable`), adds an existing context key (`v_dup`) and records metrics of each allowed
    /// type and, when `bad`, a string one (`v_metrics`). Each printout is an artifact.
    static let vals = #"""
    #include "crystallize.h"
    #include <stdio.h>
    #include <string.h>
    static const crys_host *H;

    typedef struct { char buf[8192]; size_t len; } text;
    static void put(text *t, const char *s) {
        size_t n = strlen(s);
        if (t->len + n < sizeof t->buf) { memcpy(t->buf + t->len, s, n); t->len += n; t->buf[t->len] = 0; }
    }
    static void dump(const crys_value *v, text *t) {
        char tmp[128];
        switch (H->type_of(v)) {
        case CRYS_T_NULL: put(t, "null"); break;
        case CRYS_T_BOOL: put(t, H->get_bool(v) ? "true" : "false"); break;
        case CRYS_T_I64: snprintf(tmp, sizeof tmp, "%lld", (long long)H->get_i64(v)); put(t, tmp); break;
        case CRYS_T_F64: snprintf(tmp, sizeof tmp, "%g", H->get_f64(v)); put(t, tmp); break;
        case CRYS_T_STRING: {
            size_t n = 0; const char *s = H->get_string(v, &n);
            put(t, "\""); put(t, s); snprintf(tmp, sizeof tmp, "\"(%zu,%zu)", n, H->count(v)); put(t, tmp);
            break;
        }
        case CRYS_T_BYTES: {
            size_t n = 0; const unsigned char *b = H->get_bytes(v, &n);
            put(t, "b[");
            for (size_t i = 0; i < n; i++) { snprintf(tmp, sizeof tmp, "%02x", b[i]); put(t, tmp); }
            put(t, "]");
            break;
        }
        case CRYS_T_LIST:
            put(t, "[");
            for (size_t i = 0; i < H->count(v); i++) { if (i) put(t, ","); dump(H->list_at(v, i), t); }
            if (H->list_at(v, H->count(v)) != NULL) put(t, "!past-end");
            put(t, "]");
            break;
        case CRYS_T_MAP:
            put(t, "{");
            for (size_t i = 0; i < H->count(v); i++) {
                const char *k = H->map_key_at(v, i);
                if (i) put(t, ",");
                put(t, k); put(t, ":");
                dump(H->map_value_at(v, i), t);
                if (H->type_of(H->map_get(v, k)) != H->type_of(H->map_value_at(v, i))) put(t, "!map_get");
            }
            if (H->map_get(v, "no such key") != NULL) put(t, "!absent");
            put(t, "}");
            break;
        case CRYS_T_F64_ARRAY: {
            size_t n = 0; const double *d = H->f64_data(v, &n);
            put(t, "f[");
            for (size_t i = 0; i < n; i++) { snprintf(tmp, sizeof tmp, i ? ",%g" : "%g", d[i]); put(t, tmp); }
            put(t, "]");
            break;
        }
        default: put(t, "?");
        }
    }
    static crys_status fail(crys_ctx *ctx, const char *why) { H->set_error(ctx, why); return CRYS_ERROR; }
    static crys_status write_dump(crys_ctx *ctx, const char *name, const crys_value *v) {
        text t = { .len = 0 }; t.buf[0] = 0;
        dump(v, &t);
        return H->write_artifact(ctx, name, t.buf, t.len);
    }

    static crys_status v_build(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)data; (void)user;
        crys_value *m = H->make_map(ctx);
        H->map_set(m, "z", H->make_i64(ctx, 1));
        H->map_set(m, "a", H->make_f64(ctx, 2.5));
        H->map_set(m, "m", H->make_bool(ctx, 1));
        H->map_set(m, "s", H->make_string(ctx, "h\xc3\xa9llo", 6));
        static const unsigned char raw[] = { 0, 1, 2, 255, 0, 7 };
        H->map_set(m, "b", H->make_bytes(ctx, raw, sizeof raw));
        crys_value *l = H->make_list(ctx);
        H->list_push(l, H->make_i64(ctx, -1));
        H->list_push(l, H->make_string(ctx, "two", 3));
        H->list_push(l, H->make_null(ctx));
        crys_value *inner = H->make_list(ctx);
        H->list_push(inner, H->make_f64(ctx, 3.0));
        H->list_push(l, inner);
        crys_value *km = H->make_map(ctx);
        H->map_set(km, "k", H->make_string(ctx, "v", 1));
        H->list_push(l, km);
        H->map_set(m, "l", l);
        crys_value *arr = H->make_f64_array(ctx, 3);
        size_t n = 0;
        double *d = H->f64_data(arr, &n);
        if (n != 3 || d[0] != 0 || d[2] != 0) return fail(ctx, "make_f64_array is not zero-filled");
        d[0] = 1; d[1] = 2; d[2] = 3;
        H->map_set(m, "arr", arr);
        H->map_set(m, "n", H->make_null(ctx));
        H->map_set(m, "z", H->make_i64(ctx, 7));  /* replaces in place: "z" stays first */
        if (H->make_string(ctx, "\xff", 1) != NULL) return fail(ctx, "make_string accepted invalid UTF-8");
        if (H->list_push(m, H->make_i64(ctx, 1)) != CRYS_TYPE_ERROR) return fail(ctx, "list_push onto a map did not fail");
        if (H->map_set(l, "x", H->make_i64(ctx, 1)) != CRYS_TYPE_ERROR) return fail(ctx, "map_set on a list did not fail");
        if (H->f64_data(m, NULL) != NULL || H->get_string(m, NULL) != NULL) return fail(ctx, "a reader accepted the wrong type");
        if (write_dump(ctx, "built.txt", m) != CRYS_OK) return CRYS_ERROR;
        if (H->ctx_add(ctx, "built", m) != CRYS_OK) return CRYS_ERROR;
        *out = m;
        return CRYS_OK;
    }

    static crys_status v_dump(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        if (write_dump(ctx, "data.txt", data) != CRYS_OK) return CRYS_ERROR;
        const crys_value *built = H->ctx_get(ctx, "built");
        if (!built) return fail(ctx, "context key 'built' is missing");
        if (write_dump(ctx, "ctx.txt", built) != CRYS_OK) return CRYS_ERROR;
        if (H->ctx_get(ctx, "never added") != NULL) return fail(ctx, "ctx_get of an absent key is not NULL");
        *out = data;
        return CRYS_OK;
    }

    static crys_status v_stable(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        const crys_value *rep = H->ctx_get(ctx, "replicate");
        /* More reads of the same and other keys must not invalidate `rep`. */
        for (int i = 0; i < 200; i++) {
            H->ctx_get(ctx, "replicate"); H->ctx_get(ctx, "condition"); H->ctx_get(ctx, "seed_used");
        }
        crys_value *m = H->make_map(ctx);
        H->map_set(m, "x", H->make_i64(ctx, 41));
        const crys_value *x = H->map_get(m, "x");
        const char *k0 = H->map_key_at(m, 0);
        /* Adding keys to the map must not invalidate `x` or `k0`. */
        for (int i = 0; i < 200; i++) {
            char key[16]; snprintf(key, sizeof key, "k%d", i);
            H->map_set(m, key, H->make_string(ctx, key, strlen(key)));
        }
        if (H->type_of(rep) != CRYS_T_I64 || H->type_of(x) != CRYS_T_I64) return fail(ctx, "a borrowed value changed type");
        if (strcmp(k0, "x") != 0) return fail(ctx, "a borrowed map key changed");
        H->record_metric(ctx, "stable_replicate", H->make_i64(ctx, H->get_i64(rep)), NULL, 0);
        H->record_metric(ctx, "stable_x", H->make_i64(ctx, H->get_i64(x)), NULL, 0);
        *out = data;
        return CRYS_OK;
    }

    static crys_status v_dup(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)data; (void)out; (void)user;
        const char *key = H->get_string(H->param(ctx, "key"), NULL);
        crys_status s = H->ctx_add(ctx, key, H->make_i64(ctx, 1));
        if (s == CRYS_OK) return fail(ctx, "ctx_add of an existing key succeeded");
        if (s != CRYS_EXISTS) return fail(ctx, "ctx_add of an existing key did not return CRYS_EXISTS");
        return s;  /* the host's own message names the key and the step */
    }

    static crys_status v_metrics(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        static const char *const tags[] = { "t1", "t2" };
        if (H->record_metric(ctx, "flag", H->make_bool(ctx, 1), NULL, 0) != CRYS_OK) return CRYS_ERROR;
        if (H->record_metric(ctx, "count", H->make_i64(ctx, 3), tags, 2) != CRYS_OK) return CRYS_ERROR;
        if (H->get_bool(H->param(ctx, "bad"))) {
            crys_status s = H->record_metric(ctx, "label", H->make_string(ctx, "hi", 2), NULL, 0);
            if (s != CRYS_TYPE_ERROR) return fail(ctx, "record_metric accepted a string");
            return s;  /* the host's message names the metric and the type */
        }
        if (H->param(ctx, "undeclared") != NULL) return fail(ctx, "param() of an undeclared name is not NULL");
        *out = data;
        return CRYS_OK;
    }

    static const crys_param metrics_params[] = { { sizeof(crys_param), CRYS_T_BOOL, "bad", "false", NULL } };
    static const crys_param dup_params[] = { { sizeof(crys_param), CRYS_T_STRING, "key", "\"replicate\"", NULL } };
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "v_build", .call = v_build },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "v_dump", .call = v_dump },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "v_stable", .call = v_stable },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "v_dup", .params = dup_params, .param_count = 1, .call = v_dup },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "v_metrics", .params = metrics_params, .param_count = 1, .call = v_metrics },
    };
    static const crys_plugin descriptor = {
        .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR, .pointer_size = sizeof(void *),
        .name = "Vals", .version = "1.0", .exports = exports, .export_count = sizeof exports / sizeof exports[0],
    };
    CRYS_DEFINE_ENTRY(host) { H = host; return &descriptor; }
    """#
}
