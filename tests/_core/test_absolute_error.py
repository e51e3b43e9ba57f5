"""The absolute-error criterion (``_absolute_error.pyx``) against weighted medians and a brute
force search in numpy."""

import numpy as np
import pytest

from skedu._core._absolute_error import best_split_for_tests, node_error_for_tests


def weighted_median(y, w):
    """scikit-learn's rule: the smallest value whose cumulative weight exceeds half the total;
    the midpoint with the next value when the cumulative weight equals half exactly."""
    order = np.argsort(y, kind="stable")
    y, cumulative = y[order], np.cumsum(w[order])
    half = cumulative[-1] / 2
    exact = np.flatnonzero(cumulative == half)
    if len(exact) and exact[0] + 1 < len(y):
        return (y[exact[0]] + y[exact[0] + 1]) / 2
    return y[np.flatnonzero(cumulative > half)[0]]


def error(y, w):
    return sum(np.sum(w * np.abs(y[:, k] - weighted_median(y[:, k], w))) for k in range(y.shape[1]))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_node_medians_and_error_match_numpy(seed, n_outputs):
    rng = np.random.RandomState(seed)
    n = 7 + 10 * seed
    y = np.round(rng.randn(n, n_outputs) * 3, 1)  # some equal targets
    w = rng.randint(1, 4, n).astype(float) if seed % 2 else np.ones(n)
    medians, total = node_error_for_tests(np.ascontiguousarray(y), w)
    np.testing.assert_allclose(medians, [weighted_median(y[:, k], w) for k in range(n_outputs)])
    np.testing.assert_allclose(total, error(y, w), rtol=1e-12, atol=1e-12)


def test_even_unit_weights_take_the_midpoint():
    medians, total = node_error_for_tests(np.array([[1.0], [4.0], [2.0], [10.0]]), np.ones(4))
    assert medians[0] == 3.0 and total == 11.0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("min_samples_leaf", [1, 5])
def test_best_split_is_the_brute_force_best(seed, min_samples_leaf):
    rng = np.random.RandomState(seed)
    n, n_outputs = 60, 1 + seed % 2
    values = rng.randint(0, 25, n).astype(np.float32)
    y = np.ascontiguousarray(rng.randn(n, n_outputs))
    w = rng.rand(n) + 0.5
    result = best_split_for_tests(values, y, w, min_samples_leaf)
    node = error(y, w)
    best = None
    distinct = np.unique(values)
    for low, high in zip(distinct[:-1], distinct[1:]):
        left = values <= low
        if min(left.sum(), (~left).sum()) < min_samples_leaf:
            continue
        gain = node - error(y[left], w[left]) - error(y[~left], w[~left])
        if best is None or gain > best[0] + 1e-9:
            best = (gain, low / 2.0 + high / 2.0, left.sum())
    assert result is not None
    np.testing.assert_allclose(result[0], best[0], rtol=1e-9)
    assert result[1:] == pytest.approx(best[1:])
