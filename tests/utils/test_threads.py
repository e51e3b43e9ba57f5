import sys
import types

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from skedu.utils import check_non_negative_sample_weight, effective_n_threads


def test_effective_n_threads_respects_limits():
    assert effective_n_threads(1) == 1
    assert effective_n_threads(None) >= 1
    assert effective_n_threads(-1) >= 1
    with threadpool_limits(limits=1, user_api="openmp"):
        assert effective_n_threads(None) == 1
        assert effective_n_threads(8) == 1


@pytest.mark.parametrize("nthreads, executing, expected", [(1, 1, 1), (4, 2, 2), (4, 8, 1)])
def test_effective_n_threads_shares_a_dask_workers_threads(monkeypatch, nthreads, executing,
                                                           expected):
    # In a task on a dask worker (seen through an already imported ``distributed``), a kernel
    # gets at most the worker's threads shared among its running tasks, whatever
    # OMP_NUM_THREADS allows: a worker started without a nanny is not oversubscribed.
    worker = types.SimpleNamespace(state=types.SimpleNamespace(nthreads=nthreads,
                                                               executing_count=executing))
    fake = types.ModuleType("distributed")
    fake.get_worker = lambda: worker
    monkeypatch.setitem(sys.modules, "distributed", fake)
    with threadpool_limits(limits=64, user_api="openmp"):
        assert effective_n_threads(None) == expected
        assert effective_n_threads(-1) <= expected
        assert effective_n_threads(64) == expected


def test_effective_n_threads_outside_a_dask_worker(monkeypatch):
    def not_in_a_worker():
        raise ValueError("No worker found")

    fake = types.ModuleType("distributed")
    fake.get_worker = not_in_a_worker
    monkeypatch.setitem(sys.modules, "distributed", fake)
    assert effective_n_threads(1) == 1
    assert effective_n_threads(None) >= 1


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_effective_n_threads_rejects_bad_values(bad):
    with pytest.raises((ValueError, TypeError)):
        effective_n_threads(bad)


def test_sample_weight_checks():
    X = np.zeros((3, 2))
    np.testing.assert_array_equal(check_non_negative_sample_weight(None, X), np.ones(3))
    with pytest.raises(ValueError, match="Negative"):
        check_non_negative_sample_weight([1.0, -1.0, 1.0], X)
    with pytest.raises(ValueError, match="zero"):
        check_non_negative_sample_weight([0.0, 0.0, 0.0], X)
    with pytest.raises(ValueError, match="NaN"):
        check_non_negative_sample_weight([np.nan, 1.0, 1.0], X)
    with pytest.raises(ValueError):
        check_non_negative_sample_weight([1.0, 1.0], X)
