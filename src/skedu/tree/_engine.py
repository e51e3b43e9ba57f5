"""The one Python caller of the compiled grower, shared by every tree model.

A fit prepares its data once (:class:`TrainingData`: binned uint8 data for the histogram
splitter, float32 columns for the exact and random splitters) and then grows any number of trees
on it (:func:`grow_trees`): a single CART tree, a forest's trees in parallel, or a boosting
round's trees, each on its own gradients, hessians, rows, row weights, features and seed.

Every tree grows on rows that carry ``K`` gradient channels ``g[i, k]`` and a hessian ``h[i]``
(or one hessian per channel), and scores splits from sums over each side; see
``_core/_criterion.pxd`` for the formulas.
"""

from dataclasses import dataclass

import numpy as np
from scipy.sparse import issparse

from .._core import _grow
from .._core._workspace import release_kept_buffers
from .._core._types import Criterion, Splitter
from ._bin_layout import sparse_layout
from ._binning import MAX_BINS, BinMapper
from ._sparse import binned_fit_rows, fit_rows, sparse_columns

__all__ = ["Criterion", "Splitter", "TreeParams", "TrainingData", "grow_trees"]


@dataclass(frozen=True)
class TreeParams:
    """Growth limits and split scoring of the trees of one fit.

    Parameters
    ----------
    criterion : Criterion
        Split score (``Criterion.GINI``, ``ENTROPY``, ``SQUARED_ERROR``, ``FRIEDMAN_MSE``,
        ``POISSON``, ``SECOND_ORDER``).
    max_depth : int, default=-1
        Negative: unlimited.
    min_samples_split, min_samples_leaf : int
        Row counts a node needs to be split, and each child must keep.
    min_weight_leaf : float, default=0.0
        Hessian sum each child must keep (sample weight for CART, ``min_child_weight`` for
        boosting).
    min_impurity_decrease : float, default=0.0
        CART: weighted impurity decrease per unit of root weight a split needs.
    min_split_gain : float, default=0.0
        A split's gain must exceed this (boosting's ``gamma``, in the gain's units: see
        ``_core/_criterion.pxd``).
    max_leaf_nodes : int, default=0
        Positive: grow best-first to at most this many leaves; else depth-first.
    max_features : int or None, default=None
        Features drawn per split (among the tree's features); None: all.
    l2_regularization : float, default=0.0
        Boosting's ``lambda``: added to every hessian sum in scores and leaf values.
    monotonic_cst : tuple of int or None, default=None
        Per feature -1, 0 or +1: the value of channel 0 (class fraction, mean or Newton step)
        must decrease, may do anything, or must increase along the feature, by scikit-learn's
        rule (a split must order its children and keep them within the bounds its ancestors'
        splits set; node values are clipped to those bounds). Meant for single-channel trees
        and binary class fractions (the second channel is kept at one minus the first).
    """

    criterion: int
    max_depth: int = -1
    min_samples_split: int = 2
    min_samples_leaf: int = 1
    min_weight_leaf: float = 0.0
    min_impurity_decrease: float = 0.0
    min_split_gain: float = 0.0
    max_leaf_nodes: int = 0
    max_features: int | None = None
    l2_regularization: float = 0.0
    monotonic_cst: tuple | None = None


def _check_monotonic_cst(monotonic_cst, n_features):
    if monotonic_cst is None:
        return None
    constraints = np.asarray(monotonic_cst)
    if constraints.shape != (n_features,) or not np.all(np.isin(constraints, (-1, 0, 1))):
        raise ValueError(f"monotonic_cst must hold -1, 0 or 1 for each of the {n_features} "
                         f"features, got {monotonic_cst}.")
    if not constraints.any():
        return None  # no constrained feature: the unconstrained growth is the same tree
    return np.ascontiguousarray(constraints, dtype=np.int8)


