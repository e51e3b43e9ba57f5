"""Fitted trees as compact flat node arrays, shared by every tree model of skedu.

A tree is stored as ``TREE_NODE_DTYPE`` records (30 bytes: int32 children and feature, float32
threshold, a flag byte, the uint8 bin threshold, float32 impurity and weight, int32 count) and
a ``values`` array (float32 class fractions for classifiers, float64 otherwise). An ensemble
(:class:`FlatEnsemble`) concatenates its trees' arrays; a :class:`FlatTree` is one tree, or a
view of one tree of an ensemble. Both pickle as numpy arrays; prediction, ``apply`` and
``decision_path`` run in the compiled kernels of ``_core._tree``.
"""

import operator

import numpy as np
from scipy import sparse
from sklearn.base import is_classifier

from .._core._prune import prune
from .._core._tree import (
    NODE_DTYPE,
    TREE_NODE_DTYPE,
    apply_trees,
    compact_nodes,
    decision_path,
    level_nodes,
    node_depths,
    sum_tree_values,
    tree_depths,
    walk_nodes,
)

TREE_LEAF = -1
TREE_UNDEFINED = -2
_VALUE_DTYPES = (np.float32, np.float64)


def concatenate_nodes(node_arrays):
    """Concatenate trees' node arrays (one structured dtype) into one contiguous array.

    ``np.concatenate`` promotes structured dtypes field by field for every array, in Python:
    about 15 us per tree, most of the first prediction of a small boosted model. The arrays
    share one dtype, so their bytes are copied as they are.
    """
    dtype = node_arrays[0].dtype
    if any(nodes.dtype != dtype for nodes in node_arrays):
        raise TypeError("node arrays of different dtypes cannot be concatenated")
    raw = [np.ascontiguousarray(nodes).view(np.uint8) for nodes in node_arrays]
    return np.concatenate(raw).view(dtype)


def _check_value_dtype(value_dtype):
    value_dtype = np.dtype(value_dtype)
    if value_dtype not in _VALUE_DTYPES:
        raise ValueError(f"value_dtype must be float32 or float64, got {value_dtype}.")
    return value_dtype


def _check_structure(nodes, values, tree_offsets, n_features):
    """Raise ValueError unless the arrays describe valid trees (so kernels stay in bounds)."""
    n_nodes = len(nodes)
    if values.ndim != 2 or len(values) != n_nodes:
        raise ValueError(f"values must have shape (n_nodes={n_nodes}, n_channels), "
                         f"got {values.shape}.")
    ends = np.append(tree_offsets[1:], n_nodes)
    if len(tree_offsets) and (tree_offsets[0] != 0 or np.any(ends <= tree_offsets)):
        raise ValueError("tree_offsets must start at 0 and increase strictly below n_nodes.")
    if n_nodes and not len(tree_offsets):
        raise ValueError("tree_offsets is empty but there are nodes.")
    sizes = ends - tree_offsets
    tree_of = np.repeat(np.arange(len(tree_offsets)), sizes)
    local = np.arange(n_nodes) - tree_offsets[tree_of]
    left, right = nodes["left_child"], nodes["right_child"]
    leaf = left == TREE_LEAF
    split = ~leaf
    size = sizes[tree_of]
    if (np.any(right[leaf] != TREE_LEAF)
            or np.any((left[split] <= local[split]) | (left[split] >= size[split]))
            or np.any((right[split] <= local[split]) | (right[split] >= size[split]))
            or np.any((nodes["feature"][split] < 0) | (nodes["feature"][split] >= n_features))):
        raise ValueError("Invalid tree: every split needs two children with larger ids than "
                         "itself inside its tree, and a feature in [0, n_features).")


