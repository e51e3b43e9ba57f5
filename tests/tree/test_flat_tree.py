"""The stored form of fitted trees: size, and predictions equal to the grown float64 tree."""

import pickle

import numpy as np
import pytest
from sklearn import datasets

from skedu.tree import DecisionTreeClassifier
from skedu.tree._binning import BinMapper
from skedu.tree._flat_tree import FlatEnsemble, FlatTree, concatenate_nodes
from tests.naive_trees import naive_apply


def test_binary_classification_tree_pickles_in_40_bytes_per_node_and_predicts_the_same(monkeypatch):
    X, y = datasets.make_classification(20000, n_features=20, n_informative=12, flip_y=0.05,
                                        random_state=0)
    X[np.random.RandomState(0).rand(*X.shape) < 0.02] = np.nan
    grown = []
    store = FlatTree.__init__

    def recording_init(self, nodes, values, *args, **kwargs):
        grown.append((np.array(nodes), np.array(values)))
        store(self, nodes, values, *args, **kwargs)

    monkeypatch.setattr(FlatTree, "__init__", recording_init)
    clf = DecisionTreeClassifier(random_state=0).fit(X, y)
    monkeypatch.undo()
    tree = clf.tree_
    assert tree.node_count > 1000
    size = len(pickle.dumps(clf))
    assert size / tree.node_count <= 40, size / tree.node_count
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))

    # The grown tree (float64 thresholds and fractions) walked naively in float64; the fitted
    # tree is the same tree numbered in preorder (scikit-learn's numbering).
    grown_nodes, grown_values = grown[0]
    grown_tree = FlatTree(grown_nodes, grown_values, X.shape[1], value_dtype=np.float32)
    np.testing.assert_array_equal(grown_tree.in_preorder().nodes, tree.nodes)
    X32 = X.astype(np.float32)
    leaves = naive_apply(grown_nodes, X32)
    np.testing.assert_array_equal(grown_tree.apply(X32), leaves)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, grown_values[leaves], rtol=0, atol=1e-7)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(grown_values[leaves], axis=1)])
    np.testing.assert_array_equal(grown_tree.node_depths(), grown_nodes["depth"])
    assert clf.get_depth() == grown_nodes["depth"].max()


def test_hist_tree_sends_binned_rows_where_it_sends_raw_rows():
    X, y = datasets.make_classification(3000, n_features=8, random_state=1)
    X[np.random.RandomState(1).rand(*X.shape) < 0.05] = np.nan
    clf = DecisionTreeClassifier(splitter="hist", max_leaf_nodes=60, random_state=0).fit(X, y)
    # Fewer rows than the binning subsample: the classifier's bins are these.
    binned_rows = BinMapper().fit(X.astype(np.float32)).transform_rows(X.astype(np.float32))
    tree = clf.tree_
    ensemble = FlatEnsemble(tree.nodes, tree.values, [0], tree.n_features)
    np.testing.assert_array_equal(ensemble.apply_binned(binned_rows)[:, 0], clf.apply(X))
    np.testing.assert_array_equal(ensemble.sum_values(binned_rows, binned=True),
                                  clf.predict_proba(X))


def test_concatenate_nodes_copies_the_bytes_of_every_tree():
    X, y = datasets.make_classification(500, n_features=6, random_state=3)
    nodes = [DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y).tree_.nodes
             for depth in (1, 4, 8)]
    nodes.append(nodes[1][:0])  # an empty array changes nothing
    nodes.append(nodes[2][::2])  # nor does a strided one
    joined = concatenate_nodes(nodes)
    assert joined.dtype == nodes[0].dtype and joined.flags.c_contiguous
    np.testing.assert_array_equal(joined, np.concatenate(nodes))
    with pytest.raises(TypeError, match="different dtypes"):
        concatenate_nodes([nodes[0], np.zeros(3)])
