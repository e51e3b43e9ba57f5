"""The prediction kernels (``_core._tree``) and the flat ensemble against a naive numpy traversal."""

import pickle

import numpy as np
import pytest

from skedu._core._tree import (
    NODE_DTYPE,
    TREE_NODE_DTYPE,
    apply_trees,
    compact_nodes,
    decision_path,
    float32_at_most,
    level_nodes,
    sum_tree_values,
    tree_depths,
    walk_nodes,
)
from skedu.tree._flat_tree import FlatEnsemble, FlatTree
from tests.naive_trees import naive_apply, naive_path

N_FEATURES = 4


def adversarial_values(rng, n):
    """float32 values from a small pool holding pairs of adjacent floats, 10 % NaN."""
    base = rng.randn(12).astype(np.float32) * np.float32(1e3) ** rng.randint(-1, 2, 12)
    pool = np.concatenate([base, np.nextafter(base, np.float32(np.inf))])
    X = rng.choice(pool, (n, N_FEATURES)).astype(np.float32)
    X[rng.rand(n, N_FEATURES) < 0.1] = np.nan
    return X, pool


def random_grown_tree(rng, pool, n_splits, n_channels=2):
    """A grower-form tree split at midpoints of adjacent float32 values (the hard case)."""
    nodes = np.zeros(2 * n_splits + 1, dtype=NODE_DTYPE)
    nodes["left_child"] = nodes["right_child"] = -1
    nodes["feature"] = -2
    leaves, n_nodes = [0], 1
    for _ in range(n_splits):
        node = leaves.pop(rng.randint(len(leaves)))
        value = np.float64(rng.choice(pool))
        above = np.float64(np.nextafter(np.float32(value), np.float32(np.inf)))
        kind = rng.randint(3)
        threshold = (value + above) / 2 if kind == 0 else value if kind == 1 else value - 1e-3
        nodes[node] = (n_nodes, n_nodes + 1, rng.randint(N_FEATURES), threshold, rng.rand(),
                       rng.randint(1, 100), rng.rand() * 100, rng.rand(), nodes["depth"][node],
                       rng.randint(2), rng.randint(255))
        nodes["depth"][[n_nodes, n_nodes + 1]] = nodes["depth"][node] + 1
        leaves += [n_nodes, n_nodes + 1]
        n_nodes += 2
    values = rng.randn(len(nodes), n_channels)
    return nodes, values


def random_ensemble(seed, n_trees, n_channels=2, n_rows=500):
    rng = np.random.RandomState(seed)
    X, pool = adversarial_values(rng, n_rows)
    grown = [random_grown_tree(rng, pool, rng.randint(0, 25), n_channels) for _ in range(n_trees)]
    return X, grown


def test_float32_at_most_keeps_every_comparison():
    rng = np.random.RandomState(0)
    x = np.concatenate([rng.randn(200).astype(np.float32) * np.float32(10.0) ** rng.randint(-30, 30, 200),
                        [0, -0.0, np.finfo(np.float32).max, -np.finfo(np.float32).max,
                         np.finfo(np.float32).tiny, np.inf, -np.inf]]).astype(np.float32)
    with np.errstate(over="ignore"):
        above = np.nextafter(x, np.float32(np.inf)).astype(np.float64)
        below = np.nextafter(x, np.float32(-np.inf)).astype(np.float64)
    x64 = x.astype(np.float64)
    thresholds = np.concatenate([(x64 + above) / 2, (x64 + below) / 2, x64, x64 * (1 + 1e-12),
                                 [1e39, -1e39, 5e-46, -5e-46]])
    stored = float32_at_most(thresholds)
    assert stored.dtype == np.float32
    assert np.all(stored.astype(np.float64) <= thresholds)
    np.testing.assert_array_equal(x[:, None] <= stored[None, :], x64[:, None] <= thresholds[None, :])


def test_compact_nodes_round_thresholds_down_and_keep_the_rest():
    X, grown = random_ensemble(1, 1)
    nodes, _ = grown[0]
    stored = compact_nodes(nodes)
    assert stored.dtype == TREE_NODE_DTYPE and stored.dtype.itemsize == 30
    for name in ("left_child", "right_child", "feature", "n_node_samples", "bin_threshold"):
        np.testing.assert_array_equal(stored[name], nodes[name])
    np.testing.assert_array_equal(stored["flags"] & 1, nodes["missing_go_left"])
    np.testing.assert_allclose(stored["impurity"], nodes["impurity"], rtol=1e-7)
    assert np.all(stored["threshold"].astype(np.float64) <= nodes["threshold"])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_threads", [1, 2])
