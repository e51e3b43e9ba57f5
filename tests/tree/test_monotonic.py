"""``monotonic_cst``: the same trees as scikit-learn's on ties-free data, monotone predictions on
real data for every splitter, scikit-learn's errors, and the engine's constraint for boosting."""

import numpy as np
import pytest
from sklearn import tree as sk_tree

from skedu._core._types import Criterion, Splitter
from skedu.tree import DecisionTreeClassifier, DecisionTreeRegressor
from skedu.tree import _engine
from skedu.tree._flat_tree import FlatTree
from tests import datasets as shared
from tests.datasets import require_data

CONSTRAINTS = [1, -1, 1, 0]


def _ties_free(n_samples=2000, missing=0.0, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    y = X[:, 0] - 0.8 * X[:, 1] + np.sin(3 * X[:, 2]) + X[:, 3] + rng.normal(scale=0.8,
                                                                             size=n_samples)
    y_binary = (y + rng.normal(size=n_samples) > 0).astype(int)
    X[rng.rand(*X.shape) < missing] = np.nan
    return X, y, y_binary


@pytest.mark.parametrize("params", [dict(max_depth=5), dict(max_leaf_nodes=25),
                                    dict(min_samples_leaf=20)])
@pytest.mark.parametrize("kind", ["regressor", "classifier", "regressor-missing"])
def test_same_tree_as_sklearn(kind, params):
    X, y, y_binary = _ties_free(missing=0.1 if kind.endswith("missing") else 0.0)
    if kind == "classifier":
        ours = DecisionTreeClassifier(monotonic_cst=CONSTRAINTS, random_state=0, **params)
        theirs = sk_tree.DecisionTreeClassifier(monotonic_cst=CONSTRAINTS, random_state=0,
                                                **params)
        y = y_binary
    else:
        ours = DecisionTreeRegressor(monotonic_cst=CONSTRAINTS, random_state=0, **params)
        theirs = sk_tree.DecisionTreeRegressor(monotonic_cst=CONSTRAINTS, random_state=0,
                                               **params)
    ours.fit(X, y)
    theirs.fit(X, y)
    tree, sk = ours.tree_, theirs.tree_
    np.testing.assert_array_equal(tree.feature, sk.feature)
    np.testing.assert_array_equal(tree.children_left, sk.children_left)
    np.testing.assert_array_equal(tree.n_node_samples, sk.n_node_samples)
    np.testing.assert_allclose(tree.threshold, sk.threshold, rtol=1e-6, atol=1e-6)
    # Clipped class fractions are stored as float32.
    np.testing.assert_allclose(tree.value, sk.value, rtol=0, atol=1e-7)
    # The constraint did bind: without it the tree differs.
    free = sk_tree.DecisionTreeRegressor if kind != "classifier" else sk_tree.DecisionTreeClassifier
    assert not np.array_equal(free(random_state=0, **params).fit(X, y).predict(X),
                              theirs.predict(X))


def _assert_monotone(predict, X, constraints, n_rows=200, n_steps=25):
    """Each constrained feature swept over its quantiles on ``n_rows`` rows: predictions move
    only in the constraint's direction."""
    rows = X[np.random.RandomState(0).choice(len(X), n_rows, replace=False)]
    for feature, constraint in enumerate(constraints):
        if constraint == 0:
            continue
        grid = np.nanquantile(X[:, feature], np.linspace(0, 1, n_steps))
        swept = np.repeat(rows, n_steps, axis=0)
        swept[:, feature] = np.tile(grid, n_rows)
        predictions = predict(swept).reshape(n_rows, n_steps)
        steps = np.diff(predictions, axis=1) * constraint
        assert steps.min() >= -1e-12, (feature, steps.min())
        assert steps.max() > 0  # the feature does move the predictions


@pytest.mark.parametrize("splitter", ["best", "hist", "random"])
def test_predictions_monotone_on_cal_housing(splitter):
    require_data("cal_housing.data.xz")
    X, y = shared.load_cal_housing()
    X = X.copy()
    X[np.random.RandomState(1).rand(*X.shape) < 0.05] = np.nan  # missing values are allowed
    # Median income up, housing median age down, the rest free.
    constraints = [0, 0, -1, 0, 0, 0, 0, 1]
    params = dict(monotonic_cst=constraints, min_samples_leaf=10, random_state=0)
    # Training scores against scikit-learn's constrained tree (its exact splitter for "hist"):
    # equal for "best"; one random draw against another for "random".
    sk_splitter = "random" if splitter == "random" else "best"
    tolerance = {"best": 1e-9, "hist": 0.01, "random": 0.08}[splitter]
    reg = DecisionTreeRegressor(splitter=splitter, **params).fit(X, y)
    _assert_monotone(reg.predict, X, constraints)
    sk_reg = sk_tree.DecisionTreeRegressor(splitter=sk_splitter, **params).fit(X, y)
    assert reg.score(X, y) > sk_reg.score(X, y) - tolerance
    y_binary = y > np.median(y)
    clf = DecisionTreeClassifier(splitter=splitter, **params).fit(X, y_binary)
    _assert_monotone(lambda Z: clf.predict_proba(Z)[:, 1], X, constraints)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-6)
    sk_clf = sk_tree.DecisionTreeClassifier(splitter=sk_splitter, **params).fit(X, y_binary)
    assert clf.score(X, y_binary) > sk_clf.score(X, y_binary) - tolerance


