/*
 * crystallize.h — the contract between crystallize-host and its plugins.
 *
 * A plugin is a shared library exporting ONE symbol, CRYS_ENTRY_SYMBOL, with C linkage:
 *
 *     const crys_plugin *crystallize_plugin_entry(const crys_host *host);
 *
 * Define it with CRYS_DEFINE_ENTRY(host) { ... } in C or C++ (the macro gives it C linkage and
 * default visibility). The host calls it once per process, right after dlopen, with its table
 * of services. The plugin keeps the `host` pointer (valid while the process lives) and returns
 * a static descriptor listing everything it exports, or NULL to decline (see host->decline).
 * The host checks the descriptor (size, ABI version, pointer size, every export) before it
 * calls anything else in the library; `crystallize-host inspect` runs nothing but the entry.
 *
 * VERSIONS (major.minor; a plugin states the minor it NEEDS, see crys_plugin.abi_minor)
 *   1.0  The first contract.
 *   1.1  Appended, so every 1.0 plugin keeps working unchanged:
 *        - the entry point is declared here with C linkage (C++ plugins load);
 *        - explicit reserved members and static assertions: no struct ends in padding;
 *        - crys_plugin.abi_minor means the minor the plugin NEEDS; abi_minor_built (in what
 *          was tail padding) the header it was compiled with; a host accepts a descriptor
 *          larger than it knows when every byte it does not know is zero;
 *        - crys_plugin.init / shutdown / user: plugin-wide state, once per process;
 *        - host->decline(): the entry point refuses to load with a message;
 *        - host->read_bool / read_i64 / read_f64: checked getters returning a status;
 *        - values from ctx_get, param, and the inputs of verifiers and hooks are read-only:
 *          f64_data on them gives a private copy (copy on write), never the host's storage;
 *        - random streams are common to every condition of a replicate (see RANDOMNESS).
 *   1.2  Appended: optimizers (CRYS_KIND_OPTIMIZER, crys_optimizer, crys_export.optimizer):
 *        an export that searches a parameter space by ask/tell. Needs minor 2.
 *        Host table: loop_batch_worker_command, loop_mode, loop_keep_log (batched cluster
 *        tasks, detach/attach, attempt logs); a strategy checks CRYS_HOST_HAS before use.
 *   Why no new major: nothing that 1.0 laid out moved, so a 1.0 plugin needs no rebuild.
 *   A plugin whose major differs from the host's is refused, naming the file and both versions.
 *
 * RULES THAT HOLD FOR EVERY FUNCTION BELOW
 *
 *  1. Only C types cross. Never let a C++ exception, a Swift error or a longjmp leave a
 *     callback: return a status and describe the problem with host->set_error().
 *  2. The host creates, the host frees. Values a plugin makes with host->make_*() belong to
 *     the host; the plugin never frees anything it got from the host. A made value lives until
 *     the callback that made it returns. Handing it to the host (through `*out`, list_push,
 *     map_set, ctx_add, record_metric, complete) moves its content to the host's keeping.
 *  3. Everything the host hands to a callback (values, strings, buffers) is BORROWED for the
 *     duration of that call. Copy what you need to keep. Exceptions are named where they
 *     apply (loop_worker_command's argv and loop_work_dir's string live until run_loop
 *     returns; an async call's ctx and data live until complete()).
 *  4. Everything a plugin hands to the host in its descriptor (names, docs, defaults,
 *     parameter arrays) must stay valid while the library is loaded: use static storage.
 *     The host never dlcloses a plugin.
 *  5. Compatibility only ever grows by appending. Every struct starts with its own `size`;
 *     the host accepts a smaller (older) struct, zero-filling what it lacks, and a larger
 *     (newer) one only when every byte beyond what the host knows is zero (the plugin uses
 *     nothing the host lacks). Arrays of structs (exports, params) are strided by their first
 *     element's `size`. The host refuses a plugin whose ABI major differs from its own, or
 *     whose needed minor is higher than its own; a plugin checks host->size before using a
 *     function that a later minor appended (CRYS_HOST_HAS(host, member)).
 *  6. No struct ends in padding, so appending always changes `size`: whoever appends a
 *     member fills the struct to a multiple of 8 bytes (reserved members, which stay zero)
 *     and moves the CRYS_ENDS_AT assertion below the struct to the new last member.
 *
 * THREADS
 *  - The entry point runs once per process, on the thread loading plugins, before anything
 *    else of the plugin; host->decline may only be called from it.
 *  - init runs once per process, before the first call of any export in a run, on one
 *    thread, with no other call of the plugin running; shutdown runs once when the process
 *    exits normally (atexit), after the last call; a process killed by a signal runs none. Under threads execution every thread shares that one state;
 *    under processes execution, and on cluster workers (Slurm, Ray), each worker process
 *    loads the plugin and runs its own init and shutdown.
 *  - Step, datasource, verifier, hook and codec callbacks may run on any thread. An export
 *    without CRYS_F_THREAD_SAFE never runs concurrently with itself; with it, calls of the
 *    same export may overlap (each with its own ctx).
 *  - Host functions taking a `crys_ctx *` (and the value functions on values of that call)
 *    must be called on the thread running that call, while it runs. An async step's ctx may
 *    be used from one thread at a time until it calls complete(); complete() itself may be
 *    called from any thread.
 *  - The loop_* functions may be called from any thread while run_loop runs; the host locks
 *    where needed (loop_run_replicate may run on several threads at once).
 *
 * FAILURES
 *  - A step or datasource that returns a status other than CRYS_OK fails its (replicate,
 *    condition) with the set_error message; other replicates go on.
 *  - A failing setup (crys_export.setup) stops the run before any replicate runs; a failing
 *    teardown is reported as a warning. Both run once per run in each process that runs steps.
 *  - A failing init stops the run naming the plugin file; shutdown cannot fail.
 *  - A failing hook is reported as a warning; the run goes on. A failing verifier leaves that
 *    hypothesis's result with an "error" entry and a NaN p-value.
 *
 * RANDOMNESS (random_u64, random_uniform, random_normal)
 *  - A step or datasource draws from a stream fixed by (the replicate's seed_used, the
 *    stage's position in the pipeline: the datasource is 0, the first step 1 if there is a
 *    datasource), the same in every condition (common random numbers), so baseline and
 *    treatment differ only by the treatment. With `random_streams: independent` in
 *    config.yaml the stream is fixed by (seed_used, condition, step name) instead. A stage's
 *    draws never depend on how many draws another stage made, nor on the execution strategy.
 *  - A verifier draws from a stream fixed by (the experiment's seed, hypothesis, treatment,
 *    metric group position); a hook from one fixed by (the experiment's seed, the hook's
 *    name, the event, the replicate or -1); setup, teardown and strategies from a stream
 *    fixed by the experiment's seed; init, shutdown and codecs from the stream of seed 0.
 *
 * LOG LEVELS: host->log keeps the CRYS_LOG_* level: it is shown with the line (a "debug",
 * "warning" or "error" prefix; info has none) and carried in run events (--events).
 */
