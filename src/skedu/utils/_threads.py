"""Thread helpers, in one place: ``n_jobs`` to OpenMP threads, and BLAS thread limits."""

import os
import sys
from contextlib import nullcontext
from numbers import Integral

from threadpoolctl import ThreadpoolController

from .._core._openmp import omp_max_threads


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def current_worker():
    """The dask worker running this code, or None (not in a dask task).

    Nothing here imports dask: a worker is recognised only when ``distributed`` is already
    imported (it always is inside a worker), so the single-machine path pays one look-up.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.get_worker()
    except ValueError:
        return None


def worker_share(worker):
    """A dask worker's threads shared among the tasks it is running now (at least 1)."""
    state = worker.state
    return max(1, state.nthreads // max(1, state.executing_count))


def effective_n_threads(n_jobs=None):
    """Number of OpenMP threads a kernel may use for a given ``n_jobs``.

    Parameters
    ----------
    n_jobs : int or None
        scikit-learn's meaning: ``None`` uses every thread the OpenMP runtime allows, ``-1``
        all cores, ``-2`` all but one, a positive number that many. The result never exceeds
        what ``OMP_NUM_THREADS`` or an active ``threadpoolctl`` limit allows, nor, in a task
        on a dask worker, the worker's threads shared among its running tasks (so that a
        search's tasks do not oversubscribe the worker's cores, with or without a nanny).

    Returns
    -------
    n_threads : int
        At least 1.
    """
    if n_jobs is not None and (not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool)):
        raise TypeError(f"n_jobs must be an int or None, got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive number.")
    allowed = max(1, omp_max_threads())
    worker = current_worker()
    if worker is not None:
        allowed = min(allowed, worker_share(worker))
    if n_jobs is None:
        return allowed
    if n_jobs < 0:
        n_jobs = max(1, _cpu_count() + 1 + n_jobs)
    return max(1, min(int(n_jobs), allowed))


_controller = None


def single_threaded_blas(active=True):
    """Context that keeps BLAS to one thread (when ``active``).

    Used while a kernel calls BLAS from its own threads (or on blocks too small for BLAS's fork
    and join to pay), and for small dense solves: on a machine whose cores are busy, every
    multi-threaded BLAS call waits for a descheduled BLAS thread (measured: ``eigh`` of a
    100 x 100 matrix 1.3 ms on one thread, 170 ms on two).

    Parameters
    ----------
    active : bool, default=True
        When False, a context that does nothing.

    Returns
    -------
    context : context manager
    """
    global _controller
    if not active:
        return nullcontext()
    if _controller is None:  # inspecting the loaded libraries costs ~2 ms; do it once
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
