"""The grower's root split against a brute-force search over every threshold."""

import numpy as np
import pytest

from skedu._core._tree import apply_trees, decision_path, sum_tree_values
from skedu._core._types import Criterion, Splitter
from skedu._core._workspace import kept_buffer_count, release_kept_buffers
from skedu.tree import _engine

GINI, ENTROPY, SQUARED_ERROR, SECOND_ORDER = (Criterion.GINI, Criterion.ENTROPY,
                                              Criterion.SQUARED_ERROR, Criterion.SECOND_ORDER)


def side_score(sums, hessian, criterion, l2):
    if criterion == ENTROPY:
        positive = sums[sums > 0]
        return float(np.sum(positive * np.log2(positive / hessian)))
    if criterion == SECOND_ORDER:
        return float(0.5 * np.sum(sums**2) / (hessian + l2))
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


def prepare(X, splitter, row_major=True):
    data = _engine.TrainingData(X, splitter=splitter)
    if not row_major:  # small nodes then read the feature-major arrays too
        data.rows = data.binned_rows = None
    return data


def grow(X, gradients, hessians, criterion, splitter, l2=0.0, max_depth=1, seed=0,
         row_major=True, n_threads=1, **limits):
    params = _engine.TreeParams(criterion=criterion, max_depth=max_depth, l2_regularization=l2,
                                **limits)
    ((nodes, values),), _ = _engine.grow_trees(prepare(X, splitter, row_major), gradients,
                                               hessians, params, seeds=[seed],
                                               n_threads=n_threads)
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


def test_sparse_layout_gives_the_same_tree_up_to_rounding():
    # One-hot columns read from lists of the rows' other bins (the default bin's sums are
    # totals minus the rest): the same splits, sums equal up to rounding, and the same tree,
    # bit for bit, with one thread or two (the root is large enough for parallel histograms).
    rng = np.random.RandomState(5)
    n = 40_000
    categories = rng.randint(0, 12, (n, 3))
    X = np.hstack([rng.randn(n, 28)] + [np.eye(12)[categories[:, j]] for j in range(3)])
    X[rng.rand(n) < 0.03, 30] = np.nan
    gradients = (rng.randn(n, 1) + categories[:, :1] % 3 - X[:, :1]).astype(np.float64)
    hessians = rng.rand(n) + 0.1
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=-1, max_leaf_nodes=40,
                                l2_regularization=1.0, min_samples_leaf=5)
    trees = []
    for sparse_bins, n_threads in ((False, 1), (True, 1), (True, 2)):
        data = _engine.TrainingData(X, splitter=Splitter.HIST, sparse_bins=sparse_bins)
        assert (data.layout is not None) == sparse_bins
        ((nodes, values),), _ = _engine.grow_trees(data, gradients, hessians, params,
                                                   seeds=[3], n_threads=n_threads)
        trees.append((nodes, values))
    assert len(trees[1][0]) > 60
    for field in ("left_child", "feature", "bin_threshold", "missing_go_left",
                  "n_node_samples"):
        np.testing.assert_array_equal(trees[0][0][field], trees[1][0][field])
    np.testing.assert_allclose(trees[0][1], trees[1][1], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(trees[1][0], trees[2][0])
    np.testing.assert_array_equal(trees[1][1], trees[2][1])


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
    params = _engine.TreeParams(criterion=SQUARED_ERROR, max_depth=4)
    ((weighted, weighted_values),), _ = _engine.grow_trees(
        prepare(X, Splitter.EXACT), gradients, hessians, params, seeds=[3],
        rows=[np.flatnonzero(counts)], row_weights=[counts])
    repeat = np.repeat(np.arange(300), counts.astype(int))
    ((repeated, repeated_values),), _ = _engine.grow_trees(
        prepare(X[repeat], Splitter.EXACT), gradients[repeat], hessians[repeat], params, seeds=[3])
    offsets = np.zeros(1, dtype=np.intp)
    np.testing.assert_allclose(weighted_values[apply_trees(X32, weighted, offsets, 1)[:, 0]],
                               repeated_values[apply_trees(X32, repeated, offsets, 1)[:, 0]])


@pytest.mark.parametrize("splitter", list(Splitter))
def test_trees_grown_together_equal_trees_grown_alone(splitter):
    """Per-tree rows, row weights, features and seeds: the batch is N independent trees, the
    same for any thread count."""
    rng = np.random.RandomState(3)
    X = rng.randn(1500, 6)
    X[rng.rand(1500, 6) < 0.05] = np.nan
    gradients = rng.randn(1500, 1)
    hessians = rng.rand(1500) + 0.5
    data = prepare(X, splitter)
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=5, max_features=3,
                                l2_regularization=1.0)
    rows = [np.sort(rng.choice(1500, 1000, replace=False)) for _ in range(3)]
    weights = [None, rng.randint(1, 4, 1500).astype(np.float64), rng.rand(1500) + 0.5]
    features = [None, np.array([0, 2, 4]), np.array([5, 1, 3, 2])]
    seeds = [11, 12, 13]
    together = {}
    for n_threads in (1, 2):
        together[n_threads], _ = _engine.grow_trees(
            data, gradients, hessians, params, seeds=seeds, rows=rows, row_weights=weights,
            features=features, n_threads=n_threads)
    for t in range(3):
        (alone,), _ = _engine.grow_trees(data, gradients, hessians, params, seeds=[seeds[t]],
                                         rows=[rows[t]], row_weights=[weights[t]],
                                         features=[features[t]])
        for grown in (together[1][t], together[2][t]):
            np.testing.assert_array_equal(grown[0], alone[0])
            np.testing.assert_array_equal(grown[1], alone[1])
        if features[t] is not None:
            split = alone[0]["left_child"] != -1
            assert set(alone[0]["feature"][split]) <= set(features[t])
    assert not np.array_equal(together[1][0][0], together[1][1][0])


