/*
 * A plugin written in plain C against crystallize.h alone: one export of every kind.
 * It is the proof that C is a first-class plugin language, and the fixture of many tests.
 */
#include "crystallize.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

static const crys_host *H;

/* ---- datasource: c_range(n) -> f64 array 0..n-1 ---- */
static crys_status c_range(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)data; (void)user;
    int64_t n = H->get_i64(H->param(ctx, "n"));
    if (n < 0) { H->set_error(ctx, "n must not be negative"); return CRYS_ERROR; }
    crys_value *arr = H->make_f64_array(ctx, (size_t)n);
    double *d = H->f64_data(arr, NULL);
    for (int64_t i = 0; i < n; i++) d[i] = (double)i;
    *out = arr;
    return CRYS_OK;
}

/* ---- step: c_add(amount) adds in place, records c_sum, writes sum.txt, adds c_touched ---- */
static crys_status c_add(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    size_t n = 0;
    double *d = H->f64_data(data, &n);
    if (!d) { H->set_error(ctx, "c_add expects an f64 array"); return CRYS_TYPE_ERROR; }
    double amount = H->get_f64(H->param(ctx, "amount")), sum = 0;
    for (size_t i = 0; i < n; i++) { d[i] += amount; sum += d[i]; }
    const char *tags[] = {"c", "sum"};
    H->record_metric(ctx, "c_sum", H->make_f64(ctx, sum), tags, 2);
    char text[64];
    int len = snprintf(text, sizeof text, "%.6f", sum);
    if (H->write_artifact(ctx, "sum.txt", text, (size_t)len) != CRYS_OK) return CRYS_ERROR;
    if (H->ctx_add(ctx, "c_touched", H->make_bool(ctx, 1)) != CRYS_OK) return CRYS_ERROR;
    *out = data;
    return CRYS_OK;
}

/* ---- typed functions, called through libffi ---- */
__attribute__((visibility("default"))) void c_scale(double *data, int64_t n, double factor) {
    for (int64_t i = 0; i < n; i++) data[i] *= factor;
}
__attribute__((visibility("default"))) double c_sum(double *data, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += data[i];
    return s;
}
__attribute__((visibility("default"))) double c_seeded(int64_t seed_used, int64_t replicate, int32_t negate) {
    double v = (double)(seed_used % 1000) + (double)replicate / 10.0;
    return negate ? -v : v;
}
__attribute__((visibility("default"))) int32_t c_is_positive(double data) { return data > 0; }

/* ---- async step: completes from another thread after `ms` milliseconds ---- */
struct pending { crys_completion *done; crys_value *data; int64_t ms; };
static void *finish_later(void *arg) {
    struct pending *p = arg;
    usleep((useconds_t)(p->ms * 1000));
    H->complete(p->done, CRYS_OK, p->data, NULL);
    free(p);
    return NULL;
}
static crys_status c_sleep(crys_ctx *ctx, crys_value *data, crys_completion *done, void *user) {
    (void)user;
    struct pending *p = malloc(sizeof *p);
    p->done = done; p->data = data; p->ms = H->get_i64(H->param(ctx, "ms"));
    pthread_t t;
    if (pthread_create(&t, NULL, finish_later, p) != 0) { free(p); H->set_error(ctx, "cannot start a thread"); return CRYS_ERROR; }
    pthread_detach(t);
    return CRYS_OK;
}

/* ---- crash step: segv / abort / exit on one replicate (or all when on_replicate < 0) ---- */
static crys_status c_crash(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    int64_t on = H->get_i64(H->param(ctx, "on_replicate"));
    int64_t r = H->get_i64(H->ctx_get(ctx, "replicate"));
    const char *mode = H->get_string(H->param(ctx, "mode"), NULL);
    if (on < 0 || on == r) {
        if (strcmp(mode, "segv") == 0) *(volatile int *)(uintptr_t)8 = 1;  /* a real fault, not raise() */
        if (strcmp(mode, "abort") == 0) abort();
        if (strcmp(mode, "exit") == 0) exit(3);
        if (strcmp(mode, "error") == 0) { H->set_error(ctx, "c_crash was asked to fail"); return CRYS_ERROR; }
    }
    *out = data;
    return CRYS_OK;
}

/* ---- a step that is not thread-safe: it notices if it is ever entered twice at once ---- */
static volatile int inside = 0;
static crys_status c_unsafe(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    if (__sync_fetch_and_add(&inside, 1) != 0) {
        __sync_fetch_and_sub(&inside, 1);
        H->set_error(ctx, "c_unsafe ran concurrently");
        return CRYS_ERROR;
    }
    usleep(2000);
    __sync_fetch_and_sub(&inside, 1);
    *out = data;
    return CRYS_OK;
}

