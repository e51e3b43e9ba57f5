"""AdaBoost round kernels (SAMME, R2) against numpy twins of scikit-learn's round."""

import numpy as np
import pytest

from skedu._core import _boosting
from skedu._core._types import BoostingLoss

EPS = np.finfo(np.float64).eps


def _samme_twin(leaves, leaf_class, y, w, learning_rate, n_classes, update):
    w = w.copy()
    seen = leaves >= 0
    wrong = seen & (leaf_class[np.maximum(leaves, 0)] != y)
    error = w[wrong].sum() / w[seen].sum()
    if error <= 0:
        return 0.0, 1.0, w
    if error >= 1 - 1 / n_classes:
        return error, np.nan, w
    alpha = learning_rate * (np.log((1 - error) / error) + np.log(n_classes - 1))
    if update:
        w = np.where(wrong & (w > 0), w * np.exp(alpha), w)
        w = w / w.sum()
        w[w > 0] = np.maximum(w[w > 0], EPS)
    return error, alpha, w


def _r2_twin(pred, y, w, loss, learning_rate, update):
    w = w.copy()
    mask = w > 0
    err = np.abs(pred - y)[mask]
    if err.max() != 0:
        err = err / err.max()
    err = {"linear": err, "square": err**2, "exponential": 1 - np.exp(-err)}[loss]
    error = (w[mask] * err).sum()
    if error <= 0:
        return 0.0, 1.0, w
    if error >= 0.5:
        return error, np.nan, w
    beta = error / (1 - error)
    alpha = learning_rate * np.log(1 / beta)
    if update:
        w[mask] *= beta ** ((1 - err) * learning_rate)
        w = w / w.sum()
        w[mask] = np.maximum(w[mask], EPS)
    return error, alpha, w


@pytest.mark.parametrize("n_classes", [2, 3, 10])
@pytest.mark.parametrize("update", [True, False])
def test_samme_round_matches_numpy(n_classes, update):
    rng = np.random.default_rng(n_classes)
    n, n_nodes = 1000, 2 * n_classes
    y = rng.integers(0, n_classes, n).astype(np.intp)
    leaf_class = (np.arange(n_nodes) % n_classes).astype(np.intp)
    # 80% of the rows reach a leaf of their class, the rest a random leaf.
    leaves = (y + n_classes * rng.integers(0, 2, n)).astype(np.int32)
    leaves[800:] = rng.integers(0, n_nodes, n - 800)
    w = rng.uniform(0.1, 1.0, n)
    w[:5] = 0.0
    leaves[:5] = -1  # rows of zero weight were not given to the tree
    w /= w.sum()
    expected_error, expected_alpha, expected_w = _samme_twin(leaves, leaf_class, y, w, 0.7,
                                                             n_classes, update)
    got_w = w.copy()
    error, alpha, _ = _boosting.samme_round(leaves, leaf_class, y, got_w, 0.7, n_classes, update)
    assert error == pytest.approx(expected_error, rel=1e-12)
    if np.isnan(expected_alpha):
        assert np.isnan(alpha)
    else:
        assert alpha == pytest.approx(expected_alpha, rel=1e-12)
    np.testing.assert_allclose(got_w, expected_w, rtol=1e-12, atol=0)
    assert np.all(got_w[:5] == 0.0)


def test_samme_round_stops():
    y = np.array([0, 1, 0, 1], dtype=np.intp)
    leaves = np.array([0, 1, 0, 1], dtype=np.int32)
    w = np.full(4, 0.25)
    # A perfect learner: weight 1, weights left.
    assert _boosting.samme_round(leaves, np.array([0, 1], np.intp), y, w, 1.0, 2, True) == (
        0.0, 1.0, 1.0)
    # No better than chance (error 1/2 with two classes): NaN, weights left.
    error, alpha, _ = _boosting.samme_round(leaves, np.array([1, 0], np.intp), y, w, 1.0, 2, True)
    assert error == 1.0 and np.isnan(alpha)
    np.testing.assert_array_equal(w, 0.25)
    with pytest.raises(ValueError, match="one entry per row"):
        _boosting.samme_round(leaves[:3], np.array([0, 1], np.intp), y, w, 1.0, 2, True)