@pytest.mark.parametrize("splitter", [Splitter.EXACT, Splitter.HIST])
def test_per_channel_hessians_match_a_numpy_twin(splitter):
    """Softmax boosting: K trees of one round, tree k on (g_k, h_k) only."""
    rng = np.random.RandomState(5)
    n, n_classes, l2 = 400, 3, 1.0
    X = rng.randint(0, 10, (n, 4)).astype(np.float64)
    logits = rng.randn(n, n_classes)
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    y = rng.randint(0, n_classes, n)
    gradients = proba - np.eye(n_classes)[y]
    hessians = proba * (1 - proba)
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=2, l2_regularization=l2)
    trees, leaves = _engine.grow_trees(prepare(X, splitter), gradients, hessians, params,
                                       seeds=[0, 1, 2], channels=[0, 1, 2], return_leaves=True)
    for k, (nodes, values) in enumerate(trees):
        g, h = gradients[:, [k]], hessians[:, k]
        # The root split is the best one for channel k's own gradients and hessians.
        np.testing.assert_allclose(nodes["gain"][0], brute_force_best_gain(X, g, h, SECOND_ORDER, l2),
                                   rtol=1e-9)
        for leaf in np.unique(leaves[k]):
            rows = leaves[k] == leaf
            np.testing.assert_allclose(values[leaf, 0], -g[rows].sum() / (h[rows].sum() + l2),
                                       rtol=1e-9)


@pytest.mark.parametrize("splitter", list(Splitter))
@pytest.mark.parametrize("max_leaf_nodes", [0, 7])
def test_returned_leaves_are_where_apply_sends_the_rows(splitter, max_leaf_nodes):
    rng = np.random.RandomState(6)
    X = rng.randn(2000, 5)
    X[rng.rand(2000, 5) < 0.05] = np.nan
    gradients = rng.randn(2000, 1)
    rows = np.sort(rng.choice(2000, 1500, replace=False))
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=6, l2_regularization=1.0,
                                max_leaf_nodes=max_leaf_nodes)
    ((nodes, _),), leaves = _engine.grow_trees(prepare(X, splitter), gradients, np.ones(2000),
                                               params, seeds=[0], rows=[rows],
                                               return_leaves=True)
    applied = apply_trees(np.ascontiguousarray(X, dtype=np.float32), nodes,
                          np.zeros(1, dtype=np.intp), 1)[:, 0]
    np.testing.assert_array_equal(leaves[0, rows], applied[rows])
    left_out = np.setdiff1d(np.arange(2000), rows)
    assert np.all(leaves[0, left_out] == -1)
    assert np.all(nodes["left_child"][leaves[0, rows]] == -1)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_a_reused_leaves_buffer_is_rewritten_whole(n_threads):
    """Boosting passes last round's leaves back as ``leaves_out``: trees on every row write
    every entry (no -1 first), trees on some rows leave -1 on the others, not stale leaves.
    Large trees on threads write their leaves by parts of the rows' indices."""
    rng = np.random.RandomState(7)
    X = rng.randn(60_000, 6)
    data = prepare(X, Splitter.HIST)
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=5, l2_regularization=1.0)
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    buffer = np.full((1, 60_000), 12345, dtype=np.int32)
    rows = np.sort(rng.choice(60_000, 45_000, replace=False))
    for tree_rows in (None, [rows], [data.all_rows()]):
        gradients = rng.randn(60_000, 1)
        ((nodes, _),), leaves = _engine.grow_trees(
            data, gradients, np.ones(60_000), params, seeds=[0], rows=tree_rows,
            return_leaves=True, leaves_out=buffer, n_threads=n_threads)
        assert leaves is buffer and leaves.dtype == np.int32
        applied = apply_trees(X32, nodes, np.zeros(1, dtype=np.intp), 1)[:, 0]
        grown_on = np.arange(60_000) if tree_rows is None or tree_rows[0] is not rows else rows
        np.testing.assert_array_equal(leaves[0, grown_on], applied[grown_on])
        assert np.all(leaves[0, np.setdiff1d(np.arange(60_000), grown_on)] == -1)


