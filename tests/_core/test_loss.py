"""Gradient and hessian kernels of the boosting losses against numpy twins."""

import numpy as np
import pytest
from scipy.special import expit, softmax

from skedu._core import _loss


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("n", [7, 250_000])
def test_binomial_matches_numpy(n, n_threads):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n).astype(np.float64)
    raw, w = rng.normal(0, 3, n), rng.uniform(0, 2, n)
    g, h = np.empty(n), np.empty(n)
    _loss.binomial_gradients(y, raw, w, g, h, n_threads)
    p = expit(raw)
    np.testing.assert_allclose(g, w * (p - y), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h, w * p * (1 - p), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_poisson_matches_numpy(n_threads):
    rng = np.random.default_rng(1)
    n = 30_000
    y = rng.poisson(3.0, n).astype(np.float64)
    raw, w = rng.normal(1, 1, n), rng.uniform(0, 2, n)
    g, h = np.empty(n), np.empty(n)
    _loss.poisson_gradients(y, raw, w, g, h, n_threads)
    np.testing.assert_allclose(g, w * (np.exp(raw) - y), rtol=1e-12)
    np.testing.assert_allclose(h, w * np.exp(raw), rtol=1e-12)


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("n, k", [(5, 3), (20_000, 10)])
def test_softmax_matches_numpy(n, k, n_threads):
    rng = np.random.default_rng(2)
    y = rng.integers(0, k, n).astype(np.intp)
    raw, w = rng.normal(0, 5, (n, k)), rng.uniform(0, 2, n)
    raw[0, 0] = 800.0  # exp would overflow without the max shift
    g, h = np.empty((n, k)), np.empty((n, k))
    _loss.multinomial_gradients(y, raw, w, g, h, n_threads)
    p = softmax(raw, axis=1)
    onehot = np.eye(k)[y]
    np.testing.assert_allclose(g, w[:, None] * (p - onehot), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h, w[:, None] * p * (1 - p), rtol=1e-10, atol=1e-14)


def test_threads_give_identical_results():
    rng = np.random.default_rng(3)
    n, k = 60_000, 4  # above the kernel's parallel threshold (200k values)
    y = rng.integers(0, k, n).astype(np.intp)
    raw, w = rng.normal(0, 1, (n, k)), np.ones(n)
    out = []
    for n_threads in (1, 2):
        g, h = np.empty((n, k)), np.empty((n, k))
        _loss.multinomial_gradients(y, raw, w, g, h, n_threads)
        out.append((g, h))
    assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="lengths"):
        _loss.binomial_gradients(np.zeros(3), np.zeros(4), np.ones(3), np.empty(3), np.empty(3), 1)


def test_binomial_loss_matches_numpy():
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.4).astype(np.float64)
    raw = rng.normal(scale=30.0, size=500)  # large |raw|: the stable form
    w = rng.random(500)
    expected = np.average(np.logaddexp(0.0, raw) - y * raw, weights=w)
    np.testing.assert_allclose(_loss.binomial_loss(y, raw, w), expected, rtol=1e-12)
    assert _loss.binomial_loss(y, raw, np.zeros(500)) == 0.0
    with pytest.raises(ValueError, match="different lengths"):
        _loss.binomial_loss(np.zeros(3), np.zeros(4), np.ones(3))


def test_losses_over_scored_rows_equal_losses_of_their_copies():
    # Boosting scores a fixed subsample of the training rows every round: the compiled losses
    # read them in place, with the values (same order, same bits) of the copied rows.
    rng = np.random.default_rng(4)
    y = (rng.random(800) < 0.5).astype(np.float64)
    raw = rng.normal(scale=3.0, size=800)
    w = rng.random(800)
    rows = np.sort(rng.choice(800, 300, replace=False))
    for loss in (_loss.binomial_loss, _loss.squared_error_loss):
        assert loss(y, raw, w, rows) == loss(y[rows], raw[rows], w[rows])
    np.testing.assert_allclose(_loss.squared_error_loss(y, raw, w),
                               np.average(0.5 * (raw - y) ** 2, weights=w), rtol=1e-12)
    assert _loss.squared_error_loss(y, raw, np.zeros(800)) == 0.0
    with pytest.raises(ValueError, match="different lengths"):
        _loss.squared_error_loss(np.zeros(3), np.zeros(4), np.ones(3))


