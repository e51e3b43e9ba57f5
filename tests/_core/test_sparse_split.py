"""The sparse kernels against their dense twins: binning of stored values, and whole trees grown
by the shared engine (every splitter, several trees with their own rows, weights, features and
channels, as forests and boosting call it) on sparse and on dense data.

Gradients are multiples of 1/4 and hessians small integers, so every sum is exact whatever the
order rows are added in: the sparse kernels (zeros' sums as the node's minus the stored
entries') must then grow exactly the dense trees.
"""

import numpy as np
import pytest
from scipy import sparse

from skedu._core._sparse_split import bin_stored_values
from skedu._core._types import Criterion, Splitter
from skedu.tree import _engine
from skedu.tree._binning import BinMapper
from skedu.tree._sparse import sparse_columns


def _sparse_matrix(seed, n=700, p=12):
    rng = np.random.RandomState(seed)
    X = np.round(rng.randn(n, p), 1) * (rng.rand(n, p) < rng.uniform(0.02, 0.9, p))
    X[:, 0] = rng.randint(-300, 300, n) * (rng.rand(n) < 0.8)  # more values than bins
    return X.astype(np.float32)


@pytest.mark.parametrize("max_bins", [255, 7])
def test_stored_values_get_the_bins_of_dense_binning(max_bins):
    X = _sparse_matrix(0)
    mapper = BinMapper(max_bins).fit(X)
    csc = sparse_columns(sparse.csr_matrix(X))
    sparse_mapper = BinMapper(max_bins).fit(csc)
    np.testing.assert_array_equal(sparse_mapper.upper_edges_, mapper.upper_edges_)
    np.testing.assert_array_equal(sparse_mapper.n_bins_non_missing_, mapper.n_bins_non_missing_)
    bins = np.empty(csc.nnz, dtype=np.uint8)
    bin_stored_values(csc.indptr.astype(np.intp), csc.data, mapper.upper_edges_,
                      mapper.n_bins_non_missing_, bins)
    dense_bins = mapper.transform_rows(X)
    columns = np.repeat(np.arange(X.shape[1]), np.diff(csc.indptr))
    np.testing.assert_array_equal(bins, dense_bins[csc.indices, columns])


def test_bin_edges_from_a_row_subset_match_dense():
    X = _sparse_matrix(1)
    rows = np.flatnonzero(np.random.RandomState(2).rand(len(X)) < 0.5)
    mapper = BinMapper(16).fit(X, rows=rows)
    sparse_mapper = BinMapper(16).fit(sparse_columns(sparse.csr_matrix(X)), rows=rows)
    np.testing.assert_array_equal(sparse_mapper.upper_edges_, mapper.upper_edges_)


@pytest.mark.parametrize("splitter", [Splitter.EXACT, Splitter.HIST, Splitter.RANDOM])
@pytest.mark.parametrize("criterion", [Criterion.GINI, Criterion.SECOND_ORDER])
def test_engine_grows_the_dense_trees_on_sparse_data(splitter, criterion):
    rng = np.random.RandomState(3)
    X = _sparse_matrix(4)
    n = len(X)
    if criterion == Criterion.GINI:
        labels = (X[:, 1] + X[:, 2] > 0).astype(int) + (X[:, 0] > 100)
        gradients = np.eye(3)[labels]
        hessians = np.ones(n)
        channels, max_leaf_nodes = None, 0
    else:  # boosting's call: one channel per tree, per-channel hessians
        gradients = np.round(4 * rng.randn(n, 2)) / 4
        hessians = rng.randint(1, 4, size=(n, 2)).astype(float)
        channels, max_leaf_nodes = [0, 1, 1], 12
    params = _engine.TreeParams(criterion=criterion, max_leaf_nodes=max_leaf_nodes,
                                min_samples_leaf=2, max_features=8)
    rows = [np.arange(n), np.flatnonzero(rng.rand(n) < 0.7), np.arange(0, n, 2)]
    weights = [None, rng.randint(1, 3, n).astype(float), None]
    features = [None, np.array([0, 2, 3, 5, 7, 8, 9, 11]), None]
    grown = {}
    for kind, data_X in (("dense", X), ("sparse", sparse.csr_matrix(X))):
        data = _engine.TrainingData(data_X, splitter=splitter, max_bins=32)
        grown[kind] = _engine.grow_trees(data, gradients, hessians, params, seeds=[1, 2, 3],
                                         rows=rows, row_weights=weights, channels=channels,
                                         features=features, return_leaves=True, n_threads=2)
    (dense_trees, dense_leaves), (sparse_trees, sparse_leaves) = grown["dense"], grown["sparse"]
    for (dense_nodes, dense_values), (sparse_nodes, sparse_values) in zip(dense_trees,
                                                                          sparse_trees):
        assert len(dense_nodes) > 5
        np.testing.assert_array_equal(sparse_nodes, dense_nodes)
        np.testing.assert_array_equal(sparse_values, dense_values)
    np.testing.assert_array_equal(sparse_leaves, dense_leaves)