class FlatTree:
    """Node arrays of one fitted tree.

    Parameters
    ----------
    nodes : ndarray of TREE_NODE_DTYPE or of the grower's NODE_DTYPE, shape (n_nodes,)
        Node 0 is the root; children have larger ids than their parent. Grower nodes are
        converted (see :meth:`from_grown`).
    values : ndarray of shape (n_nodes, n_channels)
        Per node: class fractions (classification), means (regression) or Newton steps.
    n_features : int
        Number of features the tree was grown on.
    value_dtype : {float32, float64}, default=None
        Storage type of ``values``; None keeps float32 values and stores others as float64.
        Class fractions fit in float32 (predicted probabilities move by at most 6e-8).
    second_order : bool, default=False
        Impurities are second-order node objectives ``-G**2 / (2 (H + lambda))`` (boosting)
        rather than CART impurities; only :meth:`split_gains` reads it.

    n_classes : array-like of int, default=None
        Classes per output (1 for a regression output), as scikit-learn's ``Tree.n_classes``;
        the estimator sets it (:func:`tree_n_classes`). None: one regression output per
        channel. Only the scikit-learn-shaped ``value`` reads it.

    Attributes
    ----------
    nodes : ndarray of TREE_NODE_DTYPE
    values : ndarray of shape (n_nodes, n_channels), float32 or float64
        The stored node values the prediction kernels read.
    node_count, capacity : int
    n_features, n_outputs, max_n_classes, max_depth, n_leaves : int
    n_classes : ndarray of shape (n_outputs,), intp
    children_left, children_right, feature, threshold, impurity, n_node_samples,
    weighted_n_node_samples, missing_go_to_left : ndarray of shape (n_nodes,)
        The node fields as scikit-learn's ``Tree`` holds them: intp ids and features
        (``TREE_LEAF`` = -1 children, ``TREE_UNDEFINED`` = -2 feature and threshold at
        leaves), float64 threshold, impurity and weight, intp counts, uint8 flag. Built on
        first access and kept (the stored records are float32/int32): the threshold is the
        stored one, the largest float32 not above the split's midpoint, so every float32 value
        goes the same way.
    value : ndarray of shape (n_nodes, n_outputs, max_n_classes), float64
        scikit-learn's ``Tree.value`` (since 1.4): weighted class fractions (classification,
        zero-padded to ``max_n_classes``) or means (regression). Fractions stored as float32
        are given back as the exact float64 ratio ``count / weight`` when the node's weight is
        a whole number (integer sample weights), so that they equal scikit-learn's bit for bit.
    """

    def __init__(self, nodes, values, n_features, *, value_dtype=None, second_order=False,
                 n_classes=None):
        nodes = np.asarray(nodes)
        if nodes.dtype == NODE_DTYPE:
            nodes = compact_nodes(nodes)
        elif nodes.dtype != TREE_NODE_DTYPE:
            raise TypeError(f"nodes must have dtype TREE_NODE_DTYPE or NODE_DTYPE, got {nodes.dtype}.")
        values = np.asarray(values)
        if value_dtype is None:
            value_dtype = values.dtype if values.dtype == np.float32 else np.float64
        values = np.ascontiguousarray(values, dtype=_check_value_dtype(value_dtype))
        if len(nodes) == 0:
            raise ValueError("A tree has at least one node.")
        _check_structure(nodes, values, np.zeros(1, dtype=np.intp), n_features)
        self.nodes = np.ascontiguousarray(nodes)
        self.values = values
        self.n_features = int(n_features)
        self.second_order = bool(second_order)
        self.n_classes = n_classes

    @classmethod
    def from_grown(cls, nodes, values, n_features, *, value_dtype=np.float64, second_order=False):
        """Store a tree from the grower's ``(nodes, values)``.

        Parameters
        ----------
        nodes : ndarray of NODE_DTYPE
        values : ndarray of shape (n_nodes, n_channels), float64
        n_features : int
        value_dtype : {float32, float64}, default=float64
            float32 for class fractions (classification trees), float64 for regression
            and boosting.
        second_order : bool, default=False

        Returns
        -------
        tree : FlatTree
        """
        # The grower's trees are valid by construction: no structure check (it costs as much
        # as growing a small tree).
        values = np.ascontiguousarray(values, dtype=_check_value_dtype(value_dtype))
        tree = cls._view(compact_nodes(nodes), values, int(n_features), bool(second_order))
        tree.n_classes = None
        return tree

    @classmethod
    def _view(cls, nodes, values, n_features, second_order):
        """A tree over already checked arrays (no copy, no check)."""
        tree = cls.__new__(cls)
        tree.nodes, tree.values = nodes, values
        tree.n_features, tree.second_order = n_features, second_order
        return tree

    # -- scikit-learn's ``Tree`` interface ---------------------------------------------------

    node_count = property(lambda self: len(self.nodes))
    capacity = node_count

    @property
    def n_classes(self):
        """Classes per output (1 for regression outputs), shape (n_outputs,), intp."""
        n_classes = getattr(self, "_n_classes", None)
        if n_classes is None:
            return np.ones(self.values.shape[1], dtype=np.intp)
        return n_classes

    @n_classes.setter
    def n_classes(self, n_classes):
        if n_classes is not None:
            n_classes = np.atleast_1d(np.asarray(n_classes, dtype=np.intp))
            n_channels = self.values.shape[1]
            if n_classes.ndim != 1 or np.any(n_classes < 1) or n_classes.sum() != n_channels:
                raise ValueError(f"n_classes must be positive counts summing to the number of "
                                 f"value channels ({n_channels}), got {n_classes}.")
        self._n_classes = n_classes
        self._sklearn_arrays = {}

    n_outputs = property(lambda self: len(self.n_classes))
    max_n_classes = property(lambda self: int(self.n_classes.max()))

    def _sklearn_array(self, name, make):
        """A scikit-learn-shaped array, built on first access and kept with the tree (tools
        index these arrays node by node; rebuilding them per access would be quadratic)."""
        cache = self.__dict__.setdefault("_sklearn_arrays", {})
        if name not in cache:
            cache[name] = make()
            cache[name].flags.writeable = False
        return cache[name]

    def _field(self, field, dtype):
        return self._sklearn_array(field, lambda: self.nodes[field].astype(dtype))

    children_left = property(lambda self: self._field("left_child", np.intp))
    children_right = property(lambda self: self._field("right_child", np.intp))
    feature = property(lambda self: self._field("feature", np.intp))
    threshold = property(lambda self: self._field("threshold", np.float64))
    impurity = property(lambda self: self._field("impurity", np.float64))
    n_node_samples = property(lambda self: self._field("n_node_samples", np.intp))
    weighted_n_node_samples = property(
        lambda self: self._field("weighted_n_node_samples", np.float64))
    missing_go_to_left = property(lambda self: self._sklearn_array(
        "missing_go_to_left", lambda: (self.nodes["flags"] & 1).astype(np.uint8)))
    value = property(lambda self: self._sklearn_array("value", lambda: sklearn_value(
        self.values, self.n_classes, self.nodes["weighted_n_node_samples"])))

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_sklearn_arrays", None)  # derived arrays: rebuilt on access
        return state

    def node_depths(self):
        """Depth of every node (0 for the root), shape (n_nodes,), int32."""
        return node_depths(self.nodes, np.zeros(1, dtype=np.intp))

    @property
    def max_depth(self):
        """Depth of the deepest node (0 for a single leaf)."""
        return int(self.node_depths().max())

    @property
    def n_leaves(self):
        """Number of leaves."""
        return int(np.count_nonzero(self.nodes["left_child"] == TREE_LEAF))

    def apply(self, X, n_threads=1):
        """Leaf id of every row of ``X`` (float32, C-contiguous), shape (n_samples,)."""
        return apply_trees(X, self.nodes, np.zeros(1, dtype=np.intp), n_threads)[:, 0]

    def predict(self, X, n_threads=1):
        """Value of the leaf every row reaches, shape (n_samples, n_channels), float64."""
        out = np.zeros((X.shape[0], self.values.shape[1]))
        sum_tree_values(X, self.nodes, self.values, np.zeros(1, dtype=np.intp), None, out,
                        n_threads)
        return out

    def decision_path(self, X):
        """CSR indicator matrix (n_samples, n_nodes) of the nodes each row passes through."""
        indptr, indices = decision_path(X, self.nodes)
        data = np.ones(len(indices), dtype=np.intp)
        return sparse.csr_matrix((data, indices, indptr), shape=(X.shape[0], self.node_count))

    def split_gains(self):
        """Gain of every split (0 at leaves), float64, from the stored impurities.

        CART: the weighted impurity decrease ``W imp - W_L imp_L - W_R imp_R``; second order:
        ``imp - imp_L - imp_R`` with ``imp = -G**2 / (2 (H + lambda))``.
        """
        return _split_gains(self.nodes, 0, self.second_order)

    def feature_importances(self):
        """Total split gain per feature, normalised to sum to 1."""
        importances = np.bincount(np.maximum(self.nodes["feature"], 0), weights=self.split_gains(),
                                  minlength=self.n_features)
        total = importances.sum()
        return importances / total if total > 0 else importances

    def compute_feature_importances(self, normalize=True):
        """scikit-learn's ``Tree.compute_feature_importances``: total weighted impurity
        decrease per feature, divided by the root's weight (and normalised to sum to 1)."""
        importances = np.bincount(np.maximum(self.nodes["feature"], 0),
                                  weights=self.split_gains(), minlength=self.n_features)
        importances /= float(self.nodes["weighted_n_node_samples"][0])
        if normalize:
            total = importances.sum()
            if total > 0:
                importances /= total
        return importances

    def cost_complexity_pruning_path(self):
        """Effective alphas and total leaf impurities of the minimal cost-complexity path."""
        _, _, alphas, impurities = prune(self.nodes, np.inf, True)
        return alphas, impurities

    def in_preorder(self):
        """The same tree with nodes numbered in depth-first preorder (a node, its left subtree,
        its right subtree), as scikit-learn numbers depth-first trees; the grower numbers a
        split's two children together. Numbers matter to ``apply`` and to exports."""
        left, right = self.nodes["left_child"], self.nodes["right_child"]
        # The splits grouped by depth (one sort), then subtree sizes bottom-up and preorder ids
        # top-down, one depth level at a time.
        splits = np.flatnonzero(left != TREE_LEAF)
        depths = self.node_depths()[splits]
        by_depth = splits[np.argsort(depths, kind="stable")]
        bounds = np.searchsorted(np.sort(depths), np.arange(depths.max(initial=0) + 2))
        levels = [by_depth[start:end] for start, end in zip(bounds[:-1], bounds[1:])]
        size = np.ones(self.node_count, dtype=np.intp)
        for level in reversed(levels):
            size[level] += size[left[level]] + size[right[level]]
        new_id = np.zeros(self.node_count, dtype=np.intp)
        for level in levels:
            new_id[left[level]] = new_id[level] + 1
            new_id[right[level]] = new_id[level] + 1 + size[left[level]]
        if np.array_equal(new_id, np.arange(self.node_count)):
            return self
        order = np.empty_like(new_id)
        order[new_id] = np.arange(self.node_count)
        # Gathered as rows of bytes: numpy gathers packed records one field at a time, 20x slower.
        raw = self.nodes.view(np.uint8).reshape(self.node_count, self.nodes.dtype.itemsize)
        nodes = np.take(raw, order, axis=0).view(self.nodes.dtype).reshape(-1)
        leaf = nodes["left_child"] == TREE_LEAF
        nodes["left_child"] = np.where(leaf, TREE_LEAF, new_id[nodes["left_child"]])
        nodes["right_child"] = np.where(leaf, TREE_LEAF, new_id[nodes["right_child"]])
        # A renumbering of a valid tree is valid: no second check of the structure.
        tree = FlatTree._view(nodes, np.ascontiguousarray(self.values[order]), self.n_features,
                              self.second_order)
        tree.n_classes = getattr(self, "_n_classes", None)
        return tree

    def pruned(self, ccp_alpha):
        """The subtree that minimal cost-complexity pruning with ``ccp_alpha`` keeps."""
        is_leaf, in_tree, _, _ = prune(self.nodes, ccp_alpha, False)
        if in_tree.all() and np.array_equal(is_leaf, self.nodes["left_child"] == TREE_LEAF):
            return self
        new_ids = (np.cumsum(in_tree) - 1).astype(np.int32)
        nodes = self.nodes[in_tree].copy()
        kept_leaf = is_leaf[in_tree]
        nodes["left_child"] = np.where(kept_leaf, TREE_LEAF, new_ids[nodes["left_child"]])
        nodes["right_child"] = np.where(kept_leaf, TREE_LEAF, new_ids[nodes["right_child"]])
        nodes["feature"][kept_leaf] = TREE_UNDEFINED
        nodes["threshold"][kept_leaf] = TREE_UNDEFINED
        nodes["flags"][kept_leaf] = 0
        nodes["bin_threshold"][kept_leaf] = 0
        return FlatTree(nodes, self.values[in_tree], self.n_features,
                        second_order=self.second_order,
                        n_classes=getattr(self, "_n_classes", None))


