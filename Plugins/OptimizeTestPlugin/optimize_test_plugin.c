/*
 * The fixture of the sweep and optimizer tests and of bench/optimize: a noisy quadratic
 * objective (one step), and later a plugin optimizer.
 *
 *   loss = (x - 0.3)^2 + 2 (y + 0.2)^2 + noise * N(0, 1)    minimum 0 at x = 0.3, y = -0.2
 */
#include "crystallize.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const crys_host *H;

/* ---- datasource: quad_origin -> null (the objective needs no data) ---- */
static crys_status quad_origin(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)data; (void)user;
    *out = H->make_null(ctx);
    return CRYS_OK;
}

/* ---- step: noisy_quadratic(x, y, noise) records loss (and x, y as seen) ---- */
static crys_status noisy_quadratic(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    double x = H->get_f64(H->param(ctx, "x")), y = H->get_f64(H->param(ctx, "y"));
    double noise = H->get_f64(H->param(ctx, "noise"));
    double loss = (x - 0.3) * (x - 0.3) + 2.0 * (y + 0.2) * (y + 0.2) + noise * H->random_normal(ctx, 0.0, 1.0);
    int64_t delay_ms = H->get_i64(H->param(ctx, "delay_ms"));
    if (delay_ms > 0) {
        /* Lets a test stop an optimization part-way; the values never depend on it. */
        struct timespec t = { (time_t)(delay_ms / 1000), (long)(delay_ms % 1000) * 1000000L };
        nanosleep(&t, NULL);
    }
    H->record_metric(ctx, "loss", H->make_f64(ctx, loss), NULL, 0);
    H->record_metric(ctx, "x_seen", H->make_f64(ctx, x), NULL, 0);
    *out = data;
    return CRYS_OK;
}

#define P(type, name, def, doc) { sizeof(crys_param), type, name, def, doc }
static const crys_param quad_params[] = { P(CRYS_T_F64, "x", "0.0", "First coordinate"),
                                          P(CRYS_T_F64, "y", "0.0", "Second coordinate"),
                                          P(CRYS_T_F64, "noise", "0.1", "Standard deviation of the noise"),
                                          P(CRYS_T_I64, "delay_ms", "0", "Milliseconds to wait per call") };

static const crys_export exports[] = {
    { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "quad_origin", .doc = "Null data for the quadratic",
      .flags = CRYS_F_THREAD_SAFE, .call = quad_origin },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "noisy_quadratic",
      .doc = "loss = (x-0.3)^2 + 2(y+0.2)^2 + noise*N(0,1); metrics loss, x_seen",
      .params = quad_params, .param_count = 4, .flags = CRYS_F_THREAD_SAFE, .call = noisy_quadratic },
};

static const crys_plugin descriptor = {
    .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR,
    .pointer_size = sizeof(void *), .name = "OptimizeTestPlugin", .version = "1.0.0",
    .doc = "A noisy quadratic objective for sweeps, optimizers and bench/optimize", .exports = exports,
    .export_count = sizeof exports / sizeof exports[0],
};

CRYS_DEFINE_ENTRY(host) {
    H = host;
    return &descriptor;
}
