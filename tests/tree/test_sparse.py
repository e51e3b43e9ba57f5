"""Sparse X: the same tree as on the dense copy, every sparse format, real one-hot data, errors.

Trees grown on sparse data sum each node's zeros as the node's sums minus its stored entries',
and sort only the stored values: sums are added in another order than on dense data. With
targets and weights whose sums are exact in float64 (class counts, targets in quarters) the
order cannot matter, so the trees must be identical, node for node; with real-valued targets
two splits of equal gain may be told apart by rounding, so real data are compared on the
predictions of classifiers.
"""

import numpy as np
import pytest
from scipy import sparse
from sklearn import tree as sk_tree
from sklearn.compose import make_column_transformer
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skedu.ensemble import RandomForestClassifier
from skedu.tree import DecisionTreeClassifier, DecisionTreeRegressor
from tests import datasets as shared
from tests.datasets import require_data

SPLITTERS = ["best", "hist", "random"]
FORMATS = {
    "csr": sparse.csr_matrix, "csc": sparse.csc_matrix, "coo": sparse.coo_matrix,
    "csr_array": sparse.csr_array, "csc_array": sparse.csc_array,
}


def _sparse_data(seed=0, n=1500, p=25):
    """Negative, zero and positive values; a few columns nearly dense, most very sparse."""
    rng = np.random.RandomState(seed)
    X = rng.randint(-3, 4, size=(n, p)) * (rng.rand(n, p) < 0.15)
    X = X.astype(np.float64)
    X[:, :4] = np.round(rng.randn(n, 4), 2) * (rng.rand(n, 4) < 0.6)
    X[:, 4] = rng.rand(n) * (rng.rand(n) < 0.97)
    X[:, 5] = 0.0  # a constant column
    y = (X[:, 0] + X[:, 1] * X[:, 6] - X[:, 4] + 0.5 * rng.randn(n) > 0).astype(int)
    y[X[:, 7] > 1] = 2
    y_quarters = np.round(4 * (X[:, 0] + 2 * X[:, 8] + rng.randint(0, 4, n))) / 4
    return X, y, y_quarters


def assert_same_tree(dense_model, sparse_model):
    a, b = dense_model.tree_, sparse_model.tree_
    assert a.node_count == b.node_count
    for name in a.nodes.dtype.names:
        np.testing.assert_array_equal(a.nodes[name], b.nodes[name], err_msg=name)
    np.testing.assert_array_equal(a.values, b.values)


@pytest.mark.parametrize("splitter", SPLITTERS)
@pytest.mark.parametrize("Estimator", [DecisionTreeClassifier, DecisionTreeRegressor])
@pytest.mark.parametrize("params", [{}, {"max_leaf_nodes": 40, "min_samples_leaf": 3},
                                    {"max_features": 6, "max_depth": 8}])
def test_sparse_fit_grows_the_dense_tree(splitter, Estimator, params):
    X, y, y_quarters = _sparse_data()
    target = y if Estimator is DecisionTreeClassifier else y_quarters
    weights = np.random.RandomState(1).randint(0, 3, len(y)).astype(float)
    for sample_weight in (None, weights):
        dense = Estimator(splitter=splitter, random_state=0, **params).fit(
            X, target, sample_weight=sample_weight)
        on_sparse = Estimator(splitter=splitter, random_state=0, **params).fit(
            sparse.csr_matrix(X), target, sample_weight=sample_weight)
        assert dense.tree_.node_count > 20
        assert_same_tree(dense, on_sparse)


