"""``tree_`` against scikit-learn's ``Tree``, and the exports against scikit-learn's, on trees of
identical structure (ties-free data: both libraries grow the same tree)."""

import pickle
import re

import numpy as np
import pytest
from sklearn import config_context
from sklearn import tree as sk_tree

from skedu.ensemble import RandomForestClassifier
from skedu.tree import (DecisionTreeClassifier, DecisionTreeRegressor, export_graphviz,
                        export_text, plot_tree)


def _ties_free(n_samples=1000, n_features=5, seed=0):
    """Continuous features (no tied values, no tied split scores) and targets of each kind."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    score = X[:, 0] + 0.7 * X[:, 1] ** 2 + rng.normal(scale=0.6, size=n_samples)
    y_class = np.digitize(score, [0.0, 1.2])  # three classes
    y_reg = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + rng.normal(scale=0.1, size=n_samples)
    return X, y_class, y_reg


X, Y_CLASS, Y_REG = _ties_free()
Y_MULTI = np.column_stack([Y_REG, X[:, 2] * X[:, 3]])
# Integer weights keep the class counts whole: scikit-learn prints them as integers.
WEIGHTS = np.random.RandomState(1).randint(1, 4, len(X)).astype(float)

CASES = {
    "classifier-depth-first": (DecisionTreeClassifier, sk_tree.DecisionTreeClassifier,
                               Y_CLASS, dict(max_depth=3), None),
    "classifier-best-first": (DecisionTreeClassifier, sk_tree.DecisionTreeClassifier,
                              Y_CLASS, dict(max_leaf_nodes=8), None),
    "classifier-weighted-entropy": (DecisionTreeClassifier, sk_tree.DecisionTreeClassifier,
                                    Y_CLASS, dict(criterion="entropy", max_depth=3), WEIGHTS),
    "classifier-binary": (DecisionTreeClassifier, sk_tree.DecisionTreeClassifier, Y_CLASS > 0,
                          dict(max_depth=3), None),
    "regressor": (DecisionTreeRegressor, sk_tree.DecisionTreeRegressor, Y_REG,
                  dict(max_depth=4), None),
    "regressor-multi-output": (DecisionTreeRegressor, sk_tree.DecisionTreeRegressor, Y_MULTI,
                               dict(max_depth=3), None),
}


def _fit_pair(case):
    ours, theirs, y, params, weights = CASES[case]
    return (ours(random_state=0, **params).fit(X, y, sample_weight=weights),
            theirs(random_state=0, **params).fit(X, y, sample_weight=weights))


@pytest.mark.parametrize("case", CASES)
def test_tree_arrays_read_like_sklearn_tree(case):
    ours, theirs = _fit_pair(case)
    tree, sk = ours.tree_, theirs.tree_
    for name in ["node_count", "capacity", "n_outputs", "max_n_classes", "max_depth",
                 "n_leaves", "n_features"]:
        assert getattr(tree, name) == getattr(sk, name), name
    for name in ["n_classes", "children_left", "children_right", "feature", "n_node_samples"]:
        np.testing.assert_array_equal(getattr(tree, name), getattr(sk, name), err_msg=name)
        assert getattr(tree, name).dtype == getattr(sk, name).dtype, name
    for name in ["threshold", "impurity", "weighted_n_node_samples", "value"]:
        ours_array, sk_array = getattr(tree, name), getattr(sk, name)
        assert ours_array.dtype == np.float64 and ours_array.shape == sk_array.shape, name
    # Thresholds and impurities are stored as float32.
    np.testing.assert_allclose(tree.threshold, sk.threshold, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(tree.impurity, sk.impurity, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(tree.weighted_n_node_samples, sk.weighted_n_node_samples)
    if ours._is_classifier:
        # Whole weights: the exact float64 class fractions, as scikit-learn's.
        np.testing.assert_array_equal(tree.value, sk.value)
    else:
        np.testing.assert_allclose(tree.value, sk.value, rtol=1e-6, atol=1e-7)
    # Leaves hold no direction (scikit-learn's best-first leaves keep a stale one).
    split = tree.feature >= 0
    np.testing.assert_array_equal(tree.missing_go_to_left[split], sk.missing_go_to_left[split])
    np.testing.assert_array_equal(tree.missing_go_to_left[~split], 0)
    X32 = X.astype(np.float32)
    np.testing.assert_array_equal(tree.apply(X32), sk.apply(X32))
    np.testing.assert_array_equal(tree.decision_path(X32).toarray(),
                                  sk.decision_path(X32).toarray())
    if tree.n_outputs == 1:  # scikit-learn's Tree.predict: (n_samples, max_n_classes)
        np.testing.assert_allclose(tree.predict(X32), sk.predict(X32), rtol=1e-6, atol=1e-7)
    for normalize in [True, False]:
        np.testing.assert_allclose(tree.compute_feature_importances(normalize=normalize),
                                   sk.compute_feature_importances(normalize=normalize),
                                   rtol=1e-5, atol=1e-8)


def test_tree_arrays_are_built_once_and_not_pickled():
    clf, _ = _fit_pair("classifier-depth-first")
    assert clf.tree_.value is clf.tree_.value
    assert not clf.tree_.threshold.flags.writeable
    restored = pickle.loads(pickle.dumps(clf))
    assert "_sklearn_arrays" not in restored.tree_.__dict__
    np.testing.assert_array_equal(restored.tree_.value, clf.tree_.value)


GRAPHVIZ_OPTIONS = [
    {},
    dict(filled=True, rounded=True, node_ids=True, feature_names=list("abcde")),
    dict(proportion=True, class_names=True, label="root", precision=2),
    dict(special_characters=True, leaves_parallel=True, rotate=True, impurity=False,
         max_depth=2),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("options", GRAPHVIZ_OPTIONS)
def test_export_graphviz_equals_sklearn(case, options):
    ours, theirs = _fit_pair(case)
    if options.get("class_names") and not ours._is_classifier:
        options = {**options, "class_names": None}
    expected = sk_tree.export_graphviz(theirs, **options)
    assert export_graphviz(ours, **options) == expected
    # scikit-learn's own exporter reads the skedu tree through ``tree_``.
    assert sk_tree.export_graphviz(ours, **options) == expected


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("options", [
    {}, dict(show_weights=True, decimals=3), dict(max_depth=1, spacing=2),
    dict(feature_names=list("vwxyz"))])
def test_export_text_equals_sklearn(case, options):
    ours, theirs = _fit_pair(case)
    if options.get("show_weights") and not ours._is_classifier:
        options = {k: v for k, v in options.items() if k != "show_weights"}
    assert export_text(ours, **options) == sk_tree.export_text(theirs, **options)


def test_export_text_class_names_and_errors_as_sklearn():
    ours, theirs = _fit_pair("classifier-depth-first")
    names = ["low", "mid", "high"]
    assert (export_text(ours, class_names=names)
            == sk_tree.export_text(theirs, class_names=names))
    for kwargs in [dict(class_names=["a"]), dict(feature_names=["a", "b"])]:
        with pytest.raises(ValueError) as expected:
            sk_tree.export_text(theirs, **kwargs)
        with pytest.raises(ValueError, match=expected.value.args[0][:30]):
            export_text(ours, **kwargs)
    with pytest.raises(ValueError, match="'decision_tree' parameter"):
        export_text(theirs)  # a scikit-learn tree is not a skedu tree


def _annotations(plot, estimator, **options):
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(8, 4))
    try:
        annotations = plot(estimator, ax=figure.gca(), **options)
        return [(a.get_text(), tuple(np.round(a.xyann, 6)), a.get_fontsize())
                for a in annotations]
    finally:
        plt.close(figure)


@pytest.mark.parametrize("case", ["classifier-depth-first", "regressor"])
def test_plot_tree_draws_the_annotations_of_sklearn(case):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ours, theirs = _fit_pair(case)
    options = dict(filled=True, max_depth=3, feature_names=list("abcde"), node_ids=True)
    expected = _annotations(sk_tree.plot_tree, theirs, **options)
    assert len(expected) > 5
    assert _annotations(plot_tree, ours, **options) == expected
    # scikit-learn's plot_tree itself, once its check of the estimator's class is skipped.
    with config_context(skip_parameter_validation=True):
        assert _annotations(sk_tree.plot_tree, ours, **options) == expected


def test_plot_tree_without_matplotlib_names_the_extra(monkeypatch):
    import sys

    ours, _ = _fit_pair("regressor")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib then fails
    with pytest.raises(ImportError, match=r"skedu\[plot\]"):
        plot_tree(ours)


def test_exports_take_a_forest_tree():
    # One tree on every row and feature: the forest's tree is the single tree (the forest
    # numbers nodes differently, which only node ids would show).
    forest = RandomForestClassifier(n_estimators=1, bootstrap=False, max_features=None,
                                    max_depth=3, random_state=0).fit(X, Y_CLASS)
    single = sk_tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, Y_CLASS)
    estimator = forest.estimators_[0]
    np.testing.assert_array_equal(estimator.tree_.n_classes, [3])
    assert estimator.tree_.value.shape == (estimator.tree_.node_count, 1, 3)
    assert (export_text(estimator, show_weights=True)
            == sk_tree.export_text(single, show_weights=True))
    labels = re.findall(r'label="([^"]*)"', export_graphviz(estimator, filled=True))
    assert sorted(labels) == sorted(re.findall(r'label="([^"]*)"',
                                               sk_tree.export_graphviz(single, filled=True)))