#ifndef CRYSTALLIZE_H
#define CRYSTALLIZE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- versions and entry ---- */

/** ABI major: bumped only by a breaking change (never, we hope). Must equal the host's. */
#define CRYS_ABI_MAJOR 1
/** ABI minor of this header: bumped when something is appended (see VERSIONS above). */
#define CRYS_ABI_MINOR 2
/** The one symbol a plugin library exports. */
#define CRYS_ENTRY_SYMBOL "crystallize_plugin_entry"

/** Default visibility, so the entry (and typed functions) are found by dlsym. */
#define CRYS_EXPORT __attribute__((visibility("default")))

/** A compile-time check, in C11 and C++. */
#ifdef __cplusplus
#define CRYS_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define CRYS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/** Asserts that `member` is the last member of `type` and nothing (no padding) follows it. */
#define CRYS_ENDS_AT(type, member) \
    CRYS_STATIC_ASSERT(sizeof(type) == offsetof(type, member) + sizeof(((type *)0)->member), \
                       #type " must end at " #member " with no tail padding (rule 6)")

/* ----------------------------------------------------------------------------- status ---- */

/** Every call returns one of these. Error details travel through host->set_error(). */
typedef int32_t crys_status;
#define CRYS_OK 0            /**< Success. */
#define CRYS_ERROR 1         /**< Failure; the message was (or will be) given with set_error. */
#define CRYS_NOT_FOUND 2     /**< A key, parameter or item does not exist. */
#define CRYS_TYPE_ERROR 3    /**< A value has the wrong type for the operation. */
#define CRYS_EXISTS 4        /**< A context key was already set (context keys are add-only). */
#define CRYS_CANCELLED 5     /**< The run was cancelled (Ctrl-C); stop as soon as you can. */
#define CRYS_INVALID 6       /**< An argument is invalid (NULL, out of range, bad name). */

/* ------------------------------------------------------------------------------ values --- */

/** The type of a value, and the declared type of a parameter. */
typedef int32_t crys_type;
#define CRYS_T_NULL 0
#define CRYS_T_BOOL 1
#define CRYS_T_I64 2
#define CRYS_T_F64 3
#define CRYS_T_STRING 4      /**< UTF-8 text. */
#define CRYS_T_BYTES 5       /**< Arbitrary bytes. */
#define CRYS_T_LIST 6        /**< Ordered values. */
#define CRYS_T_MAP 7         /**< String keys in insertion order. */
#define CRYS_T_F64_ARRAY 8   /**< Dense float64 array, shared (never copied) between steps. */
#define CRYS_T_VOID 14       /**< Only as a typed function's return: "returns nothing". */
#define CRYS_T_ANY 15        /**< Only as a parameter's declared type: "any value". */

/** An opaque value owned by the host (see rule 2). */
typedef struct crys_value crys_value;
/** One invocation of a plugin callback: context, parameters, random generator, errors. */
typedef struct crys_ctx crys_ctx;
/** Completion token of one asynchronous step call. */
typedef struct crys_completion crys_completion;
/** The replicate loop handed to an execution strategy. */
typedef struct crys_loop crys_loop;

/* -------------------------------------------------------------------- log levels ---- */
#define CRYS_LOG_DEBUG 0
#define CRYS_LOG_INFO 1
#define CRYS_LOG_WARNING 2
#define CRYS_LOG_ERROR 3

/* ------------------------------------------------------------------- hook events ---- */
/** Lifecycle events, as bits of crys_export.hook_events. `info` is a map describing it. */
#define CRYS_HOOK_BEFORE_RUN 1u        /**< info: experiment, replicates, conditions */
#define CRYS_HOOK_BEFORE_REPLICATE 2u  /**< info: experiment, replicate, condition, seed_used */
#define CRYS_HOOK_BEFORE_STEP 4u       /**< info: ... plus step */
#define CRYS_HOOK_AFTER_STEP 8u        /**< info: ... plus step, metrics (map), cache_hit */
#define CRYS_HOOK_AFTER_RUN 16u        /**< info: experiment, outcome, failures */

/* ---------------------------------------------------------------- callback types ---- */

/**
 * A pipeline step (data = the previous step's output) or a datasource (data = NULL).
 * Parameters are read with host->param(); `data` is borrowed, except that a step may fill an
 * F64_ARRAY in place and hand the very same value back through `*out`.
 * Set `*out` to the step's output (a value made with host->make_*, or `data` itself).
 */
typedef crys_status (*crys_step_fn)(crys_ctx *ctx, crys_value *data, crys_value **out, void *user);

/**
 * An asynchronous step: start the work and return CRYS_OK; later, from any thread, call
 * host->complete(done, ...) exactly once. `ctx` and `data` stay valid until then, and values
 * for the completion are made with this same ctx.
 */
typedef crys_status (*crys_async_step_fn)(crys_ctx *ctx, crys_value *data, crys_completion *done,
                                          void *user);

/** Called once per run (per worker process) before the first call, and after the last. */
typedef crys_status (*crys_lifecycle_fn)(crys_ctx *ctx, void *user);

/**
 * Plugin-wide init (since 1.1): once per process, before the first call of any export (see
 * THREADS). `user` is crys_plugin.user. Return CRYS_OK, or fail with set_error: the run stops
 * with that message naming the plugin file. `ctx` offers set_error, log and the make/read
 * functions; it has no context, parameters or metrics.
 */
typedef crys_status (*crys_plugin_init_fn)(crys_ctx *ctx, void *user);
/** Plugin-wide shutdown (since 1.1): once, when a process whose init succeeded exits. */
typedef void (*crys_plugin_shutdown_fn)(crys_ctx *ctx, void *user);

/**
 * A statistical verifier. `baseline` and `treatment` are maps from metric name to an
 * F64_ARRAY of that metric's values over the replicates that succeeded, in replicate order
 * (read-only). Set `*out` to a map holding at least "p_value" (F64) and "significant"
 * (BOOL); any other entries are kept in the results. Parameters (e.g. alpha) are read with
 * host->param(). The host adds the effect size (Welch mean difference and 95% CI).
 */
typedef crys_status (*crys_verify_fn)(crys_ctx *ctx, const crys_value *baseline,
                                      const crys_value *treatment, crys_value **out, void *user);

/** A lifecycle hook; `event` is one CRYS_HOOK_* bit and `info` a borrowed, read-only map. */
typedef crys_status (*crys_hook_fn)(crys_ctx *ctx, uint32_t event, const crys_value *info, void *user);

/**
 * An execution strategy: run (or arrange to run) every pending replicate of `loop`, then
 * return. Use loop_run_replicate for in-process runs, or loop_worker_command to get the
 * command line of a worker process and loop_submit_result to hand its result file back.
 * Return CRYS_OK when done (replicates that failed are reported with loop_fail_replicate).
 */
typedef crys_status (*crys_run_loop_fn)(crys_ctx *ctx, crys_loop *loop, void *user);

/** An artifact writer: turn `value` into bytes (`*out` = a BYTES or STRING value). */
typedef crys_status (*crys_encode_fn)(crys_ctx *ctx, const crys_value *value, crys_value **out, void *user);
/** An artifact loader: turn the borrowed bytes of a file into a value. */
typedef crys_status (*crys_decode_fn)(crys_ctx *ctx, const void *bytes, size_t length,
                                      crys_value **out, void *user);

/** Any C function; the real signature is given by crys_export.params and typed_return. */
typedef void (*crys_any_fn)(void);

/* ------------------------------------------------------------------- descriptor ---- */

/** What an export is. */
typedef int32_t crys_kind;
#define CRYS_KIND_STEP 1
#define CRYS_KIND_DATASOURCE 2
#define CRYS_KIND_VERIFIER 3
#define CRYS_KIND_STRATEGY 4
#define CRYS_KIND_HOOK 5
#define CRYS_KIND_ARTIFACT_CODEC 6
#define CRYS_KIND_OPTIMIZER 7      /**< Since 1.2: crys_export.optimizer (needs minor 2). */

/** Export flags. */
#define CRYS_F_CACHEABLE 1u    /**< Output depends only on data and parameters: may be cached. */
#define CRYS_F_THREAD_SAFE 2u  /**< May run on several threads at once. */
#define CRYS_F_ASYNC 4u        /**< Implemented by call_async instead of call. */

/**
 * A declared parameter. For value steps, `type` may be CRYS_T_ANY. For typed functions it
 * is the C type: BOOL -> int32_t (0/1), I64 -> int64_t, F64 -> double, STRING -> const char*
 * (borrowed), F64_ARRAY -> TWO C arguments `double *values, int64_t count` (filled in place).
 * A parameter is filled by name: explicit config param, else context key, else `default_json`,
 * else the run fails naming the step and the parameter. The parameter named "data" receives
 * the step's input instead.
 */
typedef struct crys_param {
    uint32_t size;             /**< sizeof(crys_param) as the plugin was compiled. */
    crys_type type;            /**< Declared type. */
    const char *name;          /**< Unique within the export; [A-Za-z_][A-Za-z0-9_]*. */
    const char *default_json;  /**< Default as JSON text ("0", "1.5", "\"a\"", "[1,2]"), or NULL if required. */
    const char *doc;           /**< One line, or NULL. */
} crys_param;
CRYS_ENDS_AT(crys_param, doc);

/**
 * Since 1.2: an optimizer, crystallize-ml's ask/tell protocol. The host runs every batch the
 * optimizer asks for as one trial run (the batch's treatments against the baseline) and tells
 * it what each trial measured, until it asks for nothing. It must be deterministic given the
 * seed in `settings` (draw from host->random_* of the callback's ctx, whose stream is fixed by
 * that seed and the call's number): resume replays it and reuses the trial runs on disk.
 * Every callback runs on the host's main thread, one at a time; `state` is the plugin's own.
 */
typedef struct crys_optimizer {
    uint32_t size;               /**< sizeof(crys_optimizer) as the plugin was compiled. */
    uint32_t reserved0;          /**< Zero. */
    /**
     * Start a search. `space` (borrowed) maps each parameter name to a map with "kind"
     * ("uniform", "loguniform", "int", "normal" or "choice") and "low"/"high" (F64, I64 for
     * int; mean/sd for normal), "values" (LIST, choice), "steps" (I64, when given).
     * `settings` (borrowed) holds "trials" (I64, or NULL when absent), "replicates_per_trial"
     * (I64), "metric" (STRING), "direction" ("minimize"/"maximize"), "seed" (I64) and
     * "options" (MAP, the config's optimize.options). Set `*state` to the search's state.
     */
    crys_status (*create)(crys_ctx *ctx, const crys_value *space, const crys_value *settings,
                          void **state, void *user);
    /**
     * Ask for the next batch: push onto `batch` (a LIST the host owns) one MAP per trial with
     * "params" (MAP of parameter name to value) and optionally "replicates" (I64, default
     * replicates_per_trial) and "candidate" (I64: an earlier trial's number, to measure it on
     * more replicates). Pushing nothing ends the search. New trials are numbered in order.
     */
    crys_status (*ask)(crys_ctx *ctx, void *state, crys_value *batch, void *user);
    /**
     * What the last batch measured, in the order asked: `reports` (borrowed) is a LIST of MAPs
     * with "candidate" (I64), "params" (MAP), "replicates" (I64), "mean" and "standard_error"
     * (F64, NaN when unknown), "values" (F64_ARRAY of the objective over replicates) and
     * "hypotheses" (MAP of hypothesis name to the verifier's result against the baseline).
     */
    crys_status (*tell)(crys_ctx *ctx, void *state, const crys_value *reports, void *user);
    /** Free the state (never fails; `state` may be NULL). */
    void (*destroy)(void *state, void *user);
} crys_optimizer;
CRYS_ENDS_AT(crys_optimizer, destroy);

/**
 * One export. Fill the function pointer(s) matching `kind` and leave the others NULL:
 *   STEP / DATASOURCE: call (or call_async with CRYS_F_ASYNC, or typed); setup/teardown optional
 *   VERIFIER: verify;  STRATEGY: run_loop;  HOOK: hook + hook_events;
 *   ARTIFACT_CODEC: encode and/or decode;  OPTIMIZER (since 1.2): optimizer.
 * A typed STEP/DATASOURCE is a plain C function: set `typed` to it, `typed_return` to its
 * return type (VOID, BOOL, I64 or F64) and declare every C argument, in order, in `params`.
 * A typed step returning VOID passes its (possibly filled-in-place) data on.
 */
typedef struct crys_export {
    uint32_t size;               /**< sizeof(crys_export) as the plugin was compiled. */
    crys_kind kind;
    const char *name;            /**< Unique within the plugin; used in config.yaml. */
    const char *doc;             /**< One line, or NULL. */
    const crys_param *params;    /**< Array strided by params[0].size, or NULL. */
    uint32_t param_count;
    uint32_t flags;              /**< CRYS_F_* bits. */
    void *user;                  /**< Handed back to every callback of this export. */
    crys_step_fn call;
    crys_async_step_fn call_async;
    crys_lifecycle_fn setup;
    crys_lifecycle_fn teardown;
    crys_verify_fn verify;
    crys_hook_fn hook;
    uint32_t hook_events;        /**< CRYS_HOOK_* bits the hook wants. */
    crys_run_loop_fn run_loop;
    crys_encode_fn encode;
    crys_decode_fn decode;
    crys_any_fn typed;
    crys_type typed_return;
    uint32_t reserved0;          /**< Since 1.1 (was tail padding): zero. */
    const crys_optimizer *optimizer; /**< Since 1.2: an OPTIMIZER's callbacks (static storage), else NULL. */
} crys_export;
CRYS_ENDS_AT(crys_export, optimizer);

/** The plugin's descriptor, returned by the entry point; static storage. */
typedef struct crys_plugin {
    uint32_t size;               /**< sizeof(crys_plugin). */
    uint16_t abi_major;          /**< CRYS_ABI_MAJOR the plugin was built against. */
    /**
     * The lowest host minor this plugin NEEDS: the minor that introduced the newest member or
     * host function it uses (see VERSIONS; 0 if it uses only what 1.0 had). A plugin rebuilt
     * against a newer header keeps loading on older hosts as long as this stays low. Writing
     * CRYS_ABI_MINOR is always safe, but locks the plugin out of older hosts.
     */
    uint16_t abi_minor;
    uint32_t pointer_size;       /**< sizeof(void *). */
    const char *name;            /**< Plugin name; qualifies clashing exports as "name.export". */
    const char *version;         /**< Free-form, e.g. "1.2.0". */
    const char *doc;             /**< One line, or NULL. */
    const crys_export *exports;  /**< Array strided by exports[0].size. */
    uint32_t export_count;
    uint16_t abi_minor_built;    /**< Since 1.1: CRYS_ABI_MINOR of the header it was compiled with (informative). */
    uint16_t reserved0;          /**< Since 1.1: zero. */
    crys_plugin_init_fn init;    /**< Since 1.1: plugin-wide init, or NULL. Needs minor 1. */
    crys_plugin_shutdown_fn shutdown; /**< Since 1.1: plugin-wide shutdown, or NULL. Needs minor 1. */
    void *user;                  /**< Since 1.1: handed to init and shutdown. */
} crys_plugin;
CRYS_ENDS_AT(crys_plugin, user);

/* ---------------------------------------------------------------- the host table ---- */

/** Services the host offers. Grows only by appending; check `size` for newer members. */
typedef struct crys_host {
    uint32_t size;               /**< sizeof(crys_host) of the running host. */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- errors and logging --- */
    /** Record the error message of the current call (copied). */
    void (*set_error)(crys_ctx *ctx, const char *message);
    /**
     * Log a message (copied) at a CRYS_LOG_* level, attributed to the current step. The level
     * is kept: shown as a prefix (debug, warning, error) and carried in run events.
     */
    void (*log)(crys_ctx *ctx, int32_t level, const char *message);

    /* --- making values (owned by the host; live until the current call returns) --- */
    crys_value *(*make_null)(crys_ctx *ctx);
    crys_value *(*make_bool)(crys_ctx *ctx, int32_t value);
    crys_value *(*make_i64)(crys_ctx *ctx, int64_t value);
    crys_value *(*make_f64)(crys_ctx *ctx, double value);
    /** UTF-8 text, copied; `length` in bytes. NULL on invalid UTF-8. */
    crys_value *(*make_string)(crys_ctx *ctx, const char *utf8, size_t length);
    /** Bytes, copied. */
    crys_value *(*make_bytes)(crys_ctx *ctx, const void *bytes, size_t length);
    crys_value *(*make_list)(crys_ctx *ctx);
    crys_value *(*make_map)(crys_ctx *ctx);
    /** A zero-filled F64 array of `count` elements; fill it through f64_data. */
    crys_value *(*make_f64_array)(crys_ctx *ctx, size_t count);
    /** Append `item` (its content moves into the list). */
    crys_status (*list_push)(crys_value *list, crys_value *item);
    /** Set `key` (copied) to `item` (moved in); replaces an existing key in place. */
    crys_status (*map_set)(crys_value *map, const char *key, crys_value *item);

    /* --- reading values (results borrowed for as long as `value` lives) --- */
    crys_type (*type_of)(const crys_value *value);
    /** BOOL as 0/1 (0 for other types). Use read_bool to tell a wrong type from false. */
    int32_t (*get_bool)(const crys_value *value);
    /** I64 (F64 truncated; 0 for other types). Use read_i64 to tell a wrong type from 0. */
    int64_t (*get_i64)(const crys_value *value);
    /** F64 (I64 converted; NaN for other types). Use read_f64 to tell a wrong type from NaN. */
    double (*get_f64)(const crys_value *value);
    /** NUL-terminated UTF-8 of a STRING, or NULL; `length` (may be NULL) gets its byte count. */
    const char *(*get_string)(const crys_value *value, size_t *length);
    /** Bytes of a BYTES or STRING value, or NULL. */
    const void *(*get_bytes)(const crys_value *value, size_t *length);
    /** Elements of a LIST, MAP or F64_ARRAY; bytes of BYTES/STRING; 0 otherwise. */
    size_t (*count)(const crys_value *value);
    /** Element `index` of a LIST, or NULL. */
    const crys_value *(*list_at)(const crys_value *list, size_t index);
    /** Key `index` of a MAP, or NULL. */
    const char *(*map_key_at)(const crys_value *map, size_t index);
    /** Value `index` of a MAP, or NULL. */
    const crys_value *(*map_value_at)(const crys_value *map, size_t index);
    /** Value for `key` in a MAP, or NULL. */
    const crys_value *(*map_get)(const crys_value *map, const char *key);
    /**
     * The elements of an F64_ARRAY, readable AND writable in place (no copy), or NULL.
     * `count` (may be NULL) gets the element count. On a read-only value (from ctx_get, param,
     * a verifier's inputs, a hook's info, or inside one of them) the first call gives the
     * value a private copy and returns that: writes never reach the context, the config or
     * the metrics.
     */
    double *(*f64_data)(const crys_value *array, size_t *count);

    /* --- the context of the current call --- */
    /**
     * A context value (host keys: "replicate", "condition", "seed_used"), or NULL if absent.
     * Read-only (see f64_data); the read is recorded in provenance.
     */
    const crys_value *(*ctx_get)(crys_ctx *ctx, const char *key);
    /** Add a key; CRYS_EXISTS if it is already set (keys are add-only). `value` moves in. */
    crys_status (*ctx_add)(crys_ctx *ctx, const char *key, crys_value *value);
    /** The resolved value of a declared parameter (read-only), or NULL if the export declares no such name. */
    const crys_value *(*param)(crys_ctx *ctx, const char *name);
    /** Append `value` (I64/F64/BOOL, moved in) to metric `name`; tags are copied. */
    crys_status (*record_metric)(crys_ctx *ctx, const char *name, crys_value *value,
                                 const char *const *tags, size_t tag_count);
    /**
     * Write an artifact file `name` (no "/" or "..") for this replicate, condition and step.
     * Bytes are copied; the file is written atomically.
     */
    crys_status (*write_artifact)(crys_ctx *ctx, const char *name, const void *bytes, size_t length);
    /** Write declared output `name` with its configured writer (`value` borrowed). */
    crys_status (*write_output)(crys_ctx *ctx, const char *name, const crys_value *value);

    /* --- deterministic randomness: the call's own stream (see RANDOMNESS above) --- */
    uint64_t (*random_u64)(crys_ctx *ctx);
    /** Uniform in [0, 1). */
    double (*random_uniform)(crys_ctx *ctx);
    /** Normal with the given mean and standard deviation. */
    double (*random_normal)(crys_ctx *ctx, double mean, double sd);

    /* --- asynchronous steps --- */
    /**
     * Finish an async step call, exactly once, from any thread. On CRYS_OK, `out` (made with
     * the call's ctx) is the output; otherwise `error` (copied, may be NULL) says why.
     */
    void (*complete)(crys_completion *done, crys_status status, crys_value *out, const char *error);

    /* --- the replicate loop of an execution strategy --- */
    /** The experiment's total replicate count. */
    int64_t (*loop_replicate_count)(crys_loop *loop);
    /** How many replicates still need to run (resume may have finished some). */
    int64_t (*loop_pending_count)(crys_loop *loop);
    /** The replicate index of pending item `i` (0 <= i < pending count). */
    int64_t (*loop_pending_at)(crys_loop *loop, int64_t i);
    /** Run replicate `replicate` (every condition) in this process; may run on several threads at once. */
    crys_status (*loop_run_replicate)(crys_loop *loop, int64_t replicate);
    /**
     * The argv (NULL-terminated; valid until run_loop returns) of a worker process that runs
     * one replicate and writes its result to `result_path`. `replicate` is the decimal index,
     * or a placeholder the plugin substitutes later (e.g. "$R" in a batch script).
     */
    const char *const *(*loop_worker_command)(crys_loop *loop, const char *replicate,
                                              const char *result_path, size_t *argc);
    /** Hand back the result file a worker wrote for `replicate` (read before this returns). */
    crys_status (*loop_submit_result)(crys_loop *loop, int64_t replicate, const char *result_path);
    /** Mark `replicate` as failed (every condition) with `message` (copied). */
    crys_status (*loop_fail_replicate)(crys_loop *loop, int64_t replicate, const char *message);
    /** A one-line progress message (copied) for the run screen. */
    void (*loop_progress)(crys_loop *loop, const char *message);
    /** Non-zero once the user cancelled the run: stop scheduling, cancel what is running. */
    int32_t (*loop_cancelled)(crys_loop *loop);
    /** An existing folder, private to this run, for scripts and result files; the string lives until run_loop returns. */
    const char *(*loop_work_dir)(crys_loop *loop);

    /* --- since 1.1 (check CRYS_HOST_HAS before use) --- */
    /**
     * Only from the entry point: decline to load, with a reason (copied), e.g. a missing
     * library or no GPU; then return NULL. The host prints the reason naming the file.
     */
    void (*decline)(const char *reason);
    /** BOOL into `*out` (0/1): CRYS_OK, CRYS_TYPE_ERROR for another type (`*out` untouched), CRYS_INVALID for NULL. */
    crys_status (*read_bool)(const crys_value *value, int32_t *out);
    /** I64, or an F64 holding an exact integer in range, into `*out`; otherwise as read_bool. */
    crys_status (*read_i64)(const crys_value *value, int64_t *out);
    /** F64, or an I64 converted, into `*out`; otherwise as read_bool. */
    crys_status (*read_f64)(const crys_value *value, double *out);
    /* --- since 1.2: batches, detach and attach, attempt logs (check CRYS_HOST_HAS) --- */
    /**
     * The argv (NULL-terminated; valid until run_loop returns) of ONE worker process that runs
     * several replicates one after another and writes each one's result file as soon as it
     * finishes, so a worker killed midway keeps the replicates it finished, and one started
     * again skips them. `replicates` lists indices ("0,3,5-9") or is a placeholder the plugin
     * substitutes later; in `result_pattern` every "{r}" becomes the replicate's index.
     */
    const char *const *(*loop_batch_worker_command)(crys_loop *loop, const char *replicates,
                                                    const char *result_pattern, size_t *argc);
    /** What this run_loop call is asked to do: one of CRYS_LOOP_RUN ... CRYS_LOOP_CANCEL. */
    int32_t (*loop_mode)(crys_loop *loop);
    /**
     * Keep the log file at `path` (one attempt of a worker that ran `replicate`) with the run:
     * the host copies it under the run's folder, names it in provenance, and
     * `show <experiment> --logs R` prints it. The file is read during the call.
     */
    crys_status (*loop_keep_log)(crys_loop *loop, int64_t replicate, const char *path);
} crys_host;
CRYS_ENDS_AT(crys_host, loop_keep_log);

/** loop_mode: run every pending replicate (following this run's earlier submissions first) and return when all are done. */
#define CRYS_LOOP_RUN 0
/** loop_mode: submit the pending replicates, record the submission in loop_work_dir, return at once. */
#define CRYS_LOOP_DETACH 1
/** loop_mode: submit nothing; hand back results that exist, describe this run's submissions with loop_progress, return. */
#define CRYS_LOOP_STATUS 2
/** loop_mode: cancel this run's submissions, hand back what finished, return. */
#define CRYS_LOOP_CANCEL 3

/** True when the running host's table contains `member` (appended in a later minor). */
#define CRYS_HOST_HAS(host, member) \
    ((host)->size >= offsetof(crys_host, member) + sizeof((host)->member))

/** The entry point's type. */
typedef const crys_plugin *(*crys_entry_fn)(const crys_host *host);

/** The entry point, declared with C linkage whatever the plugin's language. */
CRYS_EXPORT const crys_plugin *crystallize_plugin_entry(const crys_host *host);

#ifdef __cplusplus
#define CRYS_EXTERN_C extern "C"
#else
#define CRYS_EXTERN_C
#endif

/** Defines the entry point, in C or C++: `CRYS_DEFINE_ENTRY(host) { ...; return &descriptor; }`. */
#define CRYS_DEFINE_ENTRY(host_var) \
    CRYS_EXTERN_C CRYS_EXPORT const crys_plugin *crystallize_plugin_entry(const crys_host *host_var)

#ifdef __cplusplus
}
#endif

#endif /* CRYSTALLIZE_H */