class TrainingData:
    """Training data prepared once per fit, in the layouts the kernels read.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features), float32
        NaN marks missing values (dense only). Sparse data (CSC, CSR, COO) are kept as CSR
        rows of their stored values (or of their bins), never densified.
    splitter : Splitter
        ``Splitter.HIST`` bins ``X`` (and keeps only the bins); ``EXACT`` and ``RANDOM`` keep
        float32 columns and ``X`` itself (small nodes read rows).
    max_bins : int, default=255
        Non-missing bins per feature (hist).
    binning_rows : ndarray of intp or None, default=None
        Rows whose values choose the bin edges (e.g. those of positive weight); None: all.
    random_state : int or None
        Draws the binning subsample.
    n_threads : int, default=1
    sparse_bins : bool, default=False
        Read features whose rows mostly fall in one bin from lists of the other bins
        (``_bin_layout.py``; hist). Faster on one-hot data; the most frequent bin's sums are
        then the node's totals minus the other bins', rounded differently. Sparse matrices
        keep their own layout (stored bins) and ignore it.

    Attributes
    ----------
    n_samples, n_features : int
    splitter : Splitter
    bin_mapper : BinMapper or None
        The fitted bin edges (hist).
    """

    def __init__(self, X, *, splitter, max_bins=MAX_BINS, binning_rows=None, random_state=None,
                 n_threads=1, sparse_bins=False):
        self.splitter = Splitter(splitter)
        self.n_threads = n_threads
        self.bin_mapper = None
        self.columns = self.rows = self.binned = self.binned_rows = None
        self.sparse_arrays = None
        self.layout = None
        if issparse(X):
            self._prepare_sparse(X, max_bins, binning_rows, random_state, n_threads)
            return
        X = np.ascontiguousarray(X, dtype=np.float32)
        self.n_samples, self.n_features = X.shape
        if self.splitter == Splitter.HIST:
            self.bin_mapper = BinMapper(max_bins, random_state=random_state, n_threads=n_threads)
            self.bin_mapper.fit(X, rows=binning_rows)
            # Feature-major bins for histograms; row-major bins for small nodes. X is not kept.
            self.binned_rows, self.binned = self.bin_mapper.transform_both(X)
            if sparse_bins:
                self.layout = sparse_layout(self.binned, self.binned_rows,
                                            self.bin_mapper.n_bins_non_missing_, n_threads)
        else:
            self.columns = np.ascontiguousarray(X.T)
            self.rows = X

    def _prepare_sparse(self, X, max_bins, binning_rows, random_state, n_threads):
        # Only the stored values (exact, random) or their bins (hist) are kept: memory grows
        # with the stored values, not with n_samples * n_features.
        self.n_samples, self.n_features = X.shape
        if self.splitter == Splitter.HIST:
            csc = sparse_columns(X)
            self.bin_mapper = BinMapper(max_bins, random_state=random_state, n_threads=n_threads)
            self.bin_mapper.fit(csc, rows=binning_rows)
            arrays = binned_fit_rows(csc, self.bin_mapper)
            del csc
        else:
            arrays = fit_rows(X)
        arrays["n_sparse_features"] = self.n_features
        self.sparse_arrays = arrays

    @property
    def is_sparse(self):
        """Whether the data were given as a sparse matrix."""
        return self.sparse_arrays is not None

    def bin_rows(self, X):
        """``X`` binned with the training edges, row-major (n_samples, n_features) uint8."""
        return self.bin_mapper.transform_rows(np.ascontiguousarray(X, dtype=np.float32))

    def all_rows(self):
        """Every row's index, made once (boosting grows every round's trees on them)."""
        if getattr(self, "_all_rows", None) is None:
            self._all_rows = np.arange(self.n_samples, dtype=np.intp)
        return self._all_rows

    def kernel_arrays(self):
        """The arrays the grower reads, as keyword arguments."""
        if self.is_sparse:
            hist = self.splitter == Splitter.HIST
            return {**self.sparse_arrays, "feature_values": None, "row_values": None,
                    "binned": None, "binned_rows": None,
                    "bin_thresholds": self.bin_mapper.upper_edges_ if hist else None,
                    "n_bins_non_missing": self.bin_mapper.n_bins_non_missing_ if hist else None}
        if self.splitter == Splitter.HIST:
            return {"binned": self.binned, "binned_rows": self.binned_rows,
                    "bin_thresholds": self.bin_mapper.upper_edges_,
                    "n_bins_non_missing": self.bin_mapper.n_bins_non_missing_,
                    "feature_values": None, "row_values": None, **(self.layout or {})}
        return {"feature_values": self.columns, "row_values": self.rows, "binned": None,
                "binned_rows": None, "bin_thresholds": None, "n_bins_non_missing": None}


