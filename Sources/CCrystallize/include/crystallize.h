/*
 * crystallize.h — the contract between crystallize-host and its plugins.
 *
 * A plugin is a shared library exporting ONE symbol, CRYS_ENTRY_SYMBOL:
 *
 *     const crys_plugin *crystallize_plugin_entry(const crys_host *host);
 *
 * The host calls it once, right after dlopen, with its table of services. The plugin keeps the
 * `host` pointer (it stays valid while the process lives) and returns a static descriptor
 * listing everything it exports. The host checks the descriptor (size, ABI version, pointer
 * size, every export) before it calls anything else in the library.
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
 *     duration of that call. Copy what you need to keep.
 *  4. Everything a plugin hands to the host in its descriptor (names, docs, defaults,
 *     parameter arrays) must stay valid while the library is loaded: use static storage.
 *  5. Compatibility only ever grows by appending. Every struct starts with its own `size`;
 *     the host accepts a smaller (older) struct and refuses a larger one it does not know.
 *     Arrays of structs (exports, params) are strided by their first element's `size`.
 *     The host refuses a plugin whose ABI major differs from its own, or whose minor is
 *     higher than its own; a plugin should check host->size before using a function that
 *     a later minor appended (CRYS_HOST_HAS(host, member)).
 *
 * Threading: a callback may run on any thread. Exports without CRYS_F_THREAD_SAFE are never
 * run concurrently with themselves. Host functions are thread-safe unless noted.
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
/** ABI minor: bumped when something is appended. A plugin's minor may not exceed the host's. */
#define CRYS_ABI_MINOR 0
/** The one symbol a plugin library exports. */
#define CRYS_ENTRY_SYMBOL "crystallize_plugin_entry"

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
 * A statistical verifier. `baseline` and `treatment` are maps from metric name to an
 * F64_ARRAY of that metric's values over replicates. Set `*out` to a map holding at least
 * "p_value" (F64) and "significant" (BOOL); any other entries are kept in the results.
 * Parameters (e.g. alpha) are read with host->param().
 */
typedef crys_status (*crys_verify_fn)(crys_ctx *ctx, const crys_value *baseline,
                                      const crys_value *treatment, crys_value **out, void *user);

/** A lifecycle hook; `event` is one CRYS_HOOK_* bit and `info` a borrowed map. */
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

/**
 * One export. Fill the function pointer(s) matching `kind` and leave the others NULL:
 *   STEP / DATASOURCE: call (or call_async with CRYS_F_ASYNC, or typed); setup/teardown optional
 *   VERIFIER: verify;  STRATEGY: run_loop;  HOOK: hook + hook_events;
 *   ARTIFACT_CODEC: encode and/or decode.
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
} crys_export;

/** The plugin's descriptor, returned by the entry point; static storage. */
typedef struct crys_plugin {
    uint32_t size;               /**< sizeof(crys_plugin). */
    uint16_t abi_major;          /**< CRYS_ABI_MAJOR the plugin was built against. */
    uint16_t abi_minor;          /**< CRYS_ABI_MINOR the plugin was built against. */
    uint32_t pointer_size;       /**< sizeof(void *). */
    const char *name;            /**< Plugin name; qualifies clashing exports as "name.export". */
    const char *version;         /**< Free-form, e.g. "1.2.0". */
    const char *doc;             /**< One line, or NULL. */
    const crys_export *exports;  /**< Array strided by exports[0].size. */
    uint32_t export_count;
} crys_plugin;

/* ---------------------------------------------------------------- the host table ---- */

/** Services the host offers. Grows only by appending; check `size` for newer members. */
typedef struct crys_host {
    uint32_t size;               /**< sizeof(crys_host) of the running host. */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- errors and logging --- */
    /** Record the error message of the current call (copied). */
    void (*set_error)(crys_ctx *ctx, const char *message);
    /** Log a message (copied) at a CRYS_LOG_* level, attributed to the current step. */
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
    /** BOOL as 0/1 (0 for other types). */
    int32_t (*get_bool)(const crys_value *value);
    /** I64 (F64 truncated; 0 for other types). */
    int64_t (*get_i64)(const crys_value *value);
    /** F64 (I64 converted; NaN for other types). */
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
     * `count` (may be NULL) gets the element count.
     */
    double *(*f64_data)(const crys_value *array, size_t *count);

    /* --- the context of the current call --- */
    /** A context value (host keys: "replicate", "condition", "seed_used"), or NULL if absent. */
    const crys_value *(*ctx_get)(crys_ctx *ctx, const char *key);
    /** Add a key; CRYS_EXISTS if it is already set (keys are add-only). `value` moves in. */
    crys_status (*ctx_add)(crys_ctx *ctx, const char *key, crys_value *value);
    /** The resolved value of a declared parameter, or NULL if the export declares no such name. */
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

    /* --- deterministic randomness: one stream per (replicate, condition, step) --- */
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
    /** Run replicate `replicate` (every condition) in this process. Thread-safe. */
    crys_status (*loop_run_replicate)(crys_loop *loop, int64_t replicate);
    /**
     * The argv (NULL-terminated; valid until run_loop returns) of a worker process that runs
     * one replicate and writes its result to `result_path`. `replicate` is the decimal index,
     * or a placeholder the plugin substitutes later (e.g. "$R" in a batch script).
     */
    const char *const *(*loop_worker_command)(crys_loop *loop, const char *replicate,
                                              const char *result_path, size_t *argc);
    /** Hand back the result file a worker wrote for `replicate`. */
    crys_status (*loop_submit_result)(crys_loop *loop, int64_t replicate, const char *result_path);
    /** Mark `replicate` as failed (every condition) with `message` (copied). */
    crys_status (*loop_fail_replicate)(crys_loop *loop, int64_t replicate, const char *message);
    /** A one-line progress message (copied) for the run screen. */
    void (*loop_progress)(crys_loop *loop, const char *message);
    /** Non-zero once the user cancelled the run: stop scheduling, cancel what is running. */
    int32_t (*loop_cancelled)(crys_loop *loop);
    /** An existing folder, private to this run, for scripts and result files. */
    const char *(*loop_work_dir)(crys_loop *loop);
} crys_host;

/** True when the running host's table contains `member` (appended in a later minor). */
#define CRYS_HOST_HAS(host, member) \
    ((host)->size >= offsetof(crys_host, member) + sizeof((host)->member))

/** The entry point's type. */
typedef const crys_plugin *(*crys_entry_fn)(const crys_host *host);

/** Declares the entry point: `CRYS_DEFINE_ENTRY(host) { ...; return &descriptor; }`. */
#define CRYS_DEFINE_ENTRY(host_var) \
    __attribute__((visibility("default"))) const crys_plugin *crystallize_plugin_entry(const crys_host *host_var)

#ifdef __cplusplus
}
#endif

#endif /* CRYSTALLIZE_H */