def test_apply_matches_the_naive_float64_traversal_of_the_grown_trees(seed, n_threads):
    # 200 trees of 500 rows pass the parallel threshold.
    X, grown = random_ensemble(seed, 200 if n_threads > 1 else 3)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    expected = np.column_stack([naive_apply(nodes, X) for nodes, _ in grown])
    np.testing.assert_array_equal(ensemble.apply(X, n_threads), expected)
    global_ids = apply_trees(X, ensemble.nodes, ensemble.tree_offsets, n_threads)
    np.testing.assert_array_equal(global_ids, expected + ensemble.tree_offsets)
    # The grower's nodes are accepted and converted.
    np.testing.assert_array_equal(apply_trees(X, grown[0][0], np.zeros(1, np.intp), 1)[:, 0],
                                  expected[:, 0])
    for t in (0, len(grown) - 1):
        np.testing.assert_array_equal(ensemble[t].apply(X, n_threads), expected[:, t])


@pytest.mark.parametrize("n_threads", [1, 2])
def test_apply_binned_matches_the_naive_traversal(n_threads):
    X, grown = random_ensemble(5, 150)
    binned = np.random.RandomState(0).randint(0, 256, X.shape).astype(np.uint8)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    expected = np.column_stack([naive_apply(nodes, binned, binned=True) for nodes, _ in grown])
    np.testing.assert_array_equal(ensemble.apply_binned(binned, n_threads), expected)


@pytest.mark.parametrize("value_dtype", [np.float32, np.float64])
def test_sum_values_forest_boosting_and_stages(value_dtype):
    X, grown = random_ensemble(7, 120, n_channels=3)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES, value_dtype=value_dtype)
    assert ensemble.values.dtype == value_dtype
    leaves = ensemble.apply(X) + ensemble.tree_offsets
    leaf_values = ensemble.values.astype(np.float64)[leaves]  # (n_rows, n_trees, 3)
    # Forest: every tree adds its 3 channels.
    for n_threads in (1, 2):
        np.testing.assert_allclose(ensemble.sum_values(X, n_threads=n_threads),
                                   leaf_values.sum(axis=1), rtol=1e-12, atol=1e-12)
    # Boosting: one-channel trees each adding to its class, weighted.
    single = FlatEnsemble(ensemble.nodes, ensemble.values[:, :1], ensemble.tree_offsets,
                          N_FEATURES)
    tree_output = np.arange(ensemble.n_trees) % 4
    weights = np.linspace(0.1, 1.0, ensemble.n_trees)
    expected = np.zeros((len(X), 4))
    for t in range(ensemble.n_trees):
        expected[:, tree_output[t]] += weights[t] * leaf_values[:, t, 0]
    boosted = single.sum_values(X, tree_output=tree_output, tree_weights=weights, n_threads=2)
    np.testing.assert_allclose(boosted, expected, rtol=1e-12, atol=1e-12)
    # Staged: successive ranges into one array give the whole sum.
    staged = np.zeros((len(X), 4))
    for start in range(0, ensemble.n_trees, 50):
        single.sum_values(X, staged, tree_output=tree_output, tree_weights=weights,
                          start=start, stop=start + 50)
    np.testing.assert_allclose(staged, expected, rtol=1e-12, atol=1e-12)
    first = single.sum_values(X, tree_output=tree_output, stop=10)
    assert first.shape == (len(X), 4)
    np.testing.assert_allclose(first, sum(np.eye(4)[tree_output[t]] * leaf_values[:, t, :1]
                                          for t in range(10)), rtol=1e-12, atol=1e-12)


def test_sum_values_adds_trees_in_order_for_any_thread_count():
    # 3,000 rows: several blocks per thread, lock-step groups and a remainder of rows.
    X, grown = random_ensemble(12, 40, n_rows=3003)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES, value_dtype=np.float32)
    leaves = ensemble.apply(X) + ensemble.tree_offsets
    expected = np.zeros((len(X), 2))
    for t in range(ensemble.n_trees):
        expected += ensemble.values.astype(np.float64)[leaves[:, t]]
    for n_threads in (1, 2, 3):
        np.testing.assert_array_equal(ensemble.sum_values(X, n_threads=n_threads), expected)


