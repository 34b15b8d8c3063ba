import ChildProcesses
import Foundation
import XCTest

/// C and C++ sources of the plugins the ABI 1.1 contract tests compile: plugin-wide state,
/// declining, read-only context values, checked getters, log levels, and a C++ plugin.
enum AbiContractFixtures {
    /// Compiles `source` with the system's `c++` (C++17) into a shared library.
    static func compileCxx(_ source: String, name: String, in directory: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let src = "\(directory)/\(name).cpp", lib = "\(directory)/lib\(name).so"
        Harness.write(src, source)
        let r = compile(["c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared", "-fPIC", "-I", Harness.includeDirectory, "-o", lib, src])
        if r.status != 0 { XCTFail("c++ failed for \(name): \(r.output)", file: file, line: line) }
        return lib
    }

    /// Runs a compiler command line; its exit status and diagnostics.
    static func compile(_ argv: [String]) -> (status: Int32, output: String) {
        let r = Command(argv[0], Array(argv.dropFirst())).runBlocking()
        return (r.status, r.stdout + r.stderr)
    }

    /// A C++ plugin defining its entry with CRYS_DEFINE_ENTRY: a datasource giving `value`
    /// and a step recording it as metric `cxx`, through a C++ class with a destructor.
    static let cxxPlugin = #"""
    #include "crystallize.h"
    #include <string>
    #include <vector>
    static const crys_host *H = nullptr;
    namespace {
    struct Recorder {
        std::string metric;
        explicit Recorder(std::string m) : metric(std::move(m)) {}
        crys_status record(crys_ctx *ctx, double v) const { return H->record_metric(ctx, metric.c_str(), H->make_f64(ctx, v), nullptr, 0); }
    };
    crys_status source(crys_ctx *ctx, crys_value *, crys_value **out, void *) {
        double v = 0;
        if (H->read_f64(H->param(ctx, "value"), &v) != CRYS_OK) { H->set_error(ctx, "value is not a number"); return CRYS_TYPE_ERROR; }
        std::vector<double> xs{v, v * 2};
        crys_value *a = H->make_f64_array(ctx, xs.size());
        double *d = H->f64_data(a, nullptr);
        for (size_t i = 0; i < xs.size(); i++) d[i] = xs[i];
        *out = a;
        return CRYS_OK;
    }
    crys_status record(crys_ctx *ctx, crys_value *data, crys_value **out, void *) {
        size_t n = 0;
        const double *d = H->f64_data(data, &n);
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += d[i];
        *out = data;
        return Recorder("cxx").record(ctx, sum);
    }
    crys_param params[1];
    crys_export exports[2];
    crys_plugin descriptor;
    }
    CRYS_DEFINE_ENTRY(host) {
        H = host;
        params[0].size = sizeof(crys_param); params[0].type = CRYS_T_F64; params[0].name = "value"; params[0].default_json = "1.5";
        exports[0].size = sizeof(crys_export); exports[0].kind = CRYS_KIND_DATASOURCE; exports[0].name = "cxx_source";
        exports[0].params = params; exports[0].param_count = 1; exports[0].call = source;
        exports[1].size = sizeof(crys_export); exports[1].kind = CRYS_KIND_STEP; exports[1].name = "cxx_record"; exports[1].call = record;
        descriptor.size = sizeof(crys_plugin); descriptor.abi_major = CRYS_ABI_MAJOR; descriptor.abi_minor = 1;
        descriptor.abi_minor_built = CRYS_ABI_MINOR; descriptor.pointer_size = sizeof(void *);
        descriptor.name = "Cxx"; descriptor.version = "1.0"; descriptor.doc = "A C++ plugin";
        descriptor.exports = exports; descriptor.export_count = 2;
        return &descriptor;
    }
    """#

    /// A plugin that declines to load when the file named by CRYS_TEST_DECLINE exists.
    static let declining = #"""
    #include "crystallize.h"
    #include <stdio.h>
    #include <stdlib.h>
    static crys_status pass(crys_ctx *c, crys_value *d, crys_value **o, void *u) { (void)c; (void)u; *o = d; return CRYS_OK; }
    static const crys_export exports[] = { { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass", .call = pass } };
    static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 1, .abi_minor_built = CRYS_ABI_MINOR,
        .pointer_size = sizeof(void *), .name = "Picky", .exports = exports, .export_count = 1 };
    CRYS_DEFINE_ENTRY(host) {
        const char *gpu = getenv("CRYS_TEST_DECLINE");
        if (gpu && CRYS_HOST_HAS(host, decline)) { host->decline("no GPU found (libcuda.so.1 missing)"); return NULL; }
        return &d;
    }
    """#

    /// Plugin-wide state: init appends "init <pid> <n>" to $CRYS_TEST_STATE_LOG and sets the
    /// state `user` points to; shutdown appends "shutdown <pid> <calls>"; the datasource records
    /// the pid and the state as metrics. Init fails when CRYS_TEST_INIT_FAIL is set.
    static let stateful = #"""
    #include "crystallize.h"
    #include <stdio.h>
    #include <stdlib.h>
    #include <unistd.h>
    #include <pthread.h>
    static const crys_host *H;
    typedef struct { int ready; double model; long calls; pthread_mutex_t lock; } state_t;
    static state_t state = { 0, 0, 0, PTHREAD_MUTEX_INITIALIZER };
    static void note(const char *what, long n) {
        const char *path = getenv("CRYS_TEST_STATE_LOG");
        if (!path) return;
        FILE *f = fopen(path, "a");
        if (f) { fprintf(f, "%s %ld %ld\n", what, (long)getpid(), n); fclose(f); }
    }
    static crys_status init(crys_ctx *ctx, void *user) {
        if (getenv("CRYS_TEST_INIT_FAIL")) { H->set_error(ctx, "model file weights.bin not found"); return CRYS_ERROR; }
        state_t *s = user;
        s->model = 42;
        s->ready++;
        note("init", s->ready);
        H->log(ctx, CRYS_LOG_INFO, "model loaded");
        return CRYS_OK;
    }
    static void shutdown_(crys_ctx *ctx, void *user) { (void)ctx; state_t *s = user; note("shutdown", s->calls); }
    static crys_status source(crys_ctx *ctx, crys_value *d, crys_value **o, void *u) {
        (void)d; (void)u;
        pthread_mutex_lock(&state.lock); state.calls++; pthread_mutex_unlock(&state.lock);
        H->record_metric(ctx, "pid", H->make_f64(ctx, (double)getpid()), NULL, 0);
        H->record_metric(ctx, "model", H->make_f64(ctx, state.ready == 1 ? state.model : -1), NULL, 0);
        if (H->get_i64(H->ctx_get(ctx, "replicate")) == 0) H->log(ctx, CRYS_LOG_WARNING, "replicate zero is special");
        *o = H->make_f64(ctx, 1);
        return CRYS_OK;
    }
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "st_source", .flags = CRYS_F_THREAD_SAFE, .call = source } };
    static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 1, .abi_minor_built = CRYS_ABI_MINOR,
        .pointer_size = sizeof(void *), .name = "Stateful", .exports = exports, .export_count = 1,
        .init = init, .shutdown = shutdown_, .user = &state };
    CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
    """#

    /// Read-only context and checked getters. `ro_add` adds an f64 array [1, 2, 3] as context
    /// key "arr"; `ro_write` writes 100 through f64_data into ctx_get("arr") and into its
    /// parameter `arr` (filled from the context), recording what it then sees; `ro_read`
    /// records arr[0] as metric "later". `ro_checked` records the status of each checked
    /// getter on a string, an i64, 2.5, true and NULL.
    static let readOnly = #"""
    #include "crystallize.h"
    static const crys_host *H;
    static crys_status ro_add(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
        (void)u;
        crys_value *a = H->make_f64_array(c, 3);
        double *x = H->f64_data(a, NULL);
        x[0] = 1; x[1] = 2; x[2] = 3;
        if (H->ctx_add(c, "arr", a) != CRYS_OK) return CRYS_ERROR;
        *o = d;
        return CRYS_OK;
    }
    static crys_status ro_write(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
        (void)u;
        size_t n = 0;
        double *x = H->f64_data(H->ctx_get(c, "arr"), &n);
        if (!x || n != 3) { H->set_error(c, "ctx_get(arr) is not a 3-element array"); return CRYS_ERROR; }
        x[0] = 100;
        H->record_metric(c, "own_copy", H->make_f64(c, H->f64_data(H->ctx_get(c, "arr"), NULL)[0]), NULL, 0);
        double *p = H->f64_data(H->param(c, "arr"), NULL);
        if (!p) { H->set_error(c, "param(arr) is not an array"); return CRYS_ERROR; }
        p[1] = 200;
        *o = d;
        return CRYS_OK;
    }
    static crys_status ro_read(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
        (void)u;
        const double *x = H->f64_data(H->ctx_get(c, "arr"), NULL);
        H->record_metric(c, "later0", H->make_f64(c, x[0]), NULL, 0);
        H->record_metric(c, "later1", H->make_f64(c, x[1]), NULL, 0);
        *o = d;
        return CRYS_OK;
    }
    static void status_metric(crys_ctx *c, const char *name, crys_status s) { H->record_metric(c, name, H->make_i64(c, s), NULL, 0); }
    static crys_status ro_checked(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
        (void)u;
        double f = -1; int64_t i = -1; int32_t b = -1;
        crys_value *s = H->make_string(c, "abc", 3), *n = H->make_i64(c, 7), *half = H->make_f64(c, 2.5), *t = H->make_bool(c, 1);
        status_metric(c, "f64_of_string", H->read_f64(s, &f));
        H->record_metric(c, "f64_untouched", H->make_f64(c, f), NULL, 0);
        status_metric(c, "f64_of_i64", H->read_f64(n, &f));
        H->record_metric(c, "f64_value", H->make_f64(c, f), NULL, 0);
        status_metric(c, "i64_of_half", H->read_i64(half, &i));
        status_metric(c, "i64_of_i64", H->read_i64(n, &i));
        H->record_metric(c, "i64_value", H->make_i64(c, i), NULL, 0);
        status_metric(c, "bool_of_bool", H->read_bool(t, &b));
        status_metric(c, "bool_of_i64", H->read_bool(n, &b));
        status_metric(c, "f64_of_null", H->read_f64(NULL, &f));
        *o = d;
        return CRYS_OK;
    }
    static const crys_param write_params[] = { { sizeof(crys_param), CRYS_T_ANY, "arr", NULL, NULL } };
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "ro_add", .call = ro_add },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "ro_write", .params = write_params, .param_count = 1, .call = ro_write },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "ro_read", .call = ro_read },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "ro_checked", .call = ro_checked },
    };
    static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 1, .abi_minor_built = CRYS_ABI_MINOR,
        .pointer_size = sizeof(void *), .name = "ReadOnly", .exports = exports, .export_count = 4 };
    CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
    """#

    /// A verifier whose p-value is a draw from its random stream, and a step that records a
    /// draw from its own (metric "draw").
    static let drawing = #"""
    #include "crystallize.h"
    static const crys_host *H;
    static crys_status draw_step(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
        (void)u; H->record_metric(c, "draw", H->make_f64(c, H->random_uniform(c)), NULL, 0); *o = d; return CRYS_OK;
    }
    static crys_status draw_verify(crys_ctx *c, const crys_value *b, const crys_value *t, crys_value **o, void *u) {
        (void)b; (void)t; (void)u;
        crys_value *m = H->make_map(c);
        H->map_set(m, "p_value", H->make_f64(c, H->random_uniform(c)));
        H->map_set(m, "significant", H->make_bool(c, 0));
        *o = m;
        return CRYS_OK;
    }
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "draw_step", .call = draw_step },
        { .size = sizeof(crys_export), .kind = CRYS_KIND_VERIFIER, .name = "draw_verify", .verify = draw_verify } };
    static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 0,
        .pointer_size = sizeof(void *), .name = "Drawing", .exports = exports, .export_count = 2 };
    CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
    """#
}
