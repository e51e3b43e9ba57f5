"""The exact splitter (``_exact_split.pyx``) against a naive search over sorted values."""

import numpy as np
import pytest

from skedu._core._exact_split import best_split_sorted_for_tests
from skedu._core._types import Criterion
from tests._core._twins import SUM_CRITERIA, best_split


def problem(criterion, seed, n=150):
    rng = np.random.RandomState(seed)
    values = rng.randint(0, 20, n).astype(np.float32) / 4
    values[rng.rand(n) < 0.1 * (seed % 3)] = np.nan
    if criterion in (Criterion.GINI, Criterion.ENTROPY):
        hessians = rng.rand(n) + 0.5
        gradients = np.eye(3)[rng.randint(0, 3, n)] * hessians[:, None]
    else:
        gradients, hessians = rng.randn(n, 2), rng.rand(n) + 0.1
        if criterion == Criterion.POISSON:  # non-negative targets
            gradients = rng.poisson(2.0, gradients.shape) * hessians[:, None]
    return values, np.ascontiguousarray(gradients), hessians


@pytest.mark.parametrize("criterion", SUM_CRITERIA)
@pytest.mark.parametrize("seed", range(6))
def test_best_split_sorted_is_the_brute_force_best(criterion, seed):
    values, gradients, hessians = problem(criterion, seed)
    min_samples_leaf = 1 + 2 * seed
    record, varies = best_split_sorted_for_tests(values, gradients, hessians, criterion, 0.5,
                                                 min_samples_leaf)
    expected = best_split(values.astype(np.float64), gradients, hessians, criterion, 0.5,
                          min_samples_leaf)
    assert varies and record["found"]
    np.testing.assert_allclose(record["gain"], expected[0], rtol=1e-10)
    column = values.astype(np.float64)
    left = (column <= record["threshold"]) | (np.isnan(column) & record["missing_go_left"])
    assert record["n_left"] == left.sum()


@pytest.mark.parametrize("n", [30, 500])  # below and above the counting sort's threshold
def test_bin_values_give_the_left_bin(n):
    values, gradients, hessians = problem(Criterion.SQUARED_ERROR, 1, n)
    bins = np.where(np.isnan(values), 255, values * 4).astype(np.float32)
    record, _ = best_split_sorted_for_tests(bins, gradients, hessians, Criterion.SQUARED_ERROR,
                                            bin_values=True)
    expected = best_split(np.where(bins == 255, np.nan, bins).astype(np.float64), gradients,
                          hessians, Criterion.SQUARED_ERROR)
    np.testing.assert_allclose(record["gain"], expected[0], rtol=1e-10)
    # The threshold recorded is the left side's last bin (inf: all non-missing bins left).
    assert record["threshold"] == np.inf or record["threshold"] == np.floor(expected[1])


def test_constant_and_all_missing_features():
    gradients, hessians = np.ones((4, 1)), np.ones(4)
    for values in (np.full(4, 2.0, np.float32), np.full(4, np.nan, np.float32)):
        record, varies = best_split_sorted_for_tests(values, gradients, hessians,
                                                     Criterion.SQUARED_ERROR)
        assert not varies and not record["found"]


@pytest.mark.parametrize("criterion", [Criterion.GINI, Criterion.ENTROPY])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("bin_values", [False, True])
def test_label_sweep_matches_the_one_hot_sweep(criterion, seed, bin_values):
    """Rows given as labels (one per output) find the split one-hot gradient rows find, with the
    gain of summed outputs; missing values and min_samples_leaf included."""
    rng = np.random.RandomState(seed)
    n, n_classes = 160, (4, 3)
    values = rng.randint(0, 30, n).astype(np.float32)
    values[rng.rand(n) < 0.1 * (seed % 3)] = np.nan
    hessians = rng.rand(n) + 0.5
    classes = np.column_stack([rng.randint(0, k, n) for k in n_classes])
    labels = np.ascontiguousarray(classes + np.array([0, n_classes[0]]), dtype=np.intp)
    gradients = np.zeros((n, sum(n_classes)))
    for output in range(2):
        gradients[np.arange(n), labels[:, output]] = hessians
    if bin_values:
        values = np.where(np.isnan(values), 255, values).astype(np.float32)
    record, varies = best_split_sorted_for_tests(values, gradients, hessians, criterion, 0.0,
                                                 1 + seed, bin_values=bin_values, labels=labels)
    expected, _ = best_split_sorted_for_tests(values, gradients, hessians, criterion, 0.0,
                                              1 + seed, bin_values=bin_values)
    assert varies and record["found"] and expected["found"]
    np.testing.assert_allclose(record["gain"], expected["gain"], rtol=1e-9)
    for key in ("threshold", "n_left", "missing_go_left"):
        assert record[key] == expected[key]


@pytest.mark.parametrize("labelled", [False, True])
def test_values_closer_than_feature_threshold_are_one_value(labelled):
    # scikit-learn's FEATURE_THRESHOLD (1e-7): no boundary between 0, 1e-8 and 2e-8.
    values = np.array([0.0, 1e-8, 2e-8, 1.0], dtype=np.float32)
    classes = np.array([0, 1, 0, 1])
    gradients = np.eye(2)[classes]
    labels = classes[:, None].astype(np.intp) if labelled else None
    record, varies = best_split_sorted_for_tests(values, gradients, np.ones(4), Criterion.GINI,
                                                 labels=labels)
    assert varies and record["found"]
    assert record["n_left"] == 3 and 2e-8 < record["threshold"] < 1.0
    record, varies = best_split_sorted_for_tests(values[:3], gradients[:3], np.ones(3),
                                                 Criterion.GINI,
                                                 labels=None if labels is None else labels[:3])
    assert not varies and not record["found"]