def test_sum_tree_values_rejects_out_of_range_outputs():
    X, grown = random_ensemble(8, 2, n_channels=1)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    out = np.zeros((len(X), 2))
    with pytest.raises(ValueError, match="outside the columns"):
        sum_tree_values(X, ensemble.nodes, ensemble.values, ensemble.tree_offsets, None, out, 1,
                        np.array([0, 2]))
    with pytest.raises(ValueError, match="one entry per tree"):
        ensemble.sum_values(X, tree_weights=[1.0])


def test_decision_path_matches_the_naive_path():
    X, grown = random_ensemble(9, 3)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    indicator, n_nodes_ptr = ensemble.decision_path(X)
    np.testing.assert_array_equal(n_nodes_ptr, np.append(ensemble.tree_offsets, ensemble.node_count))
    for i in range(0, len(X), 7):
        expected = np.concatenate([np.array(naive_path(nodes, X[i]), dtype=np.intp) + offset
                                   for (nodes, _), offset in zip(grown, ensemble.tree_offsets)])
        np.testing.assert_array_equal(indicator.indices[indicator.indptr[i]:indicator.indptr[i + 1]],
                                      expected)
    tree = ensemble[1]
    indptr, indices = decision_path(X, tree.nodes)
    leaves = tree.apply(X)
    np.testing.assert_array_equal(indices[indptr[1:] - 1], leaves)
    depths = tree.node_depths()
    np.testing.assert_array_equal(np.diff(indptr), depths[leaves] + 1)
    np.testing.assert_array_equal(depths, grown[1][0]["depth"])
    assert tree.max_depth == grown[1][0]["depth"].max()


def test_ensemble_pickles_as_arrays_and_views_its_trees():
    X, grown = random_ensemble(10, 5)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES, value_dtype=np.float32)
    ensemble.apply(X)
    # The prediction layout built on use is not pickled.
    assert len(pickle.dumps(ensemble)) < len(pickle.dumps(ensemble.nodes)) * 2
    restored = pickle.loads(pickle.dumps(ensemble))
    assert "_walk_cache" not in restored.__dict__
    np.testing.assert_array_equal(restored.apply(X), ensemble.apply(X))
    np.testing.assert_array_equal(restored.sum_values(X), ensemble.sum_values(X))
    assert len(ensemble) == 5
    for t, tree in enumerate(ensemble):
        alone = FlatTree.from_grown(*grown[t], N_FEATURES, value_dtype=np.float32)
        np.testing.assert_array_equal(tree.nodes, alone.nodes)
        np.testing.assert_array_equal(tree.values, alone.values)
        assert np.shares_memory(tree.nodes, ensemble.nodes)
        np.testing.assert_array_equal(tree.predict(X), alone.predict(X))
        np.testing.assert_array_equal(tree.predict(X), ensemble.values[ensemble.apply(X)[:, t]
                                                                       + ensemble.tree_offsets[t]])


def test_split_gains_follow_from_impurities():
    X, grown = random_ensemble(11, 4)
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    gains = ensemble.split_gains()
    for t, (nodes, _) in enumerate(grown):
        weighted = nodes["impurity"] * nodes["weighted_n_node_samples"]
        split = nodes["left_child"] != -1
        expected = np.zeros(len(nodes))
        expected[split] = (weighted[split] - weighted[nodes["left_child"][split]]
                           - weighted[nodes["right_child"][split]])
        local = gains[ensemble.tree_offsets[t]:ensemble.tree_offsets[t] + len(nodes)]
        np.testing.assert_allclose(local, expected, rtol=1e-5, atol=1e-4)
        np.testing.assert_array_equal(local, ensemble[t].split_gains())
    boosted = FlatTree.from_grown(*grown[0], N_FEATURES, second_order=True)
    nodes = grown[0][0]
    split = np.flatnonzero(nodes["left_child"] != -1)
    np.testing.assert_allclose(boosted.split_gains()[split],
                               nodes["impurity"][split] - nodes["impurity"][nodes["left_child"][split]]
                               - nodes["impurity"][nodes["right_child"][split]], rtol=1e-5, atol=1e-6)