def test_engine_constraint_for_boosting_trees():
    # A second-order tree (Newton steps -G/(H + lambda)) grown by the engine as boosting will
    # grow it: the leaf values increase with the constrained feature.
    X, y, _ = _ties_free()
    X = X[:, :3]
    for splitter in [Splitter.HIST, Splitter.EXACT]:
        data = _engine.TrainingData(X, splitter=splitter, random_state=0)
        params = _engine.TreeParams(criterion=Criterion.SECOND_ORDER, max_leaf_nodes=31,
                                    min_samples_leaf=20, l2_regularization=1.0,
                                    monotonic_cst=(0, -1, 1))
        gradients = -y[:, None]  # squared error at a zero prediction
        ((nodes, values),), _ = _engine.grow_trees(data, gradients, np.ones(len(y)), params,
                                                   seeds=[0])
        tree = FlatTree.from_grown(nodes, values, 3)
        _assert_monotone(lambda Z: tree.predict(np.ascontiguousarray(Z, np.float32))[:, 0], X,
                         [0, -1, 1])
    with pytest.raises(ValueError, match="monotonic_cst must hold -1, 0 or 1"):
        _engine.grow_trees(data, gradients, np.ones(len(y)),
                           _engine.TreeParams(criterion=Criterion.SECOND_ORDER,
                                              monotonic_cst=(0, 2, 1)), seeds=[0])


@pytest.mark.parametrize("estimator, y, monotonic_cst", [
    ("classifier", "multiclass", [1, 0, 0, 0]),
    ("regressor", "multi-output", [1, 0, 0, 0]),
    ("regressor", "continuous", [1, 0, 0]),
    ("regressor", "continuous", [1, 2, 0, -3]),
    ("classifier", "binary", [1, 0, 0, 0, 1]),
])
def test_errors_as_sklearn(estimator, y, monotonic_cst):
    X, y_reg, y_binary = _ties_free(300)
    target = {"multiclass": np.digitize(y_reg, [-1, 1]), "continuous": y_reg,
              "multi-output": np.column_stack([y_reg, y_reg]), "binary": y_binary}[y]
    ours, theirs = {"classifier": (DecisionTreeClassifier, sk_tree.DecisionTreeClassifier),
                    "regressor": (DecisionTreeRegressor, sk_tree.DecisionTreeRegressor)}[estimator]
    with pytest.raises(ValueError) as expected:
        theirs(monotonic_cst=monotonic_cst).fit(X, target)
    with pytest.raises(ValueError) as raised:
        ours(monotonic_cst=monotonic_cst).fit(X, target)
    assert str(raised.value) == str(expected.value)


def test_forests_take_monotonic_cst():
    require_data("cal_housing.data.xz")
    from sklearn.ensemble import RandomForestClassifier as SkRandomForestClassifier

    from skedu.ensemble import ExtraTreesClassifier, RandomForestRegressor

    X, y = shared.load_cal_housing()
    constraints = [0, 0, -1, 0, 0, 0, 0, 1]
    forest = RandomForestRegressor(n_estimators=5, monotonic_cst=constraints,
                                   min_samples_leaf=20, random_state=0).fit(X, y)
    _assert_monotone(forest.predict, X, constraints)
    extra = ExtraTreesClassifier(n_estimators=5, monotonic_cst=constraints, min_samples_leaf=20,
                                 random_state=0).fit(X, y > np.median(y))
    _assert_monotone(lambda Z: extra.predict_proba(Z)[:, 1], X, constraints)
    with pytest.raises(ValueError) as expected:
        SkRandomForestClassifier(monotonic_cst=constraints).fit(X[:300], np.arange(300) % 3)
    with pytest.raises(ValueError, match=str(expected.value)):
        ExtraTreesClassifier(monotonic_cst=constraints).fit(X[:300], np.arange(300) % 3)
