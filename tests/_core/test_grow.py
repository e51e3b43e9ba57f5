"""The grower's root split against a brute-force search over every threshold."""

import numpy as np
import pytest

from skedu._core._grow import grow_trees
from skedu._core._tree import apply_trees, decision_path, sum_tree_values
from skedu.tree._binning import BinMapper

GINI, ENTROPY, SQUARED_ERROR, SECOND_ORDER = 0, 1, 2, 3


def side_score(sums, hessian, criterion, l2):
    if criterion == ENTROPY:
        positive = sums[sums > 0]
        return float(np.sum(positive * np.log2(positive / hessian)))
    if criterion == SECOND_ORDER:
        return float(np.sum(sums**2) / (hessian + l2))
    return float(np.sum(sums**2) / hessian)


def brute_force_best_gain(X, gradients, hessians, criterion, l2=0.0):
    """Best gain over every feature, threshold and side for missing values."""
    total = gradients.sum(axis=0), hessians.sum()
    parent = side_score(*total, criterion, l2)
    best = -np.inf
    for feature in range(X.shape[1]):
        column = X[:, feature]
        missing = np.isnan(column)
        values = np.unique(column[~missing])
        thresholds = list((values[:-1] + values[1:]) / 2) + ([np.inf] if missing.any() else [])
        for threshold in thresholds:
            for missing_left in (False, True):
                left = (column <= threshold) | (missing & missing_left)
                if left.all() or not left.any():
                    continue
                gain = (side_score(gradients[left].sum(0), hessians[left].sum(), criterion, l2)
                        + side_score(gradients[~left].sum(0), hessians[~left].sum(), criterion, l2)
                        - parent)
                best = max(best, gain)
    return best


def grow(X, gradients, hessians, criterion, splitter, l2=0.0, max_depth=1, seed=0,
         row_major=False, **limits):
    X = np.ascontiguousarray(X, dtype=np.float32)
    data = dict(feature_values=None, binned=None, bin_thresholds=None, n_bins_non_missing=None)
    if splitter == 1:  # hist; 0 (exact) and 2 (random) read raw values
        mapper = BinMapper().fit(X)
        data.update(binned=mapper.transform(X), bin_thresholds=mapper.upper_edges_,
                    n_bins_non_missing=mapper.n_bins_non_missing_)
        if row_major:
            data["binned_rows"] = np.ascontiguousarray(data["binned"].T)
    else:
        data["feature_values"] = np.ascontiguousarray(X.T)
        if row_major:
            data["row_values"] = X
    params = dict(min_samples_split=2, min_samples_leaf=1, min_weight_leaf=0.0,
                  min_impurity_decrease=0.0, min_split_gain=0.0, max_leaf_nodes=0,
                  max_features=X.shape[1], n_threads=1)
    params.update(limits)
    ((nodes, values),) = grow_trees(
        criterion=criterion, splitter=splitter, gradients=np.ascontiguousarray(gradients),
        hessians=hessians, squares=None, **data, rows_per_tree=[np.arange(len(X))],
        row_weights_per_tree=None, seeds=np.array([seed], dtype=np.uint64), max_depth=max_depth,
        l2_regularization=l2, **params)
    return nodes, values


@pytest.mark.parametrize("splitter", [0, 1])
@pytest.mark.parametrize("criterion", [GINI, ENTROPY, SQUARED_ERROR, SECOND_ORDER])
@pytest.mark.parametrize("seed", range(4))
def test_root_split_is_the_brute_force_best(criterion, splitter, seed):
    rng = np.random.RandomState(seed)
    n = 60
    X = rng.randint(0, 8, (n, 3)).astype(np.float64)  # few values: the binned search is exact
    X[rng.rand(n, 3) < 0.15] = np.nan
    if criterion in (GINI, ENTROPY):
        y = rng.randint(0, 3, n)
        weights = rng.rand(n) + 0.5
        gradients = np.eye(3)[y] * weights[:, None]
        hessians = weights
    else:
        gradients = rng.randn(n, 1)
        hessians = rng.rand(n) + 0.1
    l2 = 1.0 if criterion == SECOND_ORDER else 0.0
    nodes, values = grow(X, gradients, hessians, criterion, splitter, l2)
    expected = brute_force_best_gain(X, gradients, hessians, criterion, l2)
    np.testing.assert_allclose(nodes["gain"][0], expected, rtol=1e-9)
    # Leaves hold class fractions / means, or -G/(H + lambda) for the second order.
    left = nodes["left_child"][0]
    leaf_rows = apply_trees(np.ascontiguousarray(X, dtype=np.float32), nodes,
                            np.zeros(1, dtype=np.intp), 1)[:, 0] == left
    G, H = gradients[leaf_rows].sum(0), hessians[leaf_rows].sum()
    expected_value = -G / (H + l2) if criterion == SECOND_ORDER else G / H
    np.testing.assert_allclose(values[left], expected_value, rtol=1e-9)


