"""Forests on a cluster: batches of trees grown as joblib tasks on the workers of the active
backend (dask, ray), then merged in tree order.

Tree ``t`` depends only on the data, the forest's seed and ``t`` (its seed, bootstrap and
feature draws; see :func:`skedu.ensemble._forest.tree_seed`), and the data prepared on a worker
(bins, sorted columns) are those prepared locally, so the merged forest equals the forest grown
on one machine. On dask, the large arrays (X, targets) are scattered to the cluster once per
fit (joblib's dask backend scatters large arguments) and each worker gets about one task,
which uses the worker's threads. A cluster of a single one-thread worker runs its one task in the
calling process (joblib's rule for one slot): the forest is the same.
"""

import copy
import time

import numpy as np
from joblib import Parallel, delayed

from ..utils._cluster import distributed_backend, n_workers, task_threads

__all__ = ["distributed_backend", "grow_on_workers"]


def _grow_task(forest, X, seeds, positive, y_encoded, gradients, hessians, squares, labels,
               batch):
    """One task: prepare the data on the worker and grow the trees of ``seeds``."""
    n_threads = task_threads(forest.n_jobs)
    data = forest._training_data(X, positive, n_threads)
    return forest._grow_batch(data, seeds, positive=positive, y_encoded=y_encoded,
                              gradients=gradients, hessians=hessians, squares=squares,
                              labels=labels, n_threads=n_threads, **batch)


def grow_on_workers(forest, X, batch, indices, backend):
    """Grow trees ``indices`` of ``forest`` on the workers of ``backend``.

    Parameters
    ----------
    forest : BaseForest
        The forest being fitted (``forest_seed_`` and the class attributes set).
    X : ndarray or sparse matrix
        The validated training data.
    batch : dict
        The keyword arguments of ``BaseForest._grow_batch`` but the data, seeds and threads.
    indices : range
        Indices of the trees to grow.
    backend : joblib ParallelBackendBase
        The active cluster backend: dask's (one joblib task per worker) or another (ray's: one
        joblib task per slot).

    Returns
    -------
    trees : list of FlatTree
        In the order of ``indices``.
    seeds : list of int
        Their seeds.
    """
    from ._forest import tree_seed

    seeds = [tree_seed(forest.forest_seed_, t) for t in indices]
    n_tasks = min(len(seeds), n_workers(backend))
    parts = [[int(seed) for seed in part]
             for part in np.array_split(np.array(seeds, dtype=np.uint64), n_tasks)]
    # The task needs the forest's parameters and class attributes, not the trees of an earlier
    # fit (warm_start): ship a copy without them.
    shell = copy.copy(forest)
    shell.trees_ = None
    batch = dict(batch)
    arrays = {"X": X, **{name: batch.pop(name) for name in
                         ("positive", "y_encoded", "gradients", "hessians", "squares",
                          "labels")}}
    started = time.perf_counter()
    # Positional arrays: the backend scatters each large one once. n_jobs=-1: the backend's
    # slots, so that the tasks leave this process (n_jobs=1 would run them here).
    values = list(arrays.values())
    results = Parallel(n_jobs=-1, batch_size=1, pre_dispatch="all")(
        delayed(_grow_task)(shell, values[0], part, *values[1:], batch) for part in parts)
    trees = [tree for part in results for tree in part]
    if forest.verbose:
        print(f"[{type(forest).__name__}] {indices[-1] + 1}/{forest.n_estimators} trees in "
              f"{n_tasks} tasks, {time.perf_counter() - started:.2f} s")
    return trees, seeds
