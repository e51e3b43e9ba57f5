"""The split scores of ``_criterion.pxd`` against their formulas in numpy."""

import numpy as np
import pytest

from skedu._core._criterion import (label_side_score_for_tests, leaf_value_for_tests,
                                    node_impurity_for_tests, side_score_for_tests,
                                    split_gain_scale_for_tests, split_rules_for_tests)
from skedu._core._types import Criterion
from tests._core._twins import SUM_CRITERIA, side_score


@pytest.mark.parametrize("criterion", SUM_CRITERIA)
@pytest.mark.parametrize("seed", range(5))
def test_side_score_matches_numpy(criterion, seed):
    rng = np.random.RandomState(seed)
    sums = rng.rand(3) * 5 if criterion != Criterion.SECOND_ORDER else rng.randn(3)
    hessian = sums.sum() if criterion in (Criterion.GINI, Criterion.ENTROPY) else rng.rand() + 0.1
    np.testing.assert_allclose(side_score_for_tests(sums, hessian, criterion, 0.7),
                               side_score(sums, hessian, criterion, 0.7), rtol=1e-12)


def test_cart_gain_is_the_weighted_impurity_decrease():
    """score(L) + score(R) - score(node) = W imp - W_L imp_L - W_R imp_R for gini and entropy."""
    rng = np.random.RandomState(0)
    left, right = rng.rand(4) * 3, rng.rand(4) * 2
    node = left + right
    for criterion in (Criterion.GINI, Criterion.ENTROPY):
        gain = (side_score_for_tests(left, left.sum(), criterion)
                + side_score_for_tests(right, right.sum(), criterion)
                - side_score_for_tests(node, node.sum(), criterion))
        decrease = sum(sign * part.sum() * node_impurity_for_tests(part, part.sum(), 0.0, criterion)
                       for sign, part in ((1, node), (-1, left), (-1, right)))
        np.testing.assert_allclose(gain, decrease, rtol=1e-10)


def test_impurities_match_numpy():
    rng = np.random.RandomState(1)
    counts = rng.rand(3) * 10
    fractions = counts / counts.sum()
    np.testing.assert_allclose(node_impurity_for_tests(counts, counts.sum(), 0.0, Criterion.GINI),
                               1 - np.sum(fractions**2))
    np.testing.assert_allclose(node_impurity_for_tests(counts, counts.sum(), 0.0, Criterion.ENTROPY),
                               -np.sum(fractions * np.log2(fractions)))
    y, w = rng.randn(50, 2), rng.rand(50)
    sums, squares = (w[:, None] * y).sum(0), (w * (y**2).sum(1)).sum()
    mean = sums / w.sum()
    variance = (w[:, None] * (y - mean) ** 2).sum(0) / w.sum()
    np.testing.assert_allclose(node_impurity_for_tests(sums, w.sum(), squares, Criterion.SQUARED_ERROR),
                               variance.mean())
    # Second order: the node objective -1/2 G^2 / (H + lambda).
    np.testing.assert_allclose(node_impurity_for_tests(np.array([3.0]), 2.0, 0.0, Criterion.SECOND_ORDER, 1.0),
                               -0.5 * 9 / 3)


def test_leaf_values_and_split_rules():
    assert leaf_value_for_tests(3.0, 4.0, Criterion.GINI) == 0.75
    assert leaf_value_for_tests(3.0, 2.0, Criterion.SECOND_ORDER, 1.0) == -1.0
    assert leaf_value_for_tests(3.0, 0.0, Criterion.SQUARED_ERROR) == 0.0
    # XGBoost keeps a split when gain > gamma; scikit-learn when the decrease reaches its minimum.
    assert split_rules_for_tests(1.0, 1.0, Criterion.SECOND_ORDER, 0.0) == (False, True)
    assert split_rules_for_tests(1.0, 1.0, Criterion.GINI, 0.0) == (True, False)


def _raw_gain(left, right, wl, wr, criterion):
    return (side_score_for_tests(left, wl, criterion) + side_score_for_tests(right, wr, criterion)
            - side_score_for_tests(left + right, wl + wr, criterion))