@pytest.mark.parametrize("criterion", [GINI, ENTROPY, SQUARED_ERROR, SECOND_ORDER])
@pytest.mark.parametrize("seed", range(3))
def test_random_split_gain_is_the_gain_of_its_threshold(criterion, seed):
    rng = np.random.RandomState(seed)
    n = 80
    X = rng.randn(n, 4)
    X[rng.rand(n, 4) < 0.1] = np.nan
    if criterion in (GINI, ENTROPY):
        gradients = np.eye(3)[rng.randint(0, 3, n)]
    else:
        gradients = rng.randn(n, 1)
    hessians = rng.rand(n) + 0.5
    l2 = 1.0 if criterion == SECOND_ORDER else 0.0
    nodes, _ = grow(X, gradients, hessians, criterion, 2, l2, seed=seed)
    feature, threshold = nodes["feature"][0], nodes["threshold"][0]
    column = X[:, feature].astype(np.float32).astype(np.float64)
    missing = np.isnan(column)
    left = (column <= threshold) | (missing & bool(nodes["missing_go_left"][0]))
    expected = (side_score(gradients[left].sum(0), hessians[left].sum(), criterion, l2)
                + side_score(gradients[~left].sum(0), hessians[~left].sum(), criterion, l2)
                - side_score(gradients.sum(0), hessians.sum(), criterion, l2))
    np.testing.assert_allclose(nodes["gain"][0], expected, rtol=1e-9)
    assert nodes["gain"][0] <= brute_force_best_gain(X, gradients, hessians, criterion, l2) + 1e-9


@pytest.mark.parametrize("splitter", [0, 1, 2])
def test_rows_reach_the_leaf_whose_statistics_they_made(splitter):
    rng = np.random.RandomState(0)
    X = rng.randn(3000, 5)
    X[rng.rand(3000, 5) < 0.05] = np.nan
    gradients = rng.randn(3000, 2)
    hessians = rng.rand(3000) + 0.1
    nodes, values = grow(X, gradients, hessians, SECOND_ORDER, splitter, l2=0.5, max_depth=6)
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    leaves = apply_trees(X32, nodes, np.zeros(1, dtype=np.intp), 2)[:, 0]
    for leaf in np.unique(leaves):
        rows = leaves == leaf
        assert nodes["n_node_samples"][leaf] == rows.sum()
        np.testing.assert_allclose(values[leaf], -gradients[rows].sum(0) / (hessians[rows].sum() + 0.5))
    indptr, indices = decision_path(X32, nodes)
    np.testing.assert_array_equal(indices[indptr[1:] - 1], leaves)
    # One predict kernel for ensembles: two copies of the tree with weights 0.25 and 0.75.
    both = np.concatenate([nodes, nodes])
    offsets = np.array([0, len(nodes)], dtype=np.intp)
    out = np.zeros((3000, 2))
    sum_tree_values(X32, both, np.concatenate([values, values]), offsets,
                    np.array([0.25, 0.75]), out, 2)
    np.testing.assert_allclose(out, values[leaves])


