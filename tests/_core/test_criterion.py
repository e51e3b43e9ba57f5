"""The split scores of ``_criterion.pxd`` against their formulas in numpy."""

import numpy as np
import pytest

from skedu._core._criterion import (leaf_value_for_tests, node_impurity_for_tests,
                                    side_score_for_tests, split_rules_for_tests)
from skedu._core._types import Criterion
from tests._core._twins import side_score


@pytest.mark.parametrize("criterion", list(Criterion))
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
