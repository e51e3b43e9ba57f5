"""Kernel tests for skedu._core._lda.block_statistics against a naive numpy twin."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skedu._core._lda import block_statistics


def _naive_block_statistics(X, order, block_starts, first_block, n_slots):
    """Mean and centred scatter of each block, straight from the definition."""
    means, scatters = [], []
    for block in range(first_block, first_block + n_slots):
        rows = np.asarray(X, dtype=np.float64)[order[block_starts[block]:block_starts[block + 1]]]
        mean = rows.mean(axis=0)
        centred = rows - mean
        means.append(mean)
        scatters.append(sum(np.outer(row, row) for row in centred))
    return np.array(means), np.array(scatters)


def _run_kernel(X, order, block_starts, first_block, n_slots, n_threads):
    n_features = X.shape[1]
    max_rows = int(np.max(np.diff(block_starts)))
    buffers = np.full((n_threads, max_rows, n_features), np.nan)  # stale data must not leak
    means = np.full((n_slots, n_features), np.nan)
    scatters = np.full((n_slots, n_features, n_features), np.nan)
    block_statistics(X, order, block_starts, first_block, buffers, means, scatters, n_threads)
    return means, scatters


# Hand-made: 7 rows, 3 features; blocks of 3, 1 and 3 rows taken in a scrambled order.
_X = np.array(
    [
        [1.0, 2.0, 0.5],
        [3.0, -1.0, 2.0],
        [0.0, 0.0, 0.0],
        [5.0, 4.0, -3.0],
        [2.0, 2.0, 2.0],
        [-1.0, 7.0, 1.0],
        [4.0, 0.5, 0.25],
    ]
)
_ORDER = np.array([6, 0, 3, 2, 5, 1, 4], dtype=np.intp)
_BLOCK_STARTS = np.array([0, 3, 4, 7], dtype=np.intp)


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_matches_naive_twin(n_threads, dtype, layout):
    X = _X.astype(dtype)
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "strided":  # every other column of a wider array
        wide = np.zeros((X.shape[0], 2 * X.shape[1]), dtype=dtype)
        wide[:, ::2] = X
        X = wide[:, ::2]
    means, scatters = _run_kernel(X, _ORDER, _BLOCK_STARTS, 0, 3, n_threads)
    expected_means, expected_scatters = _naive_block_statistics(X, _ORDER, _BLOCK_STARTS, 0, 3)
    assert_allclose(means, expected_means, rtol=1e-12)
    assert_allclose(scatters, expected_scatters, rtol=1e-12, atol=1e-12)
    assert_array_equal(scatters, np.transpose(scatters, (0, 2, 1)))  # both triangles written
    assert_array_equal(scatters[1], np.zeros((3, 3)))  # a one-row block has no spread


def test_first_block_offset_selects_the_slots():
    means, scatters = _run_kernel(_X, _ORDER, _BLOCK_STARTS, 1, 2, 1)
    expected_means, expected_scatters = _naive_block_statistics(_X, _ORDER, _BLOCK_STARTS, 1, 2)
    assert_allclose(means, expected_means, rtol=1e-12)
    assert_allclose(scatters, expected_scatters, rtol=1e-12, atol=1e-12)


def test_result_does_not_depend_on_threads():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 7)) * 10 + 100
    order = rng.permutation(500).astype(np.intp)
    block_starts = np.array([0, 64, 128, 200, 333, 400, 500], dtype=np.intp)
    one = _run_kernel(X, order, block_starts, 0, 6, 1)
    for n_threads in (2, 4):
        many = _run_kernel(X, order, block_starts, 0, 6, n_threads)
        assert_array_equal(one[0], many[0])
        assert_array_equal(one[1], many[1])