/* ---- verifier: p = 0.01 when the treatment's mean is larger, else 0.99 ---- */
static double mean_of(const crys_value *map) {
    const crys_value *arr = H->map_value_at(map, 0);
    size_t n = 0;
    const double *d = H->f64_data(arr, &n);
    double s = 0;
    for (size_t i = 0; i < n; i++) s += d[i];
    return n ? s / (double)n : NAN;
}
static crys_status c_greater(crys_ctx *ctx, const crys_value *baseline, const crys_value *treatment, crys_value **out, void *user) {
    (void)user;
    double b = mean_of(baseline), t = mean_of(treatment);
    double p = t > b ? 0.01 : 0.99;
    crys_value *m = H->make_map(ctx);
    H->map_set(m, "p_value", H->make_f64(ctx, p));
    H->map_set(m, "significant", H->make_bool(ctx, p < H->get_f64(H->param(ctx, "alpha"))));
    H->map_set(m, "difference", H->make_f64(ctx, t - b));
    *out = m;
    return CRYS_OK;
}

/* ---- hook: logs each event it sees ---- */
static crys_status c_hook(crys_ctx *ctx, uint32_t event, const crys_value *info, void *user) {
    (void)user;
    const char *name = event == CRYS_HOOK_BEFORE_RUN ? "before_run" : event == CRYS_HOOK_AFTER_RUN ? "after_run" : "after_step";
    const crys_value *exp = H->map_get(info, "experiment");
    char line[256];
    snprintf(line, sizeof line, "c_hook %s %s", name, exp ? H->get_string(exp, NULL) : "?");
    H->log(ctx, CRYS_LOG_INFO, line);
    return CRYS_OK;
}

/* ---- strategy: runs pending replicates in reverse order, in this process ---- */
static crys_status c_reverse(crys_ctx *ctx, crys_loop *loop, void *user) {
    (void)ctx; (void)user;
    int64_t n = H->loop_pending_count(loop);
    for (int64_t i = n - 1; i >= 0; i--) {
        if (H->loop_cancelled(loop)) return CRYS_CANCELLED;
        H->loop_run_replicate(loop, H->loop_pending_at(loop, i));
    }
    H->loop_progress(loop, "c_reverse done");
    return CRYS_OK;
}

/* ---- strategy: one worker process per pending replicate, through the worker command line ---- */
extern char **environ;
static crys_status c_workers(crys_ctx *ctx, crys_loop *loop, void *user) {
    (void)user;
    int64_t n = H->loop_pending_count(loop);
    for (int64_t i = 0; i < n; i++) {
        if (H->loop_cancelled(loop)) return CRYS_CANCELLED;
        int64_t r = H->loop_pending_at(loop, i);
        char rep[32], path[4096];
        snprintf(rep, sizeof rep, "%lld", (long long)r);
        snprintf(path, sizeof path, "%s/c_workers_%lld.outcomes", H->loop_work_dir(loop), (long long)r);
        size_t argc = 0;
        const char *const *argv = H->loop_worker_command(loop, rep, path, &argc);
        pid_t pid;
        /* Plain POSIX on purpose: this plugin shows what a C plugin does with the header alone
           (the host's own processes go through swift-subprocess, a Swift package). */
        if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0) {
            H->set_error(ctx, "c_workers: cannot spawn a worker");
            return CRYS_ERROR;
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) <= 1) {
            H->loop_submit_result(loop, r, path);  /* status 1: some condition failed, still a result */
        } else {
            char msg[128];
            snprintf(msg, sizeof msg, "c_workers: worker for replicate %lld ended with status %d", (long long)r, status);
            H->loop_fail_replicate(loop, r, msg);
        }
    }
    return CRYS_OK;
}

/* ---- codec: upper-cases text on write, reads it back as a string ---- */
static crys_status c_upper_encode(crys_ctx *ctx, const crys_value *value, crys_value **out, void *user) {
    (void)user;
    size_t n = 0;
    const char *s = H->get_string(value, &n);
    if (!s) { H->set_error(ctx, "c_upper writes strings only"); return CRYS_TYPE_ERROR; }
    char *buf = malloc(n + 1);
    for (size_t i = 0; i < n; i++) buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
    *out = H->make_bytes(ctx, buf, n);
    free(buf);
    return CRYS_OK;
}
static crys_status c_upper_decode(crys_ctx *ctx, const void *bytes, size_t length, crys_value **out, void *user) {
    (void)user;
    *out = H->make_string(ctx, (const char *)bytes, length);
    return *out ? CRYS_OK : CRYS_ERROR;
}

/* ---- step: c_log(message, level) logs "<message> r<replicate>" through host->log, passes data on ---- */
static crys_status c_log(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    char line[256];
    snprintf(line, sizeof line, "%s r%lld", H->get_string(H->param(ctx, "message"), NULL),
             (long long)H->get_i64(H->ctx_get(ctx, "replicate")));
    H->log(ctx, (int32_t)H->get_i64(H->param(ctx, "level")), line);
    *out = data;
    return CRYS_OK;
}