def test_invalid_trees_and_inputs_raise():
    X, grown = random_ensemble(12, 1)
    nodes = compact_nodes(grown[0][0])
    values = grown[0][1]
    assert nodes["left_child"][0] != -1
    backwards = nodes.copy()
    backwards["left_child"][0] = 0
    with pytest.raises(ValueError, match="Invalid tree"):
        FlatTree(backwards, values, N_FEATURES)
    with pytest.raises(ValueError, match="Invalid tree"):
        FlatTree(nodes, values, int(nodes["feature"].max()))
    with pytest.raises(ValueError, match="values must have shape"):
        FlatTree(nodes, values[:-1], N_FEATURES)
    with pytest.raises(TypeError, match="dtype"):
        FlatTree(np.zeros(3), values, N_FEATURES)
    with pytest.raises(ValueError, match="tree_offsets"):
        FlatEnsemble(nodes, values, [1], N_FEATURES)
    ensemble = FlatEnsemble(nodes, values, [0], N_FEATURES)
    with pytest.raises(ValueError, match="X must have shape"):
        ensemble.apply(X[:, :2])
    with pytest.raises(ValueError, match="value_dtype"):
        FlatEnsemble.from_grown(grown, N_FEATURES, value_dtype=np.int64)


def chain_tree(rng, pool, depth, n_channels=2):
    """A grower-form tree that splits its left child again and again: ``depth`` levels."""
    nodes = np.zeros(2 * depth + 1, dtype=NODE_DTYPE)
    nodes["left_child"] = nodes["right_child"] = -1
    nodes["feature"] = -2
    for level in range(depth):
        node = 2 * level - 1 if level else 0
        nodes[node] = (2 * level + 1, 2 * level + 2, rng.randint(N_FEATURES),
                       np.float64(rng.choice(pool)), 0.0, 1, 1.0, 0.0, level, rng.randint(2), 0)
    return nodes, rng.randn(len(nodes), n_channels)


