"""The random splitter (``_random_split.pyx``): the threshold drawn from the node's range and the
gain of that threshold, against numpy."""

import numpy as np
import pytest

from skedu._core._random_split import random_split_for_tests
from skedu._core._types import Criterion
from tests._core._twins import SUM_CRITERIA, best_split


@pytest.mark.parametrize("criterion", SUM_CRITERIA)
@pytest.mark.parametrize("uniform", [0.0, 0.3, 0.999])
def test_random_split_is_the_best_use_of_its_threshold(criterion, uniform):
    rng = np.random.RandomState(int(uniform * 10))
    n = 120
    values = rng.randn(n).astype(np.float32)
    values[rng.rand(n) < 0.1] = np.nan
    if criterion in (Criterion.GINI, Criterion.ENTROPY):
        hessians = rng.rand(n) + 0.5
        gradients = np.eye(2)[rng.randint(0, 2, n)] * hessians[:, None]
    else:
        gradients, hessians = rng.randn(n, 1), rng.rand(n) + 0.1
        if criterion == Criterion.POISSON:  # non-negative targets
            gradients = rng.poisson(2.0, gradients.shape) * hessians[:, None]
    record, varies = random_split_for_tests(values, gradients, hessians, uniform, criterion, 1.0)
    column = values.astype(np.float64)
    low, high = np.nanmin(column), np.nanmax(column)
    threshold = low + (high - low) * uniform
    assert varies and record["found"]
    np.testing.assert_allclose(record["threshold"], threshold, rtol=1e-12)
    # Of the two places for missing values at that threshold, the better one.
    expected = best_split(column, gradients, hessians, criterion, 1.0, thresholds=[threshold])
    np.testing.assert_allclose(record["gain"], expected[0], rtol=1e-10)
    assert record["missing_go_left"] == expected[2]


def test_single_value_splits_missing_from_the_rest():
    values = np.array([1.0, 1.0, np.nan, np.nan], dtype=np.float32)
    gradients = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    record, varies = random_split_for_tests(values, gradients, np.ones(4), 0.5,
                                            Criterion.SQUARED_ERROR)
    assert varies and record["found"] and record["threshold"] == np.inf
    assert record["n_left"] == 2 and not record["missing_go_left"]


@pytest.mark.parametrize("criterion", [Criterion.GINI, Criterion.ENTROPY])
def test_labelled_rows_give_the_one_hot_split(criterion):
    rng = np.random.RandomState(7)
    n = 90
    values = rng.randn(n).astype(np.float32)
    values[rng.rand(n) < 0.15] = np.nan
    hessians = rng.rand(n) + 0.5
    labels = np.ascontiguousarray(rng.randint(0, 5, (n, 1)), dtype=np.intp)
    gradients = np.eye(5)[labels[:, 0]] * hessians[:, None]
    record, _ = random_split_for_tests(values, gradients, hessians, 0.4, criterion, labels=labels)
    expected, _ = random_split_for_tests(values, gradients, hessians, 0.4, criterion)
    np.testing.assert_allclose(record["gain"], expected["gain"], rtol=1e-9)
    assert (record["n_left"], record["missing_go_left"]) == (expected["n_left"], expected["missing_go_left"])


def _rows_for(kind, rng, n):
    """Gradients, hessians and labels (or None) of ``n`` rows for one of the sums passes."""
    if kind == "one channel":
        return rng.randn(n, 1), rng.rand(n) + 0.1, None
    if kind == "two channels":
        return rng.randn(n, 2), rng.rand(n) + 0.1, None
    n_classes, n_outputs, unit = {"two classes": (2, 1, False), "two classes, unweighted": (2, 1, True),
                                  "five classes": (5, 1, False),
                                  "two outputs": (3, 2, False)}[kind]
    hessians = np.ones(n) if unit else rng.rand(n) + 0.5
    codes = rng.randint(0, n_classes, (n, n_outputs))
    labels = np.ascontiguousarray(codes + n_classes * np.arange(n_outputs), dtype=np.intp)
    gradients = np.zeros((n, n_classes * n_outputs))
    for output in range(n_outputs):
        gradients[np.arange(n), labels[:, output]] = hessians
    return gradients, hessians, labels


@pytest.mark.parametrize("kind", ["one channel", "two channels", "two classes",
                                  "two classes, unweighted", "five classes", "two outputs"])
@pytest.mark.parametrize("n", [1, 2, 7, 64, 301])
def test_sums_without_missing_values_match_numpy(kind, n):
    # Without missing values each kind of row has its own branch-free sums pass (registers,
    # lanes, counts); odd sizes exercise the last row outside the pairs.
    rng = np.random.RandomState(n)
    values = rng.randn(n).astype(np.float32)
    values[rng.rand(n) < 0.2] = values[0]  # ties at the threshold's neighbours
    gradients, hessians, labels = _rows_for(kind, rng, n)
    criterion = Criterion.SQUARED_ERROR if labels is None else Criterion.GINI
    record, varies = random_split_for_tests(values, gradients, hessians, 0.37, criterion,
                                            labels=labels, unit_hessians=kind.endswith("unweighted"))
    column = values.astype(np.float64)
    assert varies == (column.max() > column.min())
    if not varies:
        return
    threshold = column.min() + (column.max() - column.min()) * 0.37
    left = column <= threshold
    assert record["found"] and record["n_left"] == left.sum()
    expected = best_split(column, gradients, hessians, criterion, 0.0, thresholds=[threshold])
    np.testing.assert_allclose(record["gain"], expected[0], rtol=1e-10, atol=1e-12)


def test_unit_hessians_are_checked_by_the_test_entry_point():
    with pytest.raises(ValueError, match="every hessian"):
        random_split_for_tests(np.arange(3, dtype=np.float32), np.ones((3, 1)), np.full(3, 2.0),
                               0.5, Criterion.GINI, unit_hessians=True)