def test_multinomial_loss_matches_numpy_in_place_over_scored_rows():
    from scipy.special import logsumexp

    rng = np.random.default_rng(5)
    y = rng.integers(0, 4, 600).astype(np.intp)
    raw = rng.normal(scale=20.0, size=(600, 4))  # large raw: the shifted (stable) form
    w = rng.random(600)
    expected = np.average(logsumexp(raw, axis=1) - raw[np.arange(600), y], weights=w)
    np.testing.assert_allclose(_loss.multinomial_loss(y, raw, w), expected, rtol=1e-12)
    rows = np.sort(rng.choice(600, 200, replace=False))
    assert (_loss.multinomial_loss(y, raw, w, rows)
            == _loss.multinomial_loss(y[rows], np.ascontiguousarray(raw[rows]), w[rows]))
    assert _loss.multinomial_loss(y, raw, np.zeros(600)) == 0.0
    with pytest.raises(ValueError, match="different lengths"):
        _loss.multinomial_loss(y[:3], raw[:4], w[:3])


def test_training_losses_the_same_on_any_number_of_threads():
    # Summed by fixed chunks of rows, the chunks' sums added in order: the same bits whether
    # one thread or several sum them (above the parallel threshold).
    rng = np.random.default_rng(6)
    n = 30_000
    y, raw, w = (rng.random(n) < 0.5).astype(np.float64), rng.normal(size=n), rng.random(n)
    rows = np.sort(rng.choice(n, 20_000, replace=False))
    labels, raw_classes = rng.integers(0, 3, n).astype(np.intp), rng.normal(size=(n, 3))
    for subset in (None, rows):
        for loss in (_loss.binomial_loss, _loss.squared_error_loss):
            assert loss(y, raw, w, subset, 1) == loss(y, raw, w, subset, 2)
        assert (_loss.multinomial_loss(labels, raw_classes, w, subset, 1)
                == _loss.multinomial_loss(labels, raw_classes, w, subset, 2))