def tree_n_classes(estimator):
    """Classes per output of a fitted tree model, as scikit-learn's ``Tree.n_classes``.

    Classifiers: ``n_classes_`` (an int, or one per output); regressors: 1 per output
    (``n_outputs_``, 1 when absent). The one place that maps an estimator's outputs to the
    layout of :attr:`FlatTree.value`.
    """
    if is_classifier(estimator):
        return np.atleast_1d(np.asarray(estimator.n_classes_, dtype=np.intp))
    return np.ones(getattr(estimator, "n_outputs_", 1), dtype=np.intp)


def sklearn_value(values, n_classes, weights):
    """Stored node values as scikit-learn's ``Tree.value``, shape (n_nodes, n_outputs,
    max_n_classes), float64.

    ``values`` holds one channel per class of every output, outputs one after the other
    (``n_classes.sum()`` channels; regression outputs have one class). Outputs with fewer
    classes than the most are zero-padded. float32 class fractions of nodes whose
    ``weights`` are whole numbers (up to 2**22, where ``count / weight`` is the only ratio that
    rounds to the stored float32) come back as that exact float64 ratio, as scikit-learn
    computes it; other values are widened as they are.
    """
    n_nodes = len(values)
    n_classes = np.asarray(n_classes, dtype=np.intp)
    out = np.asarray(values, dtype=np.float64)  # float64 values: a view, no copy
    if values.dtype == np.float32 and n_classes.max() > 1:
        weights = np.asarray(weights, dtype=np.float64)
        counts = np.rint(out * weights[:, None])
        with np.errstate(invalid="ignore", divide="ignore"):
            exact = counts / weights[:, None]
        whole = (weights == np.rint(weights)) & (weights > 0) & (weights <= 2**22)
        same = np.all(exact.astype(np.float32) == values, axis=1) & whole
        out[same] = exact[same]
    max_n_classes = int(n_classes.max())
    if np.all(n_classes == max_n_classes):
        return out.reshape(n_nodes, len(n_classes), max_n_classes)
    padded = np.zeros((n_nodes, len(n_classes), max_n_classes))
    starts = np.concatenate([[0], np.cumsum(n_classes)[:-1]])
    for output, (start, count) in enumerate(zip(starts, n_classes)):
        padded[:, output, :count] = out[:, start:start + count]
    return padded


