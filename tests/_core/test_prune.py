"""Minimal cost-complexity pruning (``_core._prune``) against a naive numpy twin on small trees."""

import numpy as np
import pytest

from skedu._core._prune import prune
from skedu._core._tree import TREE_NODE_DTYPE
from skedu.tree._flat_tree import FlatTree


def random_tree(seed, n_splits):
    """A stored tree with generic float32 impurities and weights (no ties between alphas).

    Children split their parent's weight and have a lower impurity, so no split adds risk.
    """
    rng = np.random.RandomState(seed)
    nodes = np.zeros(2 * n_splits + 1, dtype=TREE_NODE_DTYPE)
    nodes["left_child"] = nodes["right_child"] = -1
    nodes["feature"] = -2
    nodes["impurity"][0], nodes["weighted_n_node_samples"][0] = rng.rand(), 100.0
    leaves, n_nodes = [0], 1
    for _ in range(n_splits):
        node = leaves.pop(rng.randint(len(leaves)))
        children = [n_nodes, n_nodes + 1]
        nodes["left_child"][node], nodes["right_child"][node] = children
        nodes["feature"][node] = rng.randint(3)
        share = rng.uniform(0.1, 0.9)
        weight = nodes["weighted_n_node_samples"][node]
        nodes["weighted_n_node_samples"][children] = weight * share, weight * (1 - share)
        nodes["impurity"][children] = nodes["impurity"][node] * rng.uniform(0.2, 1.0, 2)
        leaves += children
        n_nodes += 2
    nodes["n_node_samples"] = rng.randint(1, 50, len(nodes))
    return nodes


def naive_pruning(nodes, ccp_alpha=np.inf):
    """Weakest-link pruning by its definition: recompute every subtree's risk at every step.

    Returns the path (alphas, total leaf risks) and the nodes kept and leaves after pruning
    every weakest link whose effective alpha is at most ``ccp_alpha``.
    """
    left, right = nodes["left_child"].astype(int), nodes["right_child"].astype(int)
    risk = (nodes["impurity"].astype(np.float64) * nodes["weighted_n_node_samples"]
            / np.float64(nodes["weighted_n_node_samples"][0]))
    is_leaf = left == -1

    def leaves_under(node):
        if is_leaf[node]:
            return [node]
        return leaves_under(left[node]) + leaves_under(right[node])

    def reachable(node):
        return [node] if is_leaf[node] else [node] + reachable(left[node]) + reachable(right[node])

    alphas, impurities = [0.0], [risk[leaves_under(0)].sum()]
    while not is_leaf[0]:
        candidates = []
        for node in reachable(0):
            if not is_leaf[node]:
                below = leaves_under(node)
                candidates.append(((risk[node] - risk[below].sum()) / (len(below) - 1), node))
        alpha, weakest = min(candidates)
        if alpha > ccp_alpha:
            break
        is_leaf[weakest] = True
        alphas.append(alpha)
        impurities.append(risk[leaves_under(0)].sum())
    in_tree = np.zeros(len(nodes), dtype=bool)
    in_tree[reachable(0)] = True
    return np.array(alphas), np.array(impurities), in_tree, is_leaf & in_tree


@pytest.mark.parametrize("seed", range(12))
def test_path_and_pruned_trees_equal_the_naive_twin(seed):
    nodes = random_tree(seed, n_splits=3 + seed)
    alphas, impurities, _, _ = naive_pruning(nodes)
    _, _, path_alphas, path_impurities = prune(nodes, np.inf, True)
    np.testing.assert_allclose(path_alphas, alphas, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(path_impurities, impurities, rtol=1e-10, atol=1e-14)
    # At each breakpoint (each side's own rounding of it) and between two, the same subtree.
    between = np.concatenate([(alphas[1:] + alphas[:-1]) / 2, [alphas.max() + 1]])
    for ours, theirs in zip(np.concatenate([path_alphas, between]),
                            np.concatenate([alphas, between])):
        _, _, expected_in_tree, expected_leaf = naive_pruning(nodes, theirs)
        is_leaf, in_tree, _, _ = prune(nodes, ours, False)
        np.testing.assert_array_equal(in_tree, expected_in_tree)
        np.testing.assert_array_equal(is_leaf & in_tree, expected_leaf)


def test_pruned_flat_tree_renumbers_the_kept_nodes():
    nodes = random_tree(3, n_splits=9)
    values = np.arange(len(nodes), dtype=np.float64)[:, None]
    tree = FlatTree(nodes, values, 3)
    alphas, _ = tree.cost_complexity_pruning_path()
    ccp_alpha = alphas[len(alphas) // 2]
    _, _, in_tree, leaf = naive_pruning(nodes, ccp_alpha)
    pruned = tree.pruned(ccp_alpha)
    assert pruned.node_count == in_tree.sum()
    np.testing.assert_array_equal(pruned.values[:, 0], np.flatnonzero(in_tree))
    np.testing.assert_array_equal(pruned.children_left == -1, leaf[in_tree])
    np.testing.assert_array_equal(pruned.feature[leaf[in_tree]], -2)
    new_id = np.cumsum(in_tree) - 1
    split = ~leaf[in_tree]
    np.testing.assert_array_equal(pruned.children_left[split],
                                  new_id[nodes["left_child"][in_tree][split]])
    assert tree.pruned(0.0) is tree
    assert tree.pruned(alphas[-1]).node_count == 1