/* ---- the descriptor ---- */
#define P(type, name, def, doc) { sizeof(crys_param), type, name, def, doc }
static const crys_param range_params[] = { P(CRYS_T_I64, "n", "4", "How many numbers") };
static const crys_param add_params[] = { P(CRYS_T_F64, "amount", "1.0", "Amount added to each number") };
static const crys_param scale_params[] = { P(CRYS_T_F64_ARRAY, "data", NULL, "The numbers, scaled in place"),
                                           P(CRYS_T_F64, "factor", "2.0", "Multiplier") };
static const crys_param sum_params[] = { P(CRYS_T_F64_ARRAY, "data", NULL, "The numbers") };
static const crys_param seeded_params[] = { P(CRYS_T_I64, "seed_used", NULL, "From the context"),
                                            P(CRYS_T_I64, "replicate", NULL, "From the context"),
                                            P(CRYS_T_BOOL, "negate", "false", "Negate the result") };
static const crys_param positive_params[] = { P(CRYS_T_F64, "data", NULL, "A number") };
static const crys_param sleep_params[] = { P(CRYS_T_I64, "ms", "10", "Milliseconds to wait") };
static const crys_param crash_params[] = { P(CRYS_T_STRING, "mode", "\"segv\"", "segv, abort, exit or error"),
                                           P(CRYS_T_I64, "on_replicate", "-1", "Replicate to crash on; -1 for all") };
static const crys_param greater_params[] = { P(CRYS_T_F64, "alpha", "0.05", "Significance level") };
static const crys_param log_params[] = { P(CRYS_T_STRING, "message", "\"hello\"", "What to log"),
                                         P(CRYS_T_I64, "level", "1", "CRYS_LOG_* level") };

#define TYPED(fn) ((crys_any_fn)(void (*)(void))(fn))
static const crys_export exports[] = {
    { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "c_range", .doc = "Numbers 0..n-1 as an f64 array",
      .params = range_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE | CRYS_F_CACHEABLE, .call = c_range },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_add", .doc = "Adds amount in place; metric c_sum; artifact sum.txt",
      .params = add_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE | CRYS_F_CACHEABLE, .call = c_add },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_scale", .doc = "void c_scale(double *data, int64_t n, double factor)",
      .params = scale_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(c_scale), .typed_return = CRYS_T_VOID },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_sum", .doc = "double c_sum(double *data, int64_t n)",
      .params = sum_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(c_sum), .typed_return = CRYS_T_F64 },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "c_seeded", .doc = "double c_seeded(int64_t seed_used, int64_t replicate, int32_t negate)",
      .params = seeded_params, .param_count = 3, .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(c_seeded), .typed_return = CRYS_T_F64 },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_is_positive", .doc = "int32_t c_is_positive(double data)",
      .params = positive_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE, .typed = TYPED(c_is_positive), .typed_return = CRYS_T_BOOL },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_sleep", .doc = "Waits ms milliseconds asynchronously, passes data on",
      .params = sleep_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE | CRYS_F_ASYNC, .call_async = c_sleep },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_crash", .doc = "Crashes (segv/abort/exit) or fails on a replicate",
      .params = crash_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .call = c_crash },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_unsafe", .doc = "Not thread-safe; fails if entered concurrently",
      .flags = 0, .call = c_unsafe },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_VERIFIER, .name = "c_greater", .doc = "p = 0.01 when the treatment mean is larger",
      .params = greater_params, .param_count = 1, .flags = CRYS_F_THREAD_SAFE, .verify = c_greater },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_HOOK, .name = "c_hook", .doc = "Logs before_run and after_run",
      .hook = c_hook, .hook_events = CRYS_HOOK_BEFORE_RUN | CRYS_HOOK_AFTER_RUN },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STRATEGY, .name = "c_reverse", .doc = "Runs pending replicates in reverse order",
      .run_loop = c_reverse },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STRATEGY, .name = "c_workers", .doc = "One worker process per replicate, via worker command lines",
      .run_loop = c_workers },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_ARTIFACT_CODEC, .name = "c_upper", .doc = "Writes text upper-cased",
      .encode = c_upper_encode, .decode = c_upper_decode },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_log", .doc = "Logs \"<message> r<replicate>\" at level (0 debug .. 3 error)",
      .params = log_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .call = c_log },
};

static const crys_plugin descriptor = {
    .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 0, .abi_minor_built = CRYS_ABI_MINOR,
    .pointer_size = sizeof(void *), .name = "CTestPlugin", .version = "1.0.0",
    .doc = "Every kind of export, in plain C", .exports = exports,
    .export_count = sizeof exports / sizeof exports[0],
};

CRYS_DEFINE_ENTRY(host) {
    H = host;
    return &descriptor;
}
