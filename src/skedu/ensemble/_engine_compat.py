"""Temporary stand-in for ``tree._engine`` until its channels/features/leaves options land.

Same signatures as ``tree._engine``; grows each channel's tree with its own call, ignores
``features``, computes leaves by applying the trees to float X, and doubles ``min_split_gain``
(the kernel's gain has no 1/2 factor yet).
"""

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .._core import _grow
from .._core._tree import apply_trees
from ..tree._binning import MAX_BINS, BinMapper


class Criterion(IntEnum):
    SECOND_ORDER = 3


class Splitter(IntEnum):
    EXACT = 0
    HIST = 1


@dataclass(frozen=True)
class TreeParams:
    criterion: int
    max_depth: int = -1
    min_samples_split: int = 2
    min_samples_leaf: int = 1
    min_weight_leaf: float = 0.0
    min_split_gain: float = 0.0
    max_leaf_nodes: int = 0
    l2_regularization: float = 0.0

__all__ = ["Criterion", "Splitter", "TreeParams", "TrainingData", "grow_trees"]


class TrainingData:
    def __init__(self, X, *, splitter, max_bins=MAX_BINS, binning_rows=None, random_state=None,
                 n_threads=1):
        X = np.ascontiguousarray(X, dtype=np.float32)
        self.X = X
        self.n_samples, self.n_features = X.shape
        self.splitter = Splitter(splitter)
        self.n_threads = n_threads
        self.bin_mapper = None
        if self.splitter == Splitter.HIST:
            self.bin_mapper = BinMapper(max_bins, random_state=random_state, n_threads=n_threads)
            self.bin_mapper.fit(X if binning_rows is None else X[binning_rows])
            self.binned = self.bin_mapper.transform(X)
            self.binned_rows = np.ascontiguousarray(self.binned.T)
        else:
            self.columns = np.ascontiguousarray(X.T)

    def kernel_arrays(self):
        if self.splitter == Splitter.HIST:
            return {"binned": self.binned, "binned_rows": self.binned_rows,
                    "bin_thresholds": self.bin_mapper.upper_edges_,
                    "n_bins_non_missing": self.bin_mapper.n_bins_non_missing_,
                    "feature_values": None, "row_values": None}
        return {"feature_values": self.columns, "row_values": self.X, "binned": None,
                "binned_rows": None, "bin_thresholds": None, "n_bins_non_missing": None}


def grow_trees(data, gradients, hessians, params, *, seeds, rows=None, row_weights=None,
               channels=None, features=None, squares=None, n_threads=1, return_leaves=False):
    n_trees = len(seeds)
    if rows is None:
        rows = [np.arange(data.n_samples, dtype=np.intp)] * n_trees
    trees = []
    for t in range(n_trees):
        c = 0 if channels is None else int(channels[t])
        g = np.ascontiguousarray(gradients[:, c:c + 1], dtype=np.float64)
        h = hessians if hessians.ndim == 1 else hessians[:, c]
        h = np.ascontiguousarray(h, dtype=np.float64)
        trees += _grow.grow_trees(
            criterion=int(params.criterion), splitter=int(data.splitter), gradients=g,
            hessians=h, squares=None, **data.kernel_arrays(), rows_per_tree=[rows[t]],
            row_weights_per_tree=None, seeds=np.asarray(seeds[t:t + 1], dtype=np.uint64),
            max_depth=params.max_depth, min_samples_split=params.min_samples_split,
            min_samples_leaf=params.min_samples_leaf, min_weight_leaf=params.min_weight_leaf,
            min_impurity_decrease=0.0, min_split_gain=2.0 * params.min_split_gain,
            max_leaf_nodes=params.max_leaf_nodes, max_features=data.n_features,
            l2_regularization=params.l2_regularization, n_threads=n_threads)
    if not return_leaves:
        return trees, None
    leaves = np.full((n_trees, data.n_samples), -1, dtype=np.intp)
    for t, (nodes, _) in enumerate(trees):
        leaves[t, rows[t]] = apply_trees(data.X[rows[t]], nodes, np.zeros(1, np.intp), 1)[:, 0]
    return trees, leaves