def _per_tree(values, n_trees, dtype, name):
    if values is None:
        return None
    if len(values) != n_trees:
        raise ValueError(f"{name} must have one entry per tree ({n_trees}), got {len(values)}.")
    return [None if v is None else np.ascontiguousarray(v, dtype=dtype) for v in values]


def weight_channels(labels, weights, n_channels):
    """Rows given as labels as the equivalent gradient channels: ``weights[i]`` in the channel
    of row i's class in every output, 0 elsewhere (an n_samples x n_channels array)."""
    channels = np.zeros((len(labels), n_channels))
    rows = np.arange(len(labels))
    for output in range(labels.shape[1]):
        channels[rows, labels[:, output]] = weights
    return channels


def grow_trees(data, gradients, hessians, params, *, seeds, rows=None, row_weights=None,
               channels=None, features=None, squares=None, labels=None, n_channels=None,
               n_threads=1, return_leaves=False, value_dtype=np.float64, keep_buffers=False,
               leaves_out=None, channels_out=None, quantized=None):
    """Grow ``len(seeds)`` trees on prepared data; several trees grow in parallel.

    Parameters
    ----------
    data : TrainingData
    gradients : ndarray of shape (n_samples, n_channels), float64, or None
        None for classification given as ``labels``.
    hessians : ndarray of shape (n_samples,) or (n_samples, n_channels), float64
        One hessian shared by every channel (CART, binary boosting), or one per channel
        (softmax boosting; then ``channels`` must be given).
    params : TreeParams
    seeds : array-like of shape (n_trees,), uint64
        One random stream per tree (feature draws, random thresholds).
    rows : list of ndarray of intp, or None
        Rows each tree grows on (None: every row for every tree). Leave out rows of zero
        weight: they would still count in ``min_samples_leaf``.
    row_weights : list of (ndarray of float64 or None), or None
        Per-tree multipliers of every row's gradients, hessians and squares (bootstrap counts).
    channels : array-like of shape (n_trees,), intp, or None
        Tree ``t`` grows on the single channel ``gradients[:, channels[t]]`` with hessian
        ``hessians[:, channels[t]]`` (or the shared one). None: every tree on all channels.
    features : list of (ndarray of intp or None), or None
        Features tree ``t`` may split on (column subsampling per tree); None: all.
    squares : ndarray of shape (n_samples,) or None
        The regression impurity's row term: ``sum_k w_i y_ik**2`` (squared error, Friedman's)
        or ``sum_k w_i y_ik log(y_ik)`` (Poisson).
    labels : ndarray of shape (n_samples, n_outputs), intp, or None
        Gini and entropy trees: the channel of each row's class in each output (output o's
        classes are a block of consecutive channels); each row adds its hessian (the sample
        weight) to those channels, as a one-hot gradient row would, without the
        n_samples x n_channels array.
    n_channels : int or None
        The number of channels (classes over all outputs) when ``labels`` are given.
    n_threads : int, default=1
    return_leaves : bool, default=False
        Also return the leaf of every training row.
    value_dtype : {float64, float32}, default=float64
        dtype of the returned values (float32: class fractions as fitted trees keep them,
        without a float64 copy).
    keep_buffers : bool, default=False
        Keep the trees' large buffers for the next call (boosting's rounds), until
        ``release_kept_buffers()``; by default they are given back when the call ends.
    leaves_out : ndarray of shape (n_trees, n_samples), int32, or None
        With ``return_leaves``: the array to write the leaves to (reused across rounds).
    channels_out : tuple of two ndarrays or None
        With ``channels`` and 2-D gradients: arrays of shapes (n_channels, n_samples, 1) and
        (n_channels, n_samples) to copy each channel's gradients and hessians to (reused
        across rounds); None: allocated by the call.
    quantized : (ndarray, ndarray) or None
        Second-order trees on gradients and hessians quantised by
        ``_boosting.quantize_gradients``: what it returned, the channels' scales and packed
        rows (large trees then add packed integers to their histograms: the same sums,
        faster).

    Returns
    -------
    trees : list of (nodes, values)
        Per tree: the grower's node array and leaf values of shape (n_nodes, n_tree_channels).
    leaves : ndarray of shape (n_trees, n_samples), int32, or None
        Only with ``return_leaves``: the node (local to its tree) each row of the tree's
        ``rows`` ended in; -1 for rows the tree was not grown on.
    """
    n_trees = len(seeds)
    seeds = np.asarray(seeds, dtype=np.uint64)
    if labels is not None:
        labels = np.ascontiguousarray(labels, dtype=np.intp)
        if labels.ndim != 2 or labels.shape[0] != data.n_samples or gradients is not None:
            raise ValueError("labels must have shape (n_samples, n_outputs), without gradients.")
        total_channels = int(n_channels)
        if data.is_sparse or params.monotonic_cst is not None:
            # The sparse split search and the monotonic rule read per-class sums of weight
            # channels; they have no label sweep.
            gradients, labels = weight_channels(labels, hessians, total_channels), None
    if labels is None:
        gradients = np.ascontiguousarray(gradients, dtype=np.float64)
        if gradients.ndim != 2 or gradients.shape[0] != data.n_samples:
            raise ValueError("gradients must have shape (n_samples, n_channels).")
        total_channels = gradients.shape[1]
    hessians = np.ascontiguousarray(hessians, dtype=np.float64)
    if hessians.ndim == 2 and channels is None:
        raise ValueError("per-channel hessians need one channel per tree (channels).")
    if rows is None:
        rows = [data.all_rows()] * n_trees
    # Trees on every row (in order) write every row's leaf: the leaves need no -1 first, and
    # the roots' histograms read their rows without their indices.
    rows_cover_all = all(tree_rows is data.all_rows() for tree_rows in rows)
    rows = _per_tree(rows, n_trees, np.intp, "rows")
    row_weights = _per_tree(row_weights, n_trees, np.float64, "row_weights")
    features = _per_tree(features, n_trees, np.intp, "features")
    if channels is not None:
        channels = np.ascontiguousarray(channels, dtype=np.intp)
        if channels.shape != (n_trees,) or np.any((channels < 0) | (channels >= total_channels)):
            raise ValueError("channels must hold one valid channel index per tree.")
    max_features = data.n_features if params.max_features is None else params.max_features
    try:
        return _grow.grow_trees(
            criterion=int(params.criterion), splitter=int(data.splitter), gradients=gradients,
            hessians=hessians, labels=labels, n_channels=total_channels, squares=squares,
            **data.kernel_arrays(), rows_per_tree=rows,
            row_weights_per_tree=row_weights, seeds=seeds, channels=channels,
            features_per_tree=features, max_depth=params.max_depth,
            min_samples_split=params.min_samples_split, min_samples_leaf=params.min_samples_leaf,
            min_weight_leaf=params.min_weight_leaf,
            min_impurity_decrease=params.min_impurity_decrease,
            min_split_gain=params.min_split_gain, max_leaf_nodes=params.max_leaf_nodes,
            max_features=max_features, l2_regularization=params.l2_regularization,
            n_threads=n_threads, return_leaves=return_leaves, leaves_out=leaves_out,
            rows_cover_all=rows_cover_all,
            channels_out=channels_out,
            monotonic_cst=_check_monotonic_cst(params.monotonic_cst, data.n_features),
            single_values=np.dtype(value_dtype) == np.float32,
            quantized_scales=None if quantized is None else quantized[0],
            quantized_packed=None if quantized is None else quantized[1])
    finally:
        if not keep_buffers:
            release_kept_buffers()
