"""A fitted ensemble of trees as one set of flat arrays, predicted in one compiled call."""

import numpy as np
from scipy import sparse

from .._core._tree import apply_trees, sum_tree_values
from ..tree._flat_tree import FlatTree


class TreeEnsemble:
    """Every tree's nodes and values one after the other, with each tree's offset and seed.

    Parameters
    ----------
    nodes : ndarray of the grower's node dtype
    values : ndarray of shape (n_nodes_total, n_channels)
    offsets : ndarray of shape (n_trees + 1,), intp
        Tree ``t``'s nodes are ``nodes[offsets[t]:offsets[t + 1]]``.
    seeds : ndarray of shape (n_trees,), uint64
    """

    def __init__(self, nodes, values, offsets, seeds):
        self.nodes = nodes
        self.values = values
        self.offsets = offsets
        self.seeds = seeds

    @classmethod
    def empty(cls, n_channels):
        """An ensemble of no tree whose trees will have ``n_channels`` value channels."""
        from .._core._tree import NODE_DTYPE

        return cls(np.empty(0, dtype=NODE_DTYPE), np.empty((0, n_channels)),
                   np.zeros(1, dtype=np.intp), np.empty(0, dtype=np.uint64))

    def extended(self, trees, seeds):
        """A new ensemble with the grown ``trees`` (list of (nodes, values)) appended."""
        sizes = [len(nodes) for nodes, _ in trees]
        offsets = np.concatenate([self.offsets, self.offsets[-1] + np.cumsum(sizes)])
        return TreeEnsemble(np.concatenate([self.nodes] + [nodes for nodes, _ in trees]),
                            np.concatenate([self.values] + [values for _, values in trees]),
                            offsets.astype(np.intp),
                            np.concatenate([self.seeds, np.asarray(seeds, dtype=np.uint64)]))

    n_trees = property(lambda self: len(self.offsets) - 1)
    n_channels = property(lambda self: self.values.shape[1])

    def tree(self, t, n_features):
        """Tree ``t`` as a :class:`FlatTree`."""
        start, end = self.offsets[t], self.offsets[t + 1]
        return FlatTree(self.nodes[start:end], self.values[start:end], n_features)

    def tree_values(self, t, X, n_threads=1):
        """Leaf values of tree ``t`` for the rows of ``X``, shape (n_samples, n_channels)."""
        start = self.offsets[t]
        leaves = apply_trees(X, self.nodes[start:self.offsets[t + 1]],
                             np.zeros(1, dtype=np.intp), n_threads)[:, 0]
        return self.values[start + leaves]

    def mean_values(self, X, n_threads=1):
        """Mean over trees of the leaf values every row reaches, in one compiled call."""
        out = np.zeros((X.shape[0], self.n_channels))
        weights = np.full(self.n_trees, 1.0 / self.n_trees)
        sum_tree_values(X, self.nodes, self.values, self.offsets[:-1], weights, out, n_threads)
        return out

    def apply(self, X, n_threads=1):
        """Leaf (node index within its tree) of every row in every tree."""
        return apply_trees(X, self.nodes, self.offsets[:-1], n_threads) - self.offsets[:-1]

    def decision_path(self, X):
        """CSR indicator of the nodes each row passes through, and the trees' node offsets."""
        paths = [self.tree(t, X.shape[1]).decision_path(X) for t in range(self.n_trees)]
        return sparse.hstack(paths).tocsr(), self.offsets.copy()

    def mean_feature_importances(self, n_features):
        """Mean over trees of each tree's normalised impurity decrease per feature."""
        importances = np.zeros(n_features)
        for t in range(self.n_trees):
            importances += self.tree(t, n_features).feature_importances()
        return importances / max(self.n_trees, 1)