def test_friedman_gain_is_scikit_learns_improvement():
    """scikit-learn's FriedmanMSE: diff = (W_R sum_k S_Lk - W_L sum_k S_Rk) / n_outputs,
    improvement = diff^2 / (W_L W_R W_node); the scaled gain is that times the root weight."""
    rng = np.random.RandomState(2)
    y, w = rng.randn(40, 3), rng.rand(40) + 0.5
    left = rng.rand(40) < 0.4
    sums_left, sums_right = (w[left, None] * y[left]).sum(0), (w[~left, None] * y[~left]).sum(0)
    wl, wr = w[left].sum(), w[~left].sum()
    diff = (wr * sums_left.sum() - wl * sums_right.sum()) / 3
    improvement = diff**2 / (wl * wr * (wl + wr))
    root_weight = 123.0
    gain = (_raw_gain(sums_left, sums_right, wl, wr, Criterion.FRIEDMAN_MSE)
            * split_gain_scale_for_tests(Criterion.FRIEDMAN_MSE, 3, root_weight))
    np.testing.assert_allclose(gain, improvement * root_weight, rtol=1e-10)


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_poisson_impurity_and_gain_match_the_deviance(n_outputs):
    """Node impurity: sum_i w_i y_i log(y_i / mean) / (W n_outputs) (scikit-learn's half
    Poisson deviance); the raw gain is the weighted decrease summed over outputs."""
    rng = np.random.RandomState(3)
    y, w = rng.poisson(3.0, (60, n_outputs)).astype(float), rng.rand(60) + 0.5
    left = rng.rand(60) < 0.5

    def impurity_numpy(rows):
        mean = (w[rows, None] * y[rows]).sum(0) / w[rows].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(y[rows] > 0, y[rows] * np.log(y[rows] / mean), 0.0)
        return (w[rows, None] * terms).sum() / (w[rows].sum() * n_outputs)

    def impurity_kernel(rows):
        sums = (w[rows, None] * y[rows]).sum(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogx = np.where(y[rows] > 0, y[rows] * np.log(y[rows]), 0.0)
        return node_impurity_for_tests(sums, w[rows].sum(), (w[rows, None] * xlogx).sum(),
                                       Criterion.POISSON)

    everything = np.ones(60, dtype=bool)
    for rows in (everything, left, ~left):
        np.testing.assert_allclose(impurity_kernel(rows), impurity_numpy(rows), rtol=1e-10)
    sums_left, sums_right = (w[left, None] * y[left]).sum(0), (w[~left, None] * y[~left]).sum(0)
    decrease = n_outputs * sum(sign * w[rows].sum() * impurity_numpy(rows) for sign, rows in
                               ((1, everything), (-1, left), (-1, ~left)))
    np.testing.assert_allclose(_raw_gain(sums_left, sums_right, w[left].sum(), w[~left].sum(),
                                         Criterion.POISSON), decrease, rtol=1e-8)
    # A child with a zero sum is forbidden (scikit-learn: its deviance is infinite).
    assert side_score_for_tests(np.array([0.0] + [1.0] * (n_outputs - 1)), 2.0,
                                Criterion.POISSON) == -np.inf


@pytest.mark.parametrize("criterion", [Criterion.GINI, Criterion.ENTROPY])
def test_multi_output_classification_impurity_is_the_mean_over_outputs(criterion):
    rng = np.random.RandomState(4)
    first, second = rng.rand(3) * 4, rng.rand(2)
    second *= first.sum() / second.sum()  # both outputs' counts sum to the node's weight
    both = np.concatenate([first, second])
    weight = first.sum()
    expected = np.mean([node_impurity_for_tests(part, weight, 0.0, criterion) for part in (first, second)])
    np.testing.assert_allclose(node_impurity_for_tests(both, weight, 0.0, criterion, 0.0, 2), expected)
    # The side score is the sum of the outputs' scores; the labels' running form agrees.
    np.testing.assert_allclose(side_score_for_tests(both, weight, criterion),
                               side_score_for_tests(first, weight, criterion)
                               + side_score_for_tests(second, weight, criterion))
    np.testing.assert_allclose(label_side_score_for_tests(both, 2, criterion),
                               side_score_for_tests(both, weight, criterion), rtol=1e-12)


def test_split_gain_scale():
    """Raw gains (summed over outputs) become scikit-learn's improvement times the root weight:
    the outputs' mean for the impurity criteria, Friedman's own formula, boosting unchanged."""
    assert split_gain_scale_for_tests(Criterion.SQUARED_ERROR, 4, 10.0) == 0.25
    assert split_gain_scale_for_tests(Criterion.GINI, 2, 10.0) == 0.5
    assert split_gain_scale_for_tests(Criterion.POISSON, 1, 10.0) == 1.0
    assert split_gain_scale_for_tests(Criterion.FRIEDMAN_MSE, 2, 10.0) == 2.5
    assert split_gain_scale_for_tests(Criterion.SECOND_ORDER, 3, 10.0) == 1.0
