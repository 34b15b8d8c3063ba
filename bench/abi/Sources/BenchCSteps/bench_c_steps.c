/*
 * The C steps bench/abi times: each does as little as possible, so what is measured is the
 * cost of the call through the ABI. Written against crystallize.h alone, as any C plugin is.
 * The functions are exported (not static) so the benchmark can also call them directly and
 * subtract the steps' own work.
 */
#include "../../../../Sources/CCrystallize/include/crystallize.h"
#include "include/bench_c_steps.h"

#define EXPORT __attribute__((visibility("default")))

static const crys_host *H;

/* A value step that hands its input back untouched: the bare cost of a value call. */
EXPORT crys_status b_pass(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)ctx; (void)user;
    *out = data;
    return CRYS_OK;
}

/* A value step that reads a parameter and the array in place, like a typical small step. */
EXPORT crys_status b_touch(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    size_t n = 0;
    double *d = H->f64_data(data, &n);
    double amount = H->get_f64(H->param(ctx, "amount"));
    if (d && n) d[0] += amount;
    *out = data;
    return CRYS_OK;
}

/* Typed functions called through libffi; the same signatures as CTestPlugin's c_scale and c_sum. */
EXPORT void b_scale(double *data, int64_t n, double factor) {
    for (int64_t i = 0; i < n; i++) data[i] *= factor;
}
EXPORT double b_sum(double *data, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += data[i];
    return s;
}
EXPORT void b_nothing(void) {}

#define TYPED(fn) ((crys_any_fn)(void (*)(void))(fn))
static const crys_param touch_params[] = { { sizeof(crys_param), CRYS_T_F64, "amount", "0.0", NULL } };
static const crys_param scale_params[] = { { sizeof(crys_param), CRYS_T_F64_ARRAY, "data", NULL, NULL },
                                           { sizeof(crys_param), CRYS_T_F64, "factor", "1.0", NULL } };
static const crys_param sum_params[] = { { sizeof(crys_param), CRYS_T_F64_ARRAY, "data", NULL, NULL } };
static const crys_export exports[] = {
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "b_pass", .doc = "Returns its input",
      .flags = CRYS_F_THREAD_SAFE, .call = b_pass },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "b_touch", .doc = "Reads a parameter and adds it to data[0]",
      .params = touch_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE, .call = b_touch },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "b_scale", .doc = "void b_scale(double *data, int64_t n, double factor)",
      .params = scale_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(b_scale), .typed_return = CRYS_T_VOID },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "b_sum", .doc = "double b_sum(double *data, int64_t n)",
      .params = sum_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(b_sum), .typed_return = CRYS_T_F64 },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "b_nothing", .doc = "void b_nothing(void)",
      .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(b_nothing), .typed_return = CRYS_T_VOID },
};
static const crys_plugin descriptor = {
    .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR, .pointer_size = sizeof(void *),
    .name = "BenchCSteps", .version = "1.0", .doc = "Near-empty C steps for bench/abi",
    .exports = exports, .export_count = sizeof exports / sizeof exports[0],
};

CRYS_DEFINE_ENTRY(host) {
    H = host;
    return &descriptor;
}
