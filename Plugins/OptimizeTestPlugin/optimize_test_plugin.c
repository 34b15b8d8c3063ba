/*
 * The fixture of the sweep and optimizer tests and of bench/optimize: a noisy quadratic
 * objective (one step) and a plugin optimizer (coord_search) through the 1.2 callbacks.
 *
 *   loss = (x - 0.3)^2 + 2 (y + 0.2)^2 + noise * N(0, 1)    minimum 0 at x = 0.3, y = -0.2
 */
#include "crystallize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- optimizer: coord_search, a coordinate search through the ask/tell callbacks ----
 * Starts at a random point of the box (drawn from the host's seeded stream), tries a step
 * down and up along one coordinate per batch, moves to the better point when it improves,
 * and halves the step after a full cycle without improvement. Choice parameters keep their
 * first value; int parameters are rounded. */
#define CS_MAX 8
typedef struct {
    int dims;
    char names[CS_MAX][64];
    int kind[CS_MAX];           /* 0 continuous, 1 int, 2 choice (fixed) */
    double low[CS_MAX], high[CS_MAX], center[CS_MAX], step[CS_MAX];
    int64_t trials, asked;
    int maximize, axis, idle, started, have_best, tells;
    double best;
    double tried[2][CS_MAX];
    int pending;
} coord_state;


static crys_status cs_create(crys_ctx *ctx, const crys_value *space, const crys_value *settings, void **state, void *user) {
    (void)user;
    size_t n = H->count(space);
    if (n > CS_MAX) { H->set_error(ctx, "coord_search: at most 8 parameters"); return CRYS_INVALID; }
    coord_state *s = calloc(1, sizeof *s);
    if (!s) { H->set_error(ctx, "coord_search: out of memory"); return CRYS_ERROR; }
    s->dims = (int)n;
    for (size_t i = 0; i < n; i++) {
        const crys_value *p = H->map_value_at(space, i);
        snprintf(s->names[i], sizeof s->names[i], "%s", H->map_key_at(space, i));
        const char *kind = H->get_string(H->map_get(p, "kind"), NULL);
        if (strcmp(kind, "choice") == 0) { s->kind[i] = 2; continue; }
        s->kind[i] = strcmp(kind, "int") == 0 ? 1 : 0;
        s->low[i] = H->get_f64(H->map_get(p, "low"));
        s->high[i] = H->get_f64(H->map_get(p, "high"));
        if (strcmp(kind, "normal") == 0) {  /* mean, sd: search mean +- 2 sd */
            double m = s->low[i], sd = s->high[i];
            s->low[i] = m - 2 * sd; s->high[i] = m + 2 * sd;
        }
        s->center[i] = s->low[i] + (s->high[i] - s->low[i]) * H->random_uniform(ctx);
        s->step[i] = (s->high[i] - s->low[i]) / 4.0;
    }
    const crys_value *t = H->map_get(settings, "trials");
    s->trials = H->type_of(t) == CRYS_T_I64 ? H->get_i64(t) : 20;
    s->maximize = strcmp(H->get_string(H->map_get(settings, "direction"), NULL), "maximize") == 0;
    *state = s;
    return CRYS_OK;
}

static crys_value *cs_point(crys_ctx *ctx, coord_state *s, const double *x) {
    crys_value *params = H->make_map(ctx);
    for (int i = 0; i < s->dims; i++) {
        if (s->kind[i] == 2) continue;
        double v = x[i] < s->low[i] ? s->low[i] : (x[i] > s->high[i] ? s->high[i] : x[i]);
        H->map_set(params, s->names[i], s->kind[i] == 1 ? H->make_i64(ctx, (int64_t)llround(v)) : H->make_f64(ctx, v));
    }
    crys_value *trial = H->make_map(ctx);
    H->map_set(trial, "params", params);
    return trial;
}

static crys_status cs_ask(crys_ctx *ctx, void *state, crys_value *batch, void *user) {
    (void)user;
    coord_state *s = state;
    if (s->asked >= s->trials) return CRYS_OK;
    if (!s->started) {
        s->started = 1;
        s->pending = 1;
        memcpy(s->tried[0], s->center, sizeof s->center);
        s->asked++;
        return H->list_push(batch, cs_point(ctx, s, s->center));
    }
    s->pending = 0;
    for (int d = -1; d <= 1 && s->asked < s->trials; d += 2) {
        double x[CS_MAX];
        memcpy(x, s->center, sizeof x);
        x[s->axis] += d * s->step[s->axis];
        memcpy(s->tried[s->pending], x, sizeof x);
        s->pending++;
        s->asked++;
        if (H->list_push(batch, cs_point(ctx, s, x)) != CRYS_OK) return CRYS_ERROR;
    }
    return CRYS_OK;
}

static crys_status cs_tell(crys_ctx *ctx, void *state, const crys_value *reports, void *user) {
    (void)user;
    coord_state *s = state;
    size_t n = H->count(reports);
    if ((int)n != s->pending) { H->set_error(ctx, "coord_search: told a different number of trials than asked"); return CRYS_INVALID; }
    int improved = 0;
    for (size_t i = 0; i < n; i++) {
        double mean = H->get_f64(H->map_get(H->list_at(reports, i), "mean"));
        if (isnan(mean)) continue;
        if (!s->have_best || (s->maximize ? mean > s->best : mean < s->best)) {
            s->best = mean;
            s->have_best = 1;
            memcpy(s->center, s->tried[i], sizeof s->center);
            improved = 1;
        }
    }
    if (s->tells++ > 0) {  /* the first tell only measured the start */
        s->idle = improved ? 0 : s->idle + 1;
        s->axis = (s->axis + 1) % (s->dims ? s->dims : 1);
        if (s->idle >= s->dims) {
            for (int i = 0; i < s->dims; i++) s->step[i] /= 2;
            s->idle = 0;
        }
    }
    return CRYS_OK;
}

static void cs_destroy(void *state, void *user) { (void)user; free(state); }
static const crys_optimizer coord_search = {
    .size = sizeof(crys_optimizer), .create = cs_create, .ask = cs_ask, .tell = cs_tell, .destroy = cs_destroy,
};
static const crys_param cs_params[] = { P(CRYS_T_F64, "shrink", "0.5", "Unused knob, shows that options reach the optimizer") };

static const crys_export exports[] = {
    { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "quad_origin", .doc = "Null data for the quadratic",
      .flags = CRYS_F_THREAD_SAFE, .call = quad_origin },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "noisy_quadratic",
      .doc = "loss = (x-0.3)^2 + 2(y+0.2)^2 + noise*N(0,1); metrics loss, x_seen",
      .params = quad_params, .param_count = 4, .flags = CRYS_F_THREAD_SAFE, .call = noisy_quadratic },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_OPTIMIZER, .name = "coord_search",
      .doc = "Coordinate search from a seeded random start: a step down and up per axis, halved when stuck",
      .params = cs_params, .param_count = 1, .optimizer = &coord_search },
};

static const crys_plugin descriptor = {
    .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 2, /* needs 1.2: an optimizer */
    .abi_minor_built = CRYS_ABI_MINOR,
    .pointer_size = sizeof(void *), .name = "OptimizeTestPlugin", .version = "1.0.0",
    .doc = "A noisy quadratic objective for sweeps, optimizers and bench/optimize", .exports = exports,
    .export_count = sizeof exports / sizeof exports[0],
};

CRYS_DEFINE_ENTRY(host) {
    H = host;
    return &descriptor;
}
