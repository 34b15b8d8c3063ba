/// The Python driver the plugin ships: it connects to the Ray cluster through Ray's own
/// client, runs each batch of replicates as one Ray task (the task runs the host's batch
/// worker, which writes each replicate's result file into the shared work folder), and
/// reports each task's end as one JSON line on stdout. SIGINT or SIGTERM cancels every task
/// still running (the task kills its worker process) and exits.
enum Driver {
    static let fileName = "crystallize_ray_driver.py"

    static let source = #"""
# Written by the crystallize-host RayExecution plugin; started with the interpreter named by
# `python:`. Usage: crystallize_ray_driver.py JOB.json
import json, os, signal, subprocess, sys, time

job = json.load(open(sys.argv[1]))
try:
    import ray
except ImportError as e:
    print(json.dumps({"event": "fatal", "message": f"cannot import ray with {sys.executable}: {e} (pip install 'ray[default]')"}), flush=True)
    sys.exit(3)

PLACEHOLDER = job["placeholder"]

def emit(**fields):
    print(json.dumps(fields), flush=True)

@ray.remote(max_retries=0)
def run_batch(task, replicates, argv, log_path, env_names):
    import ray as _ray
    cmd = [a.replace(PLACEHOLDER, ",".join(str(r) for r in replicates)) for a in argv]
    with open(log_path, "ab") as log:
        ctx = _ray.get_runtime_context()
        env = " ".join(f"{n}={os.environ.get(n, '')}" for n in env_names)
        log.write(f"crystallize: ray task {task} ({ctx.get_task_id()}) on node {ctx.get_node_id()[:12]} runs replicates {','.join(map(str, replicates))}{' env ' + env if env else ''}\n".encode())
        log.flush()
        p = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            # Short waits: ray.cancel's KeyboardInterrupt is raised between them.
            while True:
                try:
                    return p.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    pass
        except BaseException:
            # ray.cancel: the worker process must not outlive its task.
            p.kill()
            p.wait()
            raise

def main():
    address = job.get("address") or None
    runtime_env = job.get("runtime_env") or None
    try:
        ray.init(address=address, runtime_env=runtime_env, logging_level="ERROR", log_to_driver=False,
                 configure_logging=False, include_dashboard=False)
    except Exception as e:
        emit(event="fatal", message=f"cannot connect to the Ray cluster at {address or os.environ.get('RAY_ADDRESS') or '(auto)'}: {e}")
        sys.exit(3)
    cpus = ray.cluster_resources().get("CPU", 1)
    emit(event="connected", cpus=cpus, address=address or os.environ.get("RAY_ADDRESS", ""))
    batches = job["batches"]
    if job.get("replicates_per_task", 0) <= 0 and len(batches) == 1 and len(batches[0]) > 1:
        # Batch size chosen here, where the cluster's CPUs are known: one task per task slot.
        reps = batches[0]
        slots = max(1, int(cpus // max(job["num_cpus"], 1e-9)))
        size = max(1, -(-len(reps) // slots))
        batches = [reps[i:i + size] for i in range(0, len(reps), size)]
        emit(event="batches", size=size, tasks=len(batches), reason=f"{cpus:g} cluster CPU(s) / {job['num_cpus']:g} per task")
    env_names = sorted(((runtime_env or {}).get("env_vars") or {}).keys())
    refs = {}
    for i, b in enumerate(batches):
        log_path = os.path.join(job["directory"], f"ray-task_{i}.log")
        ref = run_batch.options(num_cpus=job["num_cpus"]).remote(i, b, job["argv"], log_path, env_names)
        refs[ref] = i
        emit(event="submitted", task=i, replicates=b, task_id=ref.task_id().hex(), log=log_path)
    stopping = {"now": False}
    def stop(signum, frame):
        stopping["now"] = True
    # The host ignores or blocks SIGINT for itself; a child inherits that, so undo it here.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while refs:
        if stopping["now"]:
            for ref in list(refs):
                ray.cancel(ref, force=False)
            deadline = time.time() + 20
            while refs and time.time() < deadline:
                ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0.5)
                for ref in ready:
                    refs.pop(ref, None)
            emit(event="cancelled")
            return
        ready, _ = ray.wait(list(refs), num_returns=1, timeout=0.2)
        for ref in ready:
            task = refs.pop(ref)
            try:
                emit(event="done", task=task, exit=ray.get(ref))
            except Exception as e:
                emit(event="error", task=task, message=f"{type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ''}")
    emit(event="finished")

main()
"""#
}