@pytest.mark.parametrize("splitter", [0, 1, 2])
def test_row_major_copies_give_the_same_tree(splitter):
    rng = np.random.RandomState(4)
    X = rng.randn(5000, 7)
    X[rng.rand(5000, 7) < 0.05] = np.nan
    gradients = rng.randn(5000, 1)
    hessians = rng.rand(5000) + 0.1
    trees = [grow(X, gradients, hessians, SECOND_ORDER, splitter, l2=1.0, max_depth=12,
                  row_major=row_major) for row_major in (False, True)]
    np.testing.assert_array_equal(trees[0][0], trees[1][0])
    np.testing.assert_array_equal(trees[0][1], trees[1][1])


def test_growth_limits_and_best_first_order():
    rng = np.random.RandomState(1)
    X = rng.randn(2000, 4)
    gradients = (X[:, :1] > 0) + 0.1 * rng.randn(2000, 1)
    hessians = np.ones(2000)
    nodes, _ = grow(X, gradients, hessians, SQUARED_ERROR, 0, max_depth=-1, max_leaf_nodes=6)
    assert np.count_nonzero(nodes["left_child"] == -1) == 6
    split = nodes["left_child"] != -1
    # Best-first: a split is never preceded by a child split with a larger gain.
    assert nodes["gain"][0] == nodes["gain"][split].max()
    nodes, _ = grow(X, gradients, hessians, SQUARED_ERROR, 1, max_depth=3, min_samples_leaf=300)
    assert nodes["depth"].max() <= 3
    assert nodes["n_node_samples"][nodes["left_child"] == -1].min() >= 300


def test_row_weights_act_like_repeated_rows():
    rng = np.random.RandomState(2)
    X = rng.randn(300, 3)
    gradients = rng.randn(300, 1)
    hessians = np.ones(300)
    counts = rng.randint(0, 3, 300).astype(np.float64)
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    common = dict(criterion=SQUARED_ERROR, splitter=0, squares=None, binned=None,
                  bin_thresholds=None, n_bins_non_missing=None, seeds=np.array([3], dtype=np.uint64),
                  max_depth=4, min_samples_split=2, min_samples_leaf=1, min_weight_leaf=0.0,
                  min_impurity_decrease=0.0, min_split_gain=0.0, max_leaf_nodes=0,
                  max_features=3, l2_regularization=0.0, n_threads=1)
    ((weighted, weighted_values),) = grow_trees(
        gradients=gradients, hessians=hessians, feature_values=np.ascontiguousarray(X32.T),
        rows_per_tree=[np.flatnonzero(counts)], row_weights_per_tree=[counts], **common)
    repeat = np.repeat(np.arange(300), counts.astype(int))
    ((repeated, repeated_values),) = grow_trees(
        gradients=gradients[repeat], hessians=hessians[repeat],
        feature_values=np.ascontiguousarray(X32[repeat].T), rows_per_tree=[np.arange(len(repeat))],
        row_weights_per_tree=None, **common)
    offsets = np.zeros(1, dtype=np.intp)
    np.testing.assert_allclose(weighted_values[apply_trees(X32, weighted, offsets, 1)[:, 0]],
                               repeated_values[apply_trees(X32, repeated, offsets, 1)[:, 0]])


def test_several_trees_grow_in_parallel_deterministically():
    rng = np.random.RandomState(3)
    X = np.ascontiguousarray(rng.randn(1000, 6).astype(np.float32))
    gradients = rng.randn(1000, 1)
    common = dict(criterion=SQUARED_ERROR, splitter=0, gradients=gradients, hessians=np.ones(1000),
                  squares=None, feature_values=np.ascontiguousarray(X.T), binned=None,
                  bin_thresholds=None, n_bins_non_missing=None, max_depth=5,
                  min_samples_split=2, min_samples_leaf=1, min_weight_leaf=0.0,
                  min_impurity_decrease=0.0, min_split_gain=0.0, max_leaf_nodes=0, max_features=2,
                  l2_regularization=0.0)
    rows = [rng.choice(1000, 700, replace=False) for _ in range(8)]
    seeds = np.arange(8, dtype=np.uint64)
    serial = grow_trees(rows_per_tree=rows, row_weights_per_tree=None, seeds=seeds, n_threads=1, **common)
    parallel = grow_trees(rows_per_tree=rows, row_weights_per_tree=None, seeds=seeds, n_threads=4, **common)
    for (a, _), (b, _) in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(serial[0][0], serial[1][0])