@pytest.mark.parametrize("quantized", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_a_root_read_in_order_grows_the_tree_of_its_rows_read_by_index(n_threads, quantized):
    """Trees on every row in order read the root's rows without their indices
    (``_histogram_groups.h``): the same tree, bit for bit, as the same rows passed as a list
    of their own (read by index), column and row-major groups, float64 and packed
    statistics, missing values and 255-bin features among them."""
    from skedu._core._boosting import quantize_gradients

    rng = np.random.RandomState(11)
    X = rng.randn(70_000, 9)
    X[:, :3] = np.round(X[:, :3] * 3)  # features of few bins: clamped groups
    X[rng.rand(*X.shape) < 0.05] = np.nan
    data = prepare(X, Splitter.HIST)
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=5, l2_regularization=1.0)
    gradients = rng.randn(70_000, 1)
    hessians = rng.rand(70_000) + 0.5
    packed = None
    if quantized:
        packed = quantize_gradients(gradients, hessians, 70_000, n_threads)
        assert packed is not None
    grown = []
    for tree_rows in (None, [np.arange(70_000)]):
        ((nodes, values),), _ = _engine.grow_trees(
            data, gradients, hessians, params, seeds=[0], rows=tree_rows, n_threads=n_threads,
            quantized=packed)
        grown.append((nodes, values))
    np.testing.assert_array_equal(grown[0][0], grown[1][0])
    np.testing.assert_array_equal(grown[0][1], grown[1][1])
    assert len(grown[0][0]) > 31


def test_second_order_gain_and_gamma_follow_xgboost():
    """gain = 1/2 [G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l)], and a split needs gain > gamma."""
    X = np.array([[0.0], [0.0], [1.0], [1.0]])
    gradients = np.array([[-1.0], [-1.0], [1.0], [1.0]])
    hessians = np.ones(4)
    nodes, _ = grow(X, gradients, hessians, SECOND_ORDER, Splitter.EXACT, l2=1.0)
    expected = 0.5 * (4 / 3 + 4 / 3 - 0)
    np.testing.assert_allclose(nodes["gain"][0], expected)
    for gamma, n_nodes in ((expected - 1e-9, 3), (expected, 1)):
        nodes, _ = grow(X, gradients, hessians, SECOND_ORDER, Splitter.EXACT, l2=1.0,
                        min_split_gain=gamma)
        assert len(nodes) == n_nodes


def _in_order_sum(values):
    """Left to right, one addition at a time: the order ``add_node`` sums a node's rows in."""
    total = 0.0
    for value in values:
        total += value
    return total