@pytest.mark.parametrize("loss", ["linear", "square", "exponential"])
@pytest.mark.parametrize("update", [True, False])
def test_r2_round_matches_numpy(loss, update):
    rng = np.random.default_rng(1)
    n = 2000
    y = rng.normal(size=n)
    pred = y + rng.normal(scale=0.3, size=n)
    w = rng.uniform(0.1, 1.0, n)
    w[:7] = 0.0
    w /= w.sum()
    expected_error, expected_alpha, expected_w = _r2_twin(pred, y, w, loss, 0.5, update)
    got_w = w.copy()
    code = int(BoostingLoss[loss.upper()])
    error, alpha, _ = _boosting.r2_round(pred, y, got_w, code, 0.5, update)
    assert error == pytest.approx(expected_error, rel=1e-12)
    assert alpha == pytest.approx(expected_alpha, rel=1e-12)
    np.testing.assert_allclose(got_w, expected_w, rtol=1e-12, atol=0)


def test_r2_round_stops():
    y = np.arange(4.0)
    w = np.full(4, 0.25)
    assert _boosting.r2_round(y.copy(), y, w, 0, 1.0, True) == (0.0, 1.0, 1.0)
    # Every error at the largest one: mean loss 1 >= 0.5.
    error, alpha, _ = _boosting.r2_round(y + 1.0, y, w, 0, 1.0, True)
    assert error == pytest.approx(1.0) and np.isnan(alpha)
    np.testing.assert_array_equal(w, 0.25)


def test_add_leaf_values_adds_each_known_leaf_to_its_channel():
    rng = np.random.RandomState(3)
    raw = rng.randn(50, 3)
    values = [rng.randn(n_nodes, 1) for n_nodes in (7, 3, 11)]
    leaves = np.stack([rng.randint(0, len(v), 50) for v in values]).astype(np.int32)
    leaves[:, ::5] = -1  # rows the tree was not grown on: left alone
    expected = raw.copy()
    for k in range(3):
        known = leaves[k] >= 0
        expected[known, k] += values[k][leaves[k, known], 0]
    _boosting.add_leaf_values(raw, leaves, values)
    np.testing.assert_array_equal(raw, expected)
    leaves[1, 4] = 3
    with pytest.raises(ValueError, match="out of range"):
        _boosting.add_leaf_values(raw, leaves, values)
    with pytest.raises(ValueError, match="do not match"):
        _boosting.add_leaf_values(raw, leaves[:2], values[:2])


@pytest.mark.parametrize("n_threads", [1, 2])
def test_add_leaf_values_on_threads(n_threads):
    rng = np.random.RandomState(4)
    raw = rng.randn(150_000, 2)
    values = [rng.randn(40, 1), rng.randn(9, 1)]
    leaves = np.stack([rng.randint(-1, 40, 150_000), rng.randint(-1, 9, 150_000)]).astype(np.int32)
    expected = raw.copy()
    for k in range(2):
        known = leaves[k] >= 0
        expected[known, k] += values[k][leaves[k, known], 0]
    _boosting.add_leaf_values(raw, leaves, values, n_threads)
    np.testing.assert_array_equal(raw, expected)
    leaves[0, [7, 100_000]] = [40, -2]
    with pytest.raises(ValueError, match="2 leaf indices out of range"):
        _boosting.add_leaf_values(raw, leaves, values, n_threads)


def test_scaled_leaf_values_is_the_first_column_times_the_rate():
    values = np.arange(12, dtype=np.float64).reshape(6, 2) - 3.5
    scaled = _boosting.scaled_leaf_values(values, 0.1)
    assert scaled.shape == (6, 1) and scaled.dtype == np.float64
    np.testing.assert_array_equal(scaled, values[:, :1] * 0.1)
    assert _boosting.scaled_leaf_values(np.empty((0, 1)), 0.1).shape == (0, 1)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, 1e308])