@pytest.mark.parametrize("splitter", ["best", "hist"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_sparse_format_fits_and_predicts_like_dense(splitter, fmt):
    X, y, _ = _sparse_data(seed=2, n=600)
    X_test, _, _ = _sparse_data(seed=3, n=300)
    dense = DecisionTreeClassifier(splitter=splitter, random_state=0).fit(X, y)
    model = DecisionTreeClassifier(splitter=splitter, random_state=0).fit(FORMATS[fmt](X), y)
    assert_same_tree(dense, model)
    X_sparse = FORMATS[fmt](X_test)
    np.testing.assert_array_equal(model.predict_proba(X_sparse), dense.predict_proba(X_test))
    np.testing.assert_array_equal(model.apply(X_sparse), dense.apply(X_test))
    assert (model.decision_path(X_sparse) != dense.decision_path(X_test)).nnz == 0


def test_explicit_zeros_duplicates_and_int64_indices_are_plain_values():
    X, y, y_quarters = _sparse_data(seed=4, n=800)
    csr = sparse.csr_matrix(X)
    # Store every zero of columns 0-3 explicitly; split one entry of column 4 in two halves.
    rows, columns = np.nonzero((X[:, :4] == 0))
    entries = sparse.coo_matrix(X)
    row = np.concatenate([entries.row, rows, [entries.row[0]]])
    col = np.concatenate([entries.col, columns, [entries.col[0]]])
    first = entries.data[0]
    data = np.concatenate([entries.data, np.zeros(len(rows)), [first / 2]])
    data[0] = first / 2
    messy = sparse.coo_matrix((data, (row, col)), shape=X.shape)
    wide = csr.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    for splitter in SPLITTERS:
        dense = DecisionTreeRegressor(splitter=splitter, random_state=0).fit(X, y_quarters)
        for variant in (messy, messy.tocsc(), messy.tocsr(), wide):
            model = DecisionTreeRegressor(splitter=splitter, random_state=0).fit(variant,
                                                                                y_quarters)
            assert_same_tree(dense, model)
            np.testing.assert_array_equal(model.predict(variant), dense.predict(X))
    assert messy.nnz == len(data)  # the caller's matrix is left as it was


def test_sparse_input_is_not_modified():
    X, y, _ = _sparse_data(seed=5, n=300)
    csc = sparse.csc_matrix(X).astype(np.float32)
    csc.data[:5] = 0.0  # explicit zeros in the caller's matrix
    before = (csc.data.copy(), csc.indices.copy(), csc.indptr.copy())
    for splitter in SPLITTERS:
        DecisionTreeClassifier(splitter=splitter, random_state=0).fit(csc, y).predict(csc)
    for array, saved in zip((csc.data, csc.indices, csc.indptr), before):
        np.testing.assert_array_equal(array, saved)


def test_all_zero_and_empty_sparse_input():
    X = sparse.csr_matrix((50, 4))
    y = np.arange(50) % 2
    for splitter in SPLITTERS:
        model = DecisionTreeClassifier(splitter=splitter).fit(X, y)
        assert model.tree_.node_count == 1
        np.testing.assert_array_equal(model.predict_proba(X), np.full((50, 2), 0.5))


def test_nan_stored_in_sparse_input_is_refused_with_a_reason():
    X, y, _ = _sparse_data(seed=6, n=200)
    X[3, 0] = np.nan
    for splitter in SPLITTERS:
        with pytest.raises(ValueError, match="NaN stored values is not supported"):
            DecisionTreeClassifier(splitter=splitter).fit(sparse.csr_matrix(X), y)
    # A NaN met while predicting is a missing value, as in dense input.
    model = DecisionTreeClassifier(random_state=0).fit(np.nan_to_num(X), y)
    np.testing.assert_array_equal(model.predict(sparse.csr_matrix(X)), model.predict(X))


def test_predict_checks_the_number_of_features_of_sparse_input():
    X, y, _ = _sparse_data(seed=7, n=200)
    model = DecisionTreeClassifier().fit(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="features"):
        model.predict(sparse.csr_matrix(X[:, :-1]))


def test_a9a_sparse_tree_matches_the_dense_tree_and_sklearns_accuracy():
    require_data("a9a.xz")
    X_all, y_all = shared.load_libsvm("a9a.xz")
    X, y, X_test, y_test = X_all[:6000], y_all[:6000], X_all[6000:12000], y_all[6000:12000]
    for splitter in ("best", "hist"):
        params = {"splitter": splitter, "random_state": 0, "min_samples_leaf": 5}
        dense = DecisionTreeClassifier(**params).fit(X.toarray(), y)
        model = DecisionTreeClassifier(**params).fit(X, y)
        assert_same_tree(dense, model)
    reference = sk_tree.DecisionTreeClassifier(random_state=0, min_samples_leaf=5).fit(X, y)
    ours = DecisionTreeClassifier(random_state=0, min_samples_leaf=5).fit(X, y)
    # Tolerance of the CART comparison (1 point of accuracy), on held-out a9a rows.
    assert abs(accuracy_score(y_test, ours.predict(X_test))
               - accuracy_score(y_test, reference.predict(X_test))) < 0.01


def test_one_hot_pipeline_on_adult():
    """The most common pipeline: one-hot categoricals (sparse output), numbers passed through."""
    require_data("adult.data.xz")
    X, y, categorical = shared.load_adult_columns()
    X, y = X[:10000], y[:10000]
    encoder = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), categorical),
                                      remainder="passthrough")
    assert sparse.issparse(encoder.fit_transform(X))
    train, test = slice(0, 8000), slice(8000, None)
    scores = {}
    for name, tree in [("skedu", DecisionTreeClassifier(random_state=0, min_samples_leaf=20)),
                       ("sklearn", sk_tree.DecisionTreeClassifier(random_state=0,
                                                                  min_samples_leaf=20))]:
        pipeline = make_pipeline(encoder, tree).fit(X[train], y[train])
        scores[name] = accuracy_score(y[test], pipeline.predict(X[test]))
    assert scores["skedu"] > 0.8
    assert abs(scores["skedu"] - scores["sklearn"]) < 0.015


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
@pytest.mark.parametrize("splitter", ["best", "hist"])
def test_random_forest_on_sparse_input_grows_the_dense_forest(splitter):
    X, y, _ = _sparse_data(seed=8, n=800)
    params = {"n_estimators": 4, "random_state": 0, "splitter": splitter, "oob_score": True,
              "n_jobs": 2}
    dense = RandomForestClassifier(**params).fit(X, y)
    model = RandomForestClassifier(**params).fit(sparse.csr_matrix(X), y)
    np.testing.assert_array_equal(model.trees_.nodes, dense.trees_.nodes)
    assert model.oob_score_ == dense.oob_score_
    X_sparse = sparse.csr_matrix(X)
    np.testing.assert_array_equal(model.predict_proba(X_sparse), dense.predict_proba(X))
    np.testing.assert_array_equal(model.apply(X_sparse), dense.apply(X))