@pytest.mark.parametrize("n_trees", [40, 2000])
def test_fixed_step_walks_of_small_models_match_the_naive_traversal(n_trees):
    # Trees up to 12 levels deep are walked in as many steps as they are deep, deeper ones and
    # single leaves until no row moves. The ensemble keeps its trees' depths; the kernel
    # called without them computes them for small models (up to 256 kB of 16-byte walk
    # nodes) and walks large ones' trees until no row moves.
    rng = np.random.RandomState(n_trees)
    X, pool = adversarial_values(rng, 301)
    grown = [chain_tree(rng, pool, depth) for depth in rng.choice([0, 1, 5, 12, 13, 20], n_trees)]
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    assert (len(ensemble.nodes) * 16 > 262144) == (n_trees == 2000)
    expected = np.column_stack([naive_apply(nodes, X) for nodes, _ in grown])
    for n_threads in (1, 2):
        np.testing.assert_array_equal(ensemble.apply(X, n_threads), expected)
        out = np.zeros((len(X), 2))
        sum_tree_values(X, ensemble.nodes, ensemble.values, ensemble.tree_offsets, None, out,
                        n_threads)
        stored = ensemble.values[expected + ensemble.tree_offsets]
        np.testing.assert_allclose(out, stored.sum(axis=1), rtol=1e-12)
        np.testing.assert_allclose(ensemble.sum_values(X, n_threads=n_threads), out, rtol=1e-12)
        staged = ensemble.sum_values(X, stop=n_trees // 2, n_threads=n_threads)
        ensemble.sum_values(X, staged, start=n_trees // 2, n_threads=n_threads)
        np.testing.assert_allclose(staged, out, rtol=1e-12)
    depths = tree_depths(walk_nodes(ensemble.nodes, ensemble.tree_offsets), ensemble.tree_offsets)
    chain_depths = np.array([(len(nodes) - 1) // 2 for nodes, _ in grown])
    np.testing.assert_array_equal(depths, np.where(chain_depths <= 12, chain_depths, 0))
    with pytest.raises(ValueError, match="depths must be"):
        apply_trees(X, ensemble.nodes, ensemble.tree_offsets, 1, depths=depths[:-1])


def complete_tree(rng, pool, depth):
    """A grower-form tree of one value whose ``depth`` levels are all full."""
    n_splits = 2 ** depth - 1
    nodes = np.zeros(2 * n_splits + 1, dtype=NODE_DTYPE)
    nodes["left_child"] = nodes["right_child"] = -1
    nodes["feature"] = -2
    for node in range(n_splits):
        level = int(np.log2(node + 1))
        nodes[node] = (2 * node + 1, 2 * node + 2, rng.randint(N_FEATURES),
                       np.float64(rng.choice(pool)), 0.0, 1, 1.0, 0.0, level, rng.randint(2), 0)
    nodes["depth"][n_splits:] = depth
    return nodes, rng.randn(len(nodes), 1)


@pytest.mark.parametrize("value_dtype", [np.float32, np.float64])
def test_level_walk_of_boosted_trees_adds_the_naive_leaves_in_tree_order(value_dtype):
    # Boosted trees (one value, no weights) up to 8 levels deep are walked laid out level by
    # level: leaves above the last level (single-leaf trees too) are padded, NaN goes to the
    # learned side, and every row adds its trees in order: the walk's sums, bit for bit.
    rng = np.random.RandomState(3)
    X, pool = adversarial_values(rng, 301)
    grown = [chain_tree(rng, pool, depth, n_channels=1) for depth in (0, 1, 8)]
    grown.append(complete_tree(rng, pool, 8))  # many nodes: no padding
    while len(grown) < 60:
        nodes, values = random_grown_tree(rng, pool, rng.randint(0, 12), n_channels=1)
        if nodes["depth"].max() <= 8:
            grown.append((nodes, values))
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES, value_dtype=value_dtype)
    levels = ensemble._levels(False)
    assert levels is not None
    np.testing.assert_array_equal(levels[4], [0, 1, 8] + [nodes["depth"].max()
                                                          for nodes, _ in grown[3:]])
    leaves = np.column_stack([naive_apply(nodes, X) for nodes, _ in grown])
    tree_output = np.arange(len(grown)) % 3
    expected = np.zeros((len(X), 3))
    for t in range(len(grown)):
        expected[:, tree_output[t]] += ensemble.values[ensemble.tree_offsets[t] + leaves[:, t], 0]
    for n_threads in (1, 2, 3):
        np.testing.assert_array_equal(
            ensemble.sum_values(X, tree_output=tree_output, n_threads=n_threads), expected)
    staged = ensemble.sum_values(X, tree_output=tree_output, stop=25)
    ensemble.sum_values(X, staged, tree_output=tree_output, start=25)
    np.testing.assert_array_equal(staged, expected)
    # Binned rows (bin 255 missing): the same sums as the walk over the stored nodes.
    binned = rng.randint(0, 256, (301, N_FEATURES)).astype(np.uint8)
    binned[rng.rand(*binned.shape) < 0.1] = 255
    walked = np.zeros((len(X), 3))
    sum_tree_values(binned, ensemble.nodes, ensemble.values, ensemble.tree_offsets, None,
                    walked, 2, tree_output)
    np.testing.assert_array_equal(
        ensemble.sum_values(binned, tree_output=tree_output, binned=True, n_threads=2), walked)


@pytest.mark.parametrize("depths", [(2, 9), (8,)], ids=["too deep", "too sparse"])
def test_level_nodes_leave_deeper_or_sparse_trees_to_the_walk(depths):
    # A tree deeper than 8 levels, or a layout over 4 times the walk nodes' bytes (a chain of
    # 8 levels: 4 kB of padded levels for 17 nodes) is walked instead.
    rng = np.random.RandomState(4)
    X, pool = adversarial_values(rng, 101)
    grown = [chain_tree(rng, pool, depth, n_channels=1) for depth in depths]
    ensemble = FlatEnsemble.from_grown(grown, N_FEATURES)
    assert level_nodes(ensemble.nodes, ensemble.values[:, 0], ensemble.tree_offsets) is None
    assert ensemble._levels(False) is None
    expected = ensemble.values[np.column_stack([naive_apply(nodes, X) for nodes, _ in grown])
                               + ensemble.tree_offsets, 0].sum(axis=1)
    np.testing.assert_allclose(ensemble.sum_values(X)[:, 0], expected, rtol=1e-12)
    # Several values per tree (forests): no levels.
    assert FlatEnsemble.from_grown([chain_tree(rng, pool, 2)], N_FEATURES)._levels(False) is None


def test_compact_nodes_thresholds_are_float32_at_most_at_the_range_ends():
    grown = np.zeros(6, dtype=NODE_DTYPE)
    grown["threshold"] = [1e39, -1e39, np.inf, -np.inf, 3.4028235677973366e38, 0.1]
    np.testing.assert_array_equal(compact_nodes(grown)["threshold"],
                                  float32_at_most(grown["threshold"]))