def test_scaled_leaf_values_refuses_values_that_are_not_finite(bad):
    values = np.ones((4, 1))
    values[2, 0] = bad
    # 1e308 times 10 overflows: the product is what is checked.
    assert _boosting.scaled_leaf_values(values, 10.0) is None


# -- quantised gradients ------------------------------------------------------------------------


def _quantize(g, h, n_rows=None, n_threads=1):
    from skedu._core._boosting import quantize_gradients

    g, h = g.copy(), h.copy()
    result = quantize_gradients(g, h, len(g) if n_rows is None else n_rows, n_threads)
    return g, h, result


@pytest.mark.parametrize("n_threads", [1, 2])
def test_quantized_gradients_are_near_multiples_of_a_power_of_two(n_threads):
    rng = np.random.default_rng(0)
    n = 50_000
    g0 = rng.normal(size=(n, 1)) * 3.0
    h0 = rng.uniform(0.0, 0.25, n)
    h0[:10] = 1e-9                           # tiny but positive: kept at one step
    h0[10:20] = 0.0                          # zero weight: stays 0
    g, h, (scales, packed) = _quantize(g0, h0, n_threads=n_threads)
    levels = min(2 ** 14, (2 ** 31 - 1) // n)
    gradient_step, hessian_step = scales[0]
    for step, largest in [(gradient_step, np.abs(g0).max()), (hessian_step, h0.max())]:
        assert np.log2(step) == np.round(np.log2(step))          # a power of two
        assert largest / step <= levels < 2 * largest / step     # the smallest such
    gradient_units, hessian_units = g[:, 0] / gradient_step, h / hessian_step
    np.testing.assert_array_equal(gradient_units, np.rint(g0[:, 0] / gradient_step))
    np.testing.assert_array_equal(hessian_units[20:],
                                  np.maximum(np.rint(h0[20:] / hessian_step), 1))
    np.testing.assert_array_equal(hessian_units[:10], 1.0)
    np.testing.assert_array_equal(hessian_units[10:20], 0.0)
    expected = ((gradient_units.astype(np.int64).astype(np.uint64) << np.uint64(32))
                + hessian_units.astype(np.uint64))
    np.testing.assert_array_equal(packed[0], expected)
    # Sums over every row fit: the hessians' in 32 bits, the gradients' in 31 and a sign.
    assert hessian_units.sum() < 2 ** 32 and np.abs(gradient_units).sum() < 2 ** 31


def test_quantized_unit_hessians_stay_one_and_channels_get_their_own_steps():
    rng = np.random.default_rng(1)
    g0 = rng.normal(size=(1000, 3)) * np.array([1e-3, 1.0, 1e3])
    g, h, (scales, packed) = _quantize(g0, np.ones(1000))
    np.testing.assert_array_equal(h, 1.0)
    np.testing.assert_array_equal(scales[:, 1], 1.0)
    assert scales[0, 0] < scales[1, 0] < scales[2, 0]
    np.testing.assert_array_equal(packed & np.uint64(0xFFFFFFFF), 1)
    # Per-channel hessians (softmax) and threads: the same values.
    h0 = rng.uniform(0.01, 0.25, (1000, 3))
    one = _quantize(g0, h0)
    two = _quantize(g0, h0, n_threads=2)
    for a, b in zip(one[:2] + one[2], two[:2] + two[2]):
        np.testing.assert_array_equal(a, b)
    assert one[1][:, 0].max() / one[2][0][0, 1] <= 2 ** 14


@pytest.mark.parametrize("bad", ["nan gradient", "inf hessian", "negative hessian"])
def test_quantize_gradients_leaves_unusable_statistics_alone(bad):
    g0, h0 = np.ones((100, 1)), np.full(100, 0.5)
    if bad == "nan gradient":
        g0[5, 0] = np.nan
    elif bad == "inf hessian":
        h0[7] = np.inf
    else:
        h0[7] = -1.0
    g, h, result = _quantize(g0, h0)
    assert result is None
    np.testing.assert_array_equal(g, g0)
    np.testing.assert_array_equal(h, h0)