@pytest.mark.parametrize("weights", ["random", "ones", "mixed"])
@pytest.mark.parametrize("n", [1, 1024, 1025, 20000])
def test_gradients_and_loss_in_one_pass_equal_the_two_passes(n, weights):
    # The fused kernels write the same gradients and hessians bit for bit, and the loss of the
    # scored rows (all, or an increasing subset spread over several chunks) equals the loss
    # kernels' within rounding, the same on 1 and 2 threads; raw values past exp's range too.
    # Rows of weight 1 add their binomial losses through one product a chunk: unweighted,
    # and mixed with weighted rows.
    rng = np.random.RandomState(n)
    y = (rng.rand(n) < 0.3).astype(float)
    raw = rng.randn(n) * 3
    raw[:3] = [-800.0, 800.0, -30.0][:n]
    w = {"random": rng.rand(n) + 0.1, "ones": np.ones(n),
         "mixed": np.where(rng.rand(n) < 0.5, 1.0, rng.rand(n) + 0.1)}[weights]
    scored = np.sort(rng.choice(n, max(1, n // 3), replace=False)).astype(np.intp)
    g, h = np.empty(n), np.empty(n)
    _loss.binomial_gradients(y, raw, w, g, h, 2)
    n_classes = 4
    labels = rng.randint(0, n_classes, n).astype(np.intp)
    raw_k = rng.randn(n, n_classes) * 3
    g_k, h_k = np.empty((n, n_classes)), np.empty((n, n_classes))
    _loss.multinomial_gradients(labels, raw_k, w, g_k, h_k, 2)
    for rows in (None, scored):
        values, multi_values = [], []
        for n_threads in (1, 2):
            g2, h2 = np.empty(n), np.empty(n)
            values.append(_loss.binomial_gradients_and_loss(y, raw, w, g2, h2, rows, n_threads))
            np.testing.assert_array_equal(g2, g)
            np.testing.assert_array_equal(h2, h)
            g2, h2 = np.empty((n, n_classes)), np.empty((n, n_classes))
            multi_values.append(_loss.multinomial_gradients_and_loss(labels, raw_k, w, g2, h2,
                                                                     rows, n_threads))
            np.testing.assert_array_equal(g2, g_k)
            np.testing.assert_array_equal(h2, h_k)
        assert values[0] == values[1] and multi_values[0] == multi_values[1]
        np.testing.assert_allclose(values[0], _loss.binomial_loss(y, raw, w, rows), rtol=1e-12,
                                   atol=1e-15)
        np.testing.assert_allclose(multi_values[0], _loss.multinomial_loss(labels, raw_k, w, rows),
                                   rtol=1e-12)


def test_gradients_and_loss_refuse_bad_rows_and_labels():
    y, raw, w = np.zeros(5), np.zeros(5), np.ones(5)
    g, h = np.empty(5), np.empty(5)
    for rows in ([2, 1], [0, 0], [5], [-1]):
        with pytest.raises(ValueError, match="increasing row indices"):
            _loss.binomial_gradients_and_loss(y, raw, w, g, h, np.array(rows, dtype=np.intp))
    with pytest.raises(ValueError, match="different lengths"):
        _loss.binomial_gradients_and_loss(y, raw[:4], w, g, h)
    labels = np.array([0, 1, 2, 3, 4], dtype=np.intp)
    with pytest.raises(ValueError, match="label is out of range"):
        _loss.multinomial_gradients_and_loss(labels, np.zeros((5, 4)), w, np.empty((5, 4)),
                                             np.empty((5, 4)))


def test_the_sigmoids_exponentials_are_within_an_ulp_and_the_same_on_every_processor():
    # The binomial loss takes exp(-raw) vectorised (``_exp.h``): within 2 ulp of numpy's
    # (subnormal results within 2 of the smallest), +inf, 0 and NaN where numpy gives them,
    # and the eight-at-a-time (AVX-512) and four-at-a-time (AVX2) passes give the
    # two-at-a-time one's bits.
    rng = np.random.default_rng(0)
    x = np.concatenate([np.linspace(-800.0, 800.0, 100_001), rng.normal(0.0, 30.0, 100_000),
                        [np.inf, -np.inf, np.nan, 0.0, -0.0, 709.78, -709.78, 745.13, -745.13,
                         745.2, -710.0, 1e-300, -1e-300]])
    with np.errstate(over="ignore"):
        expected = np.exp(-x)
    results, widths = [], []
    try:
        for width in (2, 4, 8):
            widths.append(_loss.set_exp_width_for_tests(width))
            results.append(_loss.negative_exp_for_tests(x))
    finally:
        _loss.set_exp_width_for_tests(8)
    for got in results:
        normal = np.isfinite(expected) & (expected >= np.finfo(np.float64).tiny)
        assert np.all(np.abs(got[normal] - expected[normal]) <= 2 * np.spacing(expected[normal]))
        subnormal = (expected > 0) & (expected < np.finfo(np.float64).tiny)
        assert np.all(np.abs(got[subnormal] - expected[subnormal]) <= 2 * 5e-324)
        np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
        np.testing.assert_array_equal(got == 0.0, expected == 0.0)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert widths[0] == 2 and widths[1] in (2, 4) and widths[2] in (2, 4, 8)
    for got in results[1:]:
        np.testing.assert_array_equal(got, results[0])
