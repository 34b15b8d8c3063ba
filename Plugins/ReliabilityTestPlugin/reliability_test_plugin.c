/*
 * Test plugin for the reliability guarantees (issue "nothing lost, nothing mixed"): a step
 * that holds a run open until the test lets it go, a step that fails on its first attempts,
 * and exports that crash on demand in setup, teardown, a hook or a verifier. Plain C against
 * crystallize.h; a test's files and the RT_CRASH environment variable steer it, so worker
 * processes behave like their parent.
 */
#include "crystallize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const crys_host *H;

static const char *string_param(crys_ctx *ctx, const char *name) {
    const crys_value *v = H->param(ctx, name);
    return v ? H->get_string(v, NULL) : "";
}

/* Aborts when RT_CRASH names `where` (setup, teardown, hook, verifier, step). */
static void crash_if(const char *where) {
    const char *c = getenv("RT_CRASH");
    if (c && strcmp(c, where) == 0) abort();
}

/* ---- rt_gate(dir, hold_from): replicates below hold_from pass; the others write dir/started
 * and wait until dir/open exists; data passes on ---- */
static crys_status rt_gate(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    const char *dir = string_param(ctx, "dir");
    if (H->get_i64(H->ctx_get(ctx, "replicate")) < H->get_i64(H->param(ctx, "hold_from"))) { *out = data; return CRYS_OK; }
    char started[4096], open_path[4096];
    snprintf(started, sizeof started, "%s/started", dir);
    snprintf(open_path, sizeof open_path, "%s/open", dir);
    int fd = open(started, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) close(fd);
    struct stat st;
    /* Polls a file the test creates: the run stays open exactly as long as the test wants. */
    while (stat(open_path, &st) != 0) usleep(2000);
    *out = data;
    return CRYS_OK;
}

/* ---- rt_flaky(dir, failures): fails the first `failures` attempts of each (replicate, condition) ---- */
static crys_status rt_flaky(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    const char *dir = string_param(ctx, "dir");
    int64_t failures = H->get_i64(H->param(ctx, "failures"));
    int64_t r = H->get_i64(H->ctx_get(ctx, "replicate"));
    const char *condition = H->get_string(H->ctx_get(ctx, "condition"), NULL);
    /* One file per attempt, created exclusively: counts attempts across threads and processes. */
    int64_t attempt = 0;
    for (;; attempt++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/attempt-%lld-%s-%lld", dir, (long long)r, condition, (long long)attempt);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd >= 0) { close(fd); break; }
        if (errno != EEXIST) { H->set_error(ctx, "rt_flaky: cannot record the attempt"); return CRYS_ERROR; }
    }
    if (attempt < failures) {
        char msg[128];
        snprintf(msg, sizeof msg, "rt_flaky: attempt %lld of replicate %lld fails on purpose", (long long)attempt + 1, (long long)r);
        H->set_error(ctx, msg);
        return CRYS_ERROR;
    }
    H->record_metric(ctx, "attempts", H->make_i64(ctx, attempt + 1), NULL, 0);
    *out = data;
    return CRYS_OK;
}

/* ---- rt_draw: records metric draw from its random stream; logs each call to $RT_CALL_LOG ---- */
static crys_status rt_draw(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)user;
    const char *log = getenv("RT_CALL_LOG");
    if (log && *log) {
        char line[256];
        int n = snprintf(line, sizeof line, "%lld %s\n", (long long)H->get_i64(H->ctx_get(ctx, "replicate")),
                         H->get_string(H->ctx_get(ctx, "condition"), NULL));
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) { if (write(fd, line, (size_t)n) != n) { /* a test's log: best effort */ } close(fd); }
    }
    H->record_metric(ctx, "draw", H->make_f64(ctx, H->random_uniform(ctx)), NULL, 0);
    *out = data;
    return CRYS_OK;
}

/* ---- rt_crashy: a step whose setup, teardown or call aborts when RT_CRASH says so ---- */
static crys_status rt_crashy(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
    (void)ctx; (void)user;
    crash_if("step");
    *out = data;
    return CRYS_OK;
}
static crys_status rt_crashy_setup(crys_ctx *ctx, void *user) { (void)ctx; (void)user; crash_if("setup"); return CRYS_OK; }
static crys_status rt_crashy_teardown(crys_ctx *ctx, void *user) { (void)ctx; (void)user; crash_if("teardown"); return CRYS_OK; }

/* ---- rt_hook: aborts in before_run or after_run when RT_CRASH=hook ---- */
static crys_status rt_hook(crys_ctx *ctx, uint32_t event, const crys_value *info, void *user) {
    (void)ctx; (void)event; (void)info; (void)user;
    crash_if("hook");
    return CRYS_OK;
}

/* ---- rt_verifier: p = 0.5, or aborts when RT_CRASH=verifier ---- */
static crys_status rt_verifier(crys_ctx *ctx, const crys_value *baseline, const crys_value *treatment, crys_value **out, void *user) {
    (void)baseline; (void)treatment; (void)user;
    crash_if("verifier");
    crys_value *m = H->make_map(ctx);
    H->map_set(m, "p_value", H->make_f64(ctx, 0.5));
    H->map_set(m, "significant", H->make_bool(ctx, 0));
    *out = m;
    return CRYS_OK;
}

/* ---- the descriptor ---- */
#define P(type, name, def, doc) { sizeof(crys_param), type, name, def, doc }
static const crys_param gate_params[] = { P(CRYS_T_STRING, "dir", NULL, "Folder of the started and open files"),
                                          P(CRYS_T_I64, "hold_from", "0", "The first replicate held at the gate") };
static const crys_param flaky_params[] = { P(CRYS_T_STRING, "dir", NULL, "Folder where attempts are counted"),
                                           P(CRYS_T_I64, "failures", "1", "Attempts that fail before one succeeds") };

static const crys_export exports[] = {
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "rt_gate", .doc = "From replicate hold_from on, waits until dir/open exists (writes dir/started first)",
      .params = gate_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .call = rt_gate },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "rt_flaky", .doc = "Fails the first `failures` attempts of each replicate and condition; metric attempts",
      .params = flaky_params, .param_count = 2, .flags = CRYS_F_THREAD_SAFE, .call = rt_flaky },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "rt_draw", .doc = "Records metric draw (uniform); logs calls to $RT_CALL_LOG",
      .flags = CRYS_F_THREAD_SAFE, .call = rt_draw },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "rt_crashy", .doc = "Aborts in setup, teardown or its call when RT_CRASH says so",
      .flags = CRYS_F_THREAD_SAFE, .call = rt_crashy, .setup = rt_crashy_setup, .teardown = rt_crashy_teardown },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_HOOK, .name = "rt_hook", .doc = "Aborts when RT_CRASH=hook",
      .hook = rt_hook, .hook_events = CRYS_HOOK_BEFORE_RUN | CRYS_HOOK_AFTER_RUN },
    { .size = sizeof(crys_export), .kind = CRYS_KIND_VERIFIER, .name = "rt_verifier", .doc = "p = 0.5; aborts when RT_CRASH=verifier",
      .flags = CRYS_F_THREAD_SAFE, .verify = rt_verifier },
};

static const crys_plugin descriptor = {
    .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR,
    .pointer_size = sizeof(void *), .name = "ReliabilityTestPlugin", .version = "1.0.0",
    .doc = "Gates, flaky steps and crashes on demand, for the reliability tests", .exports = exports,
    .export_count = sizeof exports / sizeof exports[0],
};

CRYS_DEFINE_ENTRY(host) {
    H = host;
    return &descriptor;
}