@pytest.mark.parametrize("splitter", list(Splitter))
@pytest.mark.parametrize("labelled", [True, False])
def test_children_sums_are_their_rows_sums_in_row_order(splitter, labelled):
    # The partition adds up the children's sums as it moves their rows (in registers for two
    # classes or one channel): bit for bit the sums of each node's rows in increasing row order.
    rng = np.random.RandomState(5)
    n = 2000
    X = rng.randn(n, 4)
    X[rng.rand(n, 4) < 0.03] = np.nan
    hessians = rng.rand(n) + 0.1
    codes = rng.randint(0, 2, (n, 1)).astype(np.intp)
    if labelled:
        params = _engine.TreeParams(criterion=GINI, max_depth=6)
        sums = np.eye(2)[codes[:, 0]] * hessians[:, None]
        kwargs = dict(labels=codes, n_channels=2)
        gradients = None
    else:
        params = _engine.TreeParams(criterion=SQUARED_ERROR, max_depth=6)
        sums = gradients = rng.randn(n, 1) * hessians[:, None]
        kwargs = {}
    ((nodes, values),), _ = _engine.grow_trees(prepare(X, splitter), gradients, hessians,
                                               params, seeds=[1], **kwargs)
    indptr, indices = decision_path(np.ascontiguousarray(X, dtype=np.float32), nodes)
    rows_of = {}
    for row in range(n):
        for node in indices[indptr[row]:indptr[row + 1]]:
            rows_of.setdefault(node, []).append(row)
    assert len(rows_of) == len(nodes) > 7
    for node, rows in rows_of.items():
        weight = _in_order_sum(hessians[rows])
        assert nodes["weighted_n_node_samples"][node] == weight
        expected = [_in_order_sum(sums[rows, k]) / weight for k in range(sums.shape[1])]
        np.testing.assert_array_equal(values[node], expected)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_leaf_children_sums_equal_those_of_children_with_histograms(n_threads):
    # Boosting builds no histogram for children that stay leaves (here at max_depth), and
    # sums their rows as a histogram's gather would (chunks of 8,192 rows): the depth-1 nodes
    # of a depth-1 tree carry the sums and values of the same nodes of a depth-2 tree, whose
    # smaller child's histogram was built, bit for bit (children of over 8,192 rows).
    rng = np.random.RandomState(3)
    n = 40_000
    X = rng.randn(n, 3).astype(np.float32)
    hessians = rng.rand(n) + 0.1
    gradients = (rng.randn(n) + 2.0 * (X[:, 0] > 0.3))[:, None] * hessians[:, None]
    data = prepare(X, Splitter.HIST)
    grown = []
    for max_depth in (1, 2):
        params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=max_depth,
                                    min_samples_leaf=20, l2_regularization=1.0)
        ((nodes, values),), _ = _engine.grow_trees(data, gradients, hessians, params, seeds=[0],
                                                   n_threads=n_threads)
        grown.append((nodes, values))
    (shallow, shallow_values), (deep, deep_values) = grown
    assert len(shallow) == 3 and len(deep) > 3
    assert min(shallow["n_node_samples"][1:]) > 8192
    for child in ("left_child", "right_child"):
        a, b = shallow[child][0], deep[child][0]
        assert shallow["weighted_n_node_samples"][a] == deep["weighted_n_node_samples"][b]
        np.testing.assert_array_equal(shallow_values[a], deep_values[b])


def test_large_buffers_are_kept_between_calls_only_when_asked():
    # Trees on 20k rows allocate row buffers of over 64 kB: kept for the next call with
    # keep_buffers (boosting's rounds), given back otherwise; the trees are the same.
    rng = np.random.RandomState(4)
    X = rng.randn(20_000, 5)
    gradients = rng.randn(20_000, 1)
    hessians = np.ones(20_000)
    data = _engine.TrainingData(X, splitter=Splitter.HIST)
    params = _engine.TreeParams(criterion=Criterion.SECOND_ORDER, max_depth=4)
    plain, _ = _engine.grow_trees(data, gradients, hessians, params, seeds=[1])
    assert kept_buffer_count() == 0
    kept, _ = _engine.grow_trees(data, gradients, hessians, params, seeds=[1], keep_buffers=True)
    assert kept_buffer_count() > 0
    again, _ = _engine.grow_trees(data, gradients, hessians, params, seeds=[1], keep_buffers=True)
    release_kept_buffers()
    assert kept_buffer_count() == 0
    for trees in (kept, again):
        assert np.array_equal(trees[0][0], plain[0][0])
        assert np.array_equal(trees[0][1], plain[0][1])


@pytest.mark.parametrize("zero_hessians", [False, True])
def test_quantised_statistics_grow_the_trees_of_their_float64_values(zero_hessians):
    # A tree given its statistics' quantisation packs them (40,000 rows: dense histograms of
    # packed integers, counts bounded by the hessians). With some hessians 0 it cannot bound
    # its counts: the root's packed statistics are unpacked again and its rows counted. Either
    # way the tree is the one grown on the same (quantised) float64 values without the scales.
    from skedu._core._boosting import quantize_gradients

    rng = np.random.RandomState(5)
    n = 40_000
    X = rng.randn(n, 9)
    X[rng.rand(n, 9) < 0.05] = np.nan
    gradients = rng.randn(n, 1) + np.nan_to_num(X[:, :1])
    hessians = rng.uniform(0.0, 0.25, n)
    if zero_hessians:
        hessians[rng.rand(n) < 0.01] = 0.0
    quantized = quantize_gradients(gradients, hessians, n)
    data = _engine.TrainingData(X, splitter=Splitter.HIST)
    params = _engine.TreeParams(criterion=SECOND_ORDER, max_depth=6, l2_regularization=1.0,
                                min_samples_leaf=20)
    grown = []
    for scales in (quantized, None):
        for n_threads in (1, 2):
            ((nodes, values),), leaves = _engine.grow_trees(
                data, gradients, hessians, params, seeds=[3], n_threads=n_threads,
                return_leaves=True, quantized=scales)
            grown.append((nodes, values, leaves))
    assert len(grown[0][0]) > 60
    for nodes, values, leaves in grown[1:]:
        np.testing.assert_array_equal(nodes, grown[0][0])
        np.testing.assert_array_equal(values, grown[0][1])
        np.testing.assert_array_equal(leaves, grown[0][2])