def _split_gains(nodes, offsets, second_order):
    """Per-node split gains; child ids are local, ``offsets`` (scalar or per node) globalise them."""
    left, right = nodes["left_child"], nodes["right_child"]
    split = np.flatnonzero(left != TREE_LEAF)
    shift = offsets if np.isscalar(offsets) else offsets[split]
    score = nodes["impurity"].astype(np.float64)
    if not second_order:
        score *= nodes["weighted_n_node_samples"]
    gains = np.zeros(len(nodes))
    gains[split] = score[split] - score[left[split] + shift] - score[right[split] + shift]
    return gains


class FlatEnsemble:
    """Every tree of an ensemble in one set of flat arrays.

    Parameters
    ----------
    nodes : ndarray of TREE_NODE_DTYPE (or NODE_DTYPE), shape (n_nodes_total,)
        The trees' nodes one after the other; child ids are local to their tree.
    values : ndarray of shape (n_nodes_total, n_values)
    tree_offsets : ndarray of shape (n_trees,)
        Index in ``nodes`` of each tree's root (``tree_offsets[0] == 0``).
    n_features : int
    value_dtype : {float32, float64}, default=None
        As in :class:`FlatTree`.
    second_order : bool, default=False
        As in :class:`FlatTree`.

    Attributes
    ----------
    n_trees : int
    node_count : int
        Nodes of all trees.
    tree_offsets : ndarray of shape (n_trees,), intp
    tree_node_counts : ndarray of shape (n_trees,), intp

    Notes
    -----
    ``ensemble[t]`` is tree ``t`` as a :class:`FlatTree` over views of the arrays (for
    ``estimators_``-style access); ``len(ensemble)`` is the number of trees.
    """

    def __init__(self, nodes, values, tree_offsets, n_features, *, value_dtype=None,
                 second_order=False):
        nodes = np.asarray(nodes)
        if nodes.dtype == NODE_DTYPE:
            nodes = compact_nodes(nodes)
        elif nodes.dtype != TREE_NODE_DTYPE:
            raise TypeError(f"nodes must have dtype TREE_NODE_DTYPE or NODE_DTYPE, got {nodes.dtype}.")
        values = np.asarray(values)
        if value_dtype is None:
            value_dtype = values.dtype if values.dtype == np.float32 else np.float64
        values = np.ascontiguousarray(values, dtype=_check_value_dtype(value_dtype))
        tree_offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
        if tree_offsets.ndim != 1:
            raise ValueError("tree_offsets must be 1-d.")
        _check_structure(nodes, values, tree_offsets, n_features)
        self.nodes = np.ascontiguousarray(nodes)
        self.values = values
        self.tree_offsets = tree_offsets
        self.n_features = int(n_features)
        self.second_order = bool(second_order)

    @classmethod
    def from_grown(cls, trees, n_features, *, value_dtype=np.float64, second_order=False):
        """Store the grower's trees, a list of ``(nodes, values)``, as one ensemble.

        Parameters
        ----------
        trees : list of (ndarray of NODE_DTYPE, ndarray of shape (n_nodes, n_values))
        n_features : int
        value_dtype : {float32, float64}, default=float64
        second_order : bool, default=False

        Returns
        -------
        ensemble : FlatEnsemble
        """
        value_dtype = _check_value_dtype(value_dtype)
        sizes = np.array([len(nodes) for nodes, _ in trees], dtype=np.intp)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        if not len(trees):
            return cls(np.empty(0, TREE_NODE_DTYPE), np.empty((0, 1), value_dtype),
                       np.empty(0, np.intp), n_features, second_order=second_order)
        nodes = compact_nodes(concatenate_nodes([nodes for nodes, _ in trees]))
        values = np.concatenate([np.asarray(values, dtype=value_dtype) for _, values in trees])
        return cls._of_trusted(nodes, values, offsets, n_features, second_order)

    @classmethod
    def _of_trusted(cls, nodes, values, tree_offsets, n_features, second_order=False):
        """An ensemble over arrays known to be valid (grown or checked trees, concatenated):
        no copy of contiguous arrays, no structure check."""
        ensemble = cls.__new__(cls)
        ensemble.nodes = np.ascontiguousarray(nodes, dtype=TREE_NODE_DTYPE)
        ensemble.values = np.ascontiguousarray(values)
        ensemble.tree_offsets = np.ascontiguousarray(tree_offsets, dtype=np.intp)
        ensemble.n_features = int(n_features)
        ensemble.second_order = bool(second_order)
        return ensemble

    @property
    def n_trees(self):
        return len(self.tree_offsets)

    @property
    def node_count(self):
        return len(self.nodes)

    @property
    def tree_node_counts(self):
        return np.diff(np.append(self.tree_offsets, self.node_count))

    def __len__(self):
        return self.n_trees

    def __getitem__(self, t):
        """Tree ``t`` as a :class:`FlatTree` over views of the ensemble's arrays."""
        t = range(self.n_trees)[operator.index(t)]
        start = self.tree_offsets[t]
        end = self.tree_offsets[t + 1] if t + 1 < self.n_trees else self.node_count
        return FlatTree._view(self.nodes[start:end], self.values[start:end], self.n_features,
                              self.second_order)

    def __iter__(self):
        return (self[t] for t in range(self.n_trees))

    def _check_X(self, X, dtype):
        if sparse.issparse(X) and dtype == np.float32:
            X = X.tocsr()  # sparse values are read as CSR rows
        else:
            X = np.ascontiguousarray(X, dtype=dtype)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n_samples, {self.n_features}), got {X.shape}.")
        return X

    def _walk(self, binned):
        """The nodes as prediction walks them (``walk_nodes``), built on first use and kept
        (16 bytes per node, not pickled)."""
        cache = self.__dict__.setdefault("_walk_cache", {})
        if binned not in cache:
            cache[binned] = walk_nodes(self.nodes, self.tree_offsets, binned)
        return cache[binned]

    def _depths(self):
        """Each tree's depth for the fixed-step walk (``tree_depths``), kept as ``_walk``."""
        cache = self.__dict__.setdefault("_walk_cache", {})
        if "depths" not in cache:
            cache["depths"] = tree_depths(self._walk(False), self.tree_offsets)
        return cache["depths"]

    def _levels(self, binned):
        """The trees laid out level by level (``level_nodes``) when they have one value and
        none is deeper than 8, else None; kept as ``_walk``."""
        cache = self.__dict__.setdefault("_walk_cache", {})
        key = ("levels", binned)
        if key not in cache:
            cache[key] = (level_nodes(self.nodes, self.values[:, 0], self.tree_offsets, binned)
                          if self.values.shape[1] == 1 else None)
        return cache[key]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_walk_cache", None)
        return state

    def apply(self, X, n_threads=1):
        """Leaf of every row in every tree.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32
        n_threads : int, default=1

        Returns
        -------
        leaves : ndarray of shape (n_samples, n_trees), intp
            Node ids local to each tree (as scikit-learn's forests' ``apply``); add
            ``tree_offsets`` to index ``values``.
        """
        return apply_trees(self._check_X(X, np.float32), self.nodes, self.tree_offsets,
                           n_threads, local=True, walk=self._walk(False), depths=self._depths())

    def apply_binned(self, binned_rows, n_threads=1):
        """:meth:`apply` on binned rows (uint8, 255 = missing), for trees grown on those bins."""
        return apply_trees(self._check_X(binned_rows, np.uint8), self.nodes, self.tree_offsets,
                           n_threads, local=True, walk=self._walk(True), depths=self._depths())

    def sum_values(self, X, out=None, *, tree_output=None, tree_weights=None, start=0,
                   stop=None, binned=False, n_threads=1):
        """Add the values of the leaves each row reaches in trees ``start:stop`` to ``out``.

        ``out[i, tree_output[t] + k] += tree_weights[t] * values[leaf_t(i), k]``: a forest's
        sum (every tree has the K channels; ``tree_output`` None), a boosted sum (trees of one
        channel, ``tree_output[t]`` the class of tree t), staged sums (``stop``; or successive
        ``start:stop`` ranges into the same ``out``).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            float32 values, or uint8 bins when ``binned``.
        out : ndarray of shape (n_samples, n_outputs), float64, default=None
            Added to in place; None starts from zeros with ``n_outputs`` = the number of
            values (``tree_output`` None) or ``max(tree_output) + 1``.
        tree_output : array-like of shape (n_trees,), int, default=None
        tree_weights : array-like of shape (n_trees,), float, default=None
        start, stop : int, default=0, None
            Trees summed (``stop`` None: to the last).
        binned : bool, default=False
        n_threads : int, default=1

        Returns
        -------
        out : ndarray of shape (n_samples, n_outputs), float64
        """
        X = self._check_X(X, np.uint8 if binned else np.float32)
        trees = slice(start, stop)
        if tree_output is not None:
            tree_output = np.asarray(tree_output, dtype=np.intp)
            if len(tree_output) != self.n_trees:
                raise ValueError("tree_output must have one entry per tree.")
            tree_output = tree_output[trees]
        if tree_weights is not None:
            tree_weights = np.asarray(tree_weights, dtype=np.float64)
            if len(tree_weights) != self.n_trees:
                raise ValueError("tree_weights must have one entry per tree.")
            tree_weights = tree_weights[trees]
        if out is None:
            n_outputs = self.values.shape[1]
            if tree_output is not None and len(tree_output):
                n_outputs = int(tree_output.max()) + self.values.shape[1]
            out = np.zeros((X.shape[0], n_outputs))
        elif out.dtype != np.float64 or not out.flags.c_contiguous or out.ndim != 2:
            raise ValueError("out must be a C-contiguous 2-d float64 array.")
        levels = (self._levels(binned) if tree_weights is None and not sparse.issparse(X)
                  else None)
        if levels is not None:
            # Boosted trees: walked laid out level by level.
            records, record_starts, leaves, leaf_starts, depths = levels
            sum_tree_values(X, self.nodes, self.values, self.tree_offsets[trees], None, out,
                            n_threads, tree_output,
                            levels=(records, record_starts[trees], leaves, leaf_starts[trees],
                                    depths[trees]))
            return out
        sum_tree_values(X, self.nodes, self.values, self.tree_offsets[trees], tree_weights,
                        out, n_threads, tree_output, walk=self._walk(binned),
                        depths=self._depths()[trees])
        return out

    def decision_path(self, X):
        """Nodes each row passes through in every tree.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32

        Returns
        -------
        indicator : sparse matrix of shape (n_samples, node_count), CSR
            Columns are global node ids (tree t's nodes start at ``tree_offsets[t]``).
        n_nodes_ptr : ndarray of shape (n_trees + 1,)
            Columns of tree t: ``n_nodes_ptr[t]:n_nodes_ptr[t + 1]`` (as scikit-learn's forests).
        """
        X = self._check_X(X, np.float32)
        indptr, indices = decision_path(X, self.nodes, self.tree_offsets)
        data = np.ones(len(indices), dtype=np.intp)
        indicator = sparse.csr_matrix((data, indices, indptr), shape=(X.shape[0], self.node_count))
        return indicator, np.append(self.tree_offsets, self.node_count)

    def node_depths(self):
        """Depth of every node in its tree, shape (node_count,), int32."""
        return node_depths(self.nodes, self.tree_offsets)

    def split_gains(self):
        """Gain of every split of every tree (0 at leaves); see :meth:`FlatTree.split_gains`."""
        tree_of = np.repeat(np.arange(self.n_trees), self.tree_node_counts)
        return _split_gains(self.nodes, self.tree_offsets[tree_of], self.second_order)

    def feature_importances(self):
        """Mean over the trees with a split of each tree's normalised importances, normalised.

        The convention of scikit-learn's forests and gradient boosting.
        """
        tree_of = np.repeat(np.arange(self.n_trees), self.tree_node_counts)
        gains = self.split_gains()
        per_tree = np.bincount(tree_of * self.n_features + np.maximum(self.nodes["feature"], 0),
                               weights=gains, minlength=self.n_trees * self.n_features)
        per_tree = per_tree.reshape(self.n_trees, self.n_features)
        totals = per_tree.sum(axis=1, keepdims=True)
        per_tree = np.divide(per_tree, totals, out=np.zeros_like(per_tree), where=totals > 0)
        grown = self.tree_node_counts > 1
        if not grown.any():
            return np.zeros(self.n_features)
        importances = per_tree[grown].mean(axis=0)
        total = importances.sum()
        return importances / total if total > 0 else importances
