"""A fitted tree as flat node arrays, shared by every tree model of skedu.

Trees pickle as numpy arrays; prediction, ``apply`` and ``decision_path`` run in compiled
kernels (``_core._tree``) that also serve whole ensembles.
"""

import numpy as np
from scipy import sparse

from .._core._prune import prune
from .._core._tree import NODE_DTYPE, apply_trees, decision_path

TREE_LEAF = -1


class FlatTree:
    """Node arrays of one fitted tree.

    Parameters
    ----------
    nodes : ndarray of NODE_DTYPE, shape (n_nodes,)
        Node 0 is the root; children have larger ids than their parent.
    values : ndarray of shape (n_nodes, n_channels)
        Per node: class fractions (classification), means (regression) or Newton steps.
    n_features : int
        Number of features the tree was grown on.

    Attributes
    ----------
    node_count : int
    children_left, children_right, feature, threshold, impurity, n_node_samples,
    weighted_n_node_samples, missing_go_to_left : ndarray of shape (n_nodes,)
        Views of the node fields, named as in scikit-learn's ``Tree``.
    """

    def __init__(self, nodes, values, n_features):
        if nodes.dtype != NODE_DTYPE:
            raise TypeError(f"nodes must have dtype {NODE_DTYPE}, got {nodes.dtype}.")
        self.nodes = np.ascontiguousarray(nodes)
        self.values = np.ascontiguousarray(values, dtype=np.float64)
        self.n_features = n_features

    node_count = property(lambda self: len(self.nodes))
    children_left = property(lambda self: self.nodes["left_child"])
    children_right = property(lambda self: self.nodes["right_child"])
    feature = property(lambda self: self.nodes["feature"])
    threshold = property(lambda self: self.nodes["threshold"])
    impurity = property(lambda self: self.nodes["impurity"])
    n_node_samples = property(lambda self: self.nodes["n_node_samples"])
    weighted_n_node_samples = property(lambda self: self.nodes["weighted_n_node_samples"])
    missing_go_to_left = property(lambda self: self.nodes["missing_go_left"])

    @property
    def max_depth(self):
        """Depth of the deepest node (0 for a single leaf)."""
        return int(self.nodes["depth"].max())

    @property
    def n_leaves(self):
        """Number of leaves."""
        return int(np.count_nonzero(self.children_left == TREE_LEAF))

    def apply(self, X, n_threads=1):
        """Leaf id of every row of ``X`` (float32, C-contiguous), shape (n_samples,)."""
        return apply_trees(X, self.nodes, np.zeros(1, dtype=np.intp), n_threads)[:, 0]

    def predict(self, X, n_threads=1):
        """Value of the leaf every row reaches, shape (n_samples, n_channels)."""
        return self.values[self.apply(X, n_threads)]

    def decision_path(self, X):
        """CSR indicator matrix (n_samples, n_nodes) of the nodes each row passes through."""
        indptr, indices = decision_path(X, self.nodes)
        data = np.ones(len(indices), dtype=np.intp)
        return sparse.csr_matrix((data, indices, indptr), shape=(X.shape[0], self.node_count))

    def feature_importances(self):
        """Total weighted impurity decrease per feature, normalised to sum to 1."""
        nodes = self.nodes
        split = np.flatnonzero(nodes["left_child"] != TREE_LEAF)
        weighted = nodes["impurity"] * nodes["weighted_n_node_samples"]
        decrease = (weighted[split] - weighted[nodes["left_child"][split]]
                    - weighted[nodes["right_child"][split]])
        importances = np.bincount(nodes["feature"][split], weights=decrease,
                                  minlength=self.n_features).astype(np.float64)
        total = importances.sum()
        return importances / total if total > 0 else importances

    def cost_complexity_pruning_path(self):
        """Effective alphas and total leaf impurities of the minimal cost-complexity path."""
        _, _, alphas, impurities = prune(self.nodes, np.inf, True)
        return alphas, impurities

    def pruned(self, ccp_alpha):
        """The subtree that minimal cost-complexity pruning with ``ccp_alpha`` keeps."""
        is_leaf, in_tree, _, _ = prune(self.nodes, ccp_alpha, False)
        if in_tree.all() and np.array_equal(is_leaf, self.children_left == TREE_LEAF):
            return self
        new_ids = np.cumsum(in_tree) - 1
        nodes = self.nodes[in_tree].copy()
        kept_leaf = is_leaf[in_tree]
        nodes["left_child"] = np.where(kept_leaf, TREE_LEAF, new_ids[nodes["left_child"]])
        nodes["right_child"] = np.where(kept_leaf, TREE_LEAF, new_ids[nodes["right_child"]])
        nodes["feature"][kept_leaf] = -2
        nodes["threshold"][kept_leaf] = -2.0
        nodes["gain"][kept_leaf] = 0.0
        return FlatTree(nodes, self.values[in_tree], self.n_features)
