"""Cluster helpers, in one place: is a cluster's joblib backend active, and how many threads a
task running on a cluster worker may give the compiled kernels.

Nothing here imports dask: a dask worker is recognised only when ``distributed`` is already
imported (it always is inside a worker), so the single-machine paths pay one dictionary look-up.
"""

from joblib._parallel_backends import (LokyBackend, MultiprocessingBackend, SequentialBackend,
                                       ThreadingBackend)
from joblib.parallel import get_active_backend

from ._threads import current_worker, effective_n_threads, worker_share

# The backends that run on this machine; any other (dask, ray, ...) runs on a cluster. Exact
# types: ray's backend subclasses the multiprocessing one.
_LOCAL_BACKENDS = (LokyBackend, ThreadingBackend, SequentialBackend, MultiprocessingBackend)


def distributed_backend():
    """The active joblib backend when it runs tasks on a cluster (dask, ray), else None.

    Returns
    -------
    backend : joblib ParallelBackendBase or None
        None for joblib's default and its local backends (loky, threading, multiprocessing,
        sequential), and within a task running on a dask worker.
    """
    backend, _ = get_active_backend()
    if type(backend) in _LOCAL_BACKENDS:
        return None
    # A fit that is itself a task (a search's candidate on a dask worker, where joblib makes the
    # dask backend the nested one) runs on its worker instead of sending tasks of its own.
    return None if current_worker() is not None else backend


def n_workers(backend):
    """Number of tasks that keep every worker of ``backend`` busy with one task each.

    A dask backend: its number of workers (each task then uses the worker's threads); any
    other: its number of slots (``effective_n_jobs(-1)``).
    """
    client = getattr(backend, "client", None)
    if client is not None and hasattr(client, "nthreads"):
        return max(1, len(client.nthreads()))
    return max(1, backend.effective_n_jobs(-1))


def task_threads(n_jobs=None):
    """Threads for a kernel called from a task (``n_jobs``: the estimator's parameter).

    On a dask worker: its threads shared among the tasks it runs now (the nanny sets
    ``OMP_NUM_THREADS=1`` in workers, which would otherwise leave one thread to every task;
    several tasks on one worker split its threads instead of oversubscribing its cores),
    at most ``n_jobs`` when that is positive. Elsewhere :func:`effective_n_threads`.

    Parameters
    ----------
    n_jobs : int or None, default=None

    Returns
    -------
    n_threads : int
        At least 1.
    """
    worker = current_worker()
    if worker is None:
        return effective_n_threads(n_jobs)
    n_threads = worker_share(worker)
    if n_jobs is not None and n_jobs > 0:
        n_threads = min(n_threads, n_jobs)
    return n_threads
