"""Criteria, multi-output classification, a single class and min_impurity_decrease with several
outputs: node by node against scikit-learn's trees on data without ties between splits."""

import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn import tree as sk_tree

from skedu.ensemble import RandomForestClassifier, RandomForestRegressor
from skedu.tree import DecisionTreeClassifier, DecisionTreeRegressor


def assert_same_tree(ours, theirs):
    """Walk both trees from the root (node numbering differs): same splits, counts, impurities
    (ours are stored as float32) and values, node by node."""
    mine, other = ours.tree_, theirs.tree_
    assert mine.node_count == other.node_count
    values = np.asarray(mine.values, dtype=np.float64)
    n_classes = getattr(ours, "n_classes_", None)
    if isinstance(n_classes, np.ndarray):
        expected_values = np.concatenate([other.value[:, k, :c] for k, c in enumerate(n_classes)],
                                         axis=1)
    else:
        expected_values = other.value.reshape(other.node_count, -1)
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        assert (mine.children_left[i] == -1) == (other.children_left[j] == -1), (i, j)
        assert mine.n_node_samples[i] == other.n_node_samples[j], (i, j)
        np.testing.assert_allclose(mine.weighted_n_node_samples[i],
                                   other.weighted_n_node_samples[j], rtol=1e-6)
        np.testing.assert_allclose(mine.impurity[i], other.impurity[j], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(values[i], expected_values[j], rtol=1e-6, atol=1e-7)
        if mine.children_left[i] != -1:
            assert mine.feature[i] == other.feature[j], (i, j)
            np.testing.assert_allclose(mine.threshold[i], other.threshold[j], rtol=1e-6)
            stack.append((mine.children_left[i], other.children_left[j]))
            stack.append((mine.children_right[i], other.children_right[j]))


def _regression(n=1000, n_outputs=1, seed=0):
    X, y = datasets.make_regression(n, 6, n_informative=4, n_targets=n_outputs, noise=5.0,
                                    random_state=seed)
    return X, y


def _positive_targets(X, seed=0):
    # Continuous targets: Poisson's gain depends only on the sides' sums, so integer targets
    # make exact ties between splits.
    rng = np.random.RandomState(seed)
    return np.exp(X[:, 0] / 2 + 0.3 * X[:, 1]) * rng.gamma(2.0, 0.5, len(X))


@pytest.mark.parametrize("criterion", ["squared_error", "absolute_error", "poisson"])
@pytest.mark.parametrize("params", [{"min_samples_leaf": 20},
                                    {"max_leaf_nodes": 15, "min_samples_leaf": 20},
                                    {"min_impurity_decrease": 0.5, "min_samples_leaf": 15}])
def test_regression_criteria_grow_sklearns_tree(criterion, params):
    X, y = _regression()
    if criterion == "poisson":
        y = _positive_targets(X)
        y[::7] = 0.0  # zeros are allowed, a child of zero sum is not
    weights = np.random.RandomState(1).rand(len(y)) + 0.5
    if criterion == "absolute_error":
        # Integer weights: medians fall exactly between two targets at the same places.
        weights = np.random.RandomState(1).randint(1, 4, len(y)).astype(float)
    ours = DecisionTreeRegressor(criterion=criterion, random_state=0, **params).fit(X, y, weights)
    theirs = sk_tree.DecisionTreeRegressor(criterion=criterion, random_state=0, **params).fit(
        X, y, weights)
    assert_same_tree(ours, theirs)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10)


def test_friedman_mse_is_squared_error_with_friedmans_improvement():
    """One output: the same splits as squared error (scikit-learn >= 1.9 maps friedman_mse to
    squared_error); the improvement min_impurity_decrease reads is diff^2 / (W_L W_R W_node),
    the squared-error improvement times the root weight (scikit-learn < 1.9)."""
    X, y = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scikit-learn 1.9 deprecates the name
        for params in ({"min_samples_leaf": 20}, {"max_leaf_nodes": 12, "min_samples_leaf": 20}):
            assert_same_tree(DecisionTreeRegressor(criterion="friedman_mse", **params).fit(X, y),
                             sk_tree.DecisionTreeRegressor(criterion="friedman_mse",
                                                           **params).fit(X, y))
    ours = DecisionTreeRegressor(criterion="friedman_mse", min_impurity_decrease=3e4,
                                 min_samples_leaf=20).fit(X, y)
    theirs = sk_tree.DecisionTreeRegressor(min_impurity_decrease=3e4 / len(y),
                                           min_samples_leaf=20).fit(X, y)
    assert 1 < ours.get_n_leaves() < 100
    assert_same_tree(ours, theirs)


def test_friedman_mse_adds_the_outputs_before_squaring():
    """With several outputs Friedman's score reads the outputs' sum: a split that separates
    two outputs moving in opposite directions gains nothing."""
    rng = np.random.RandomState(0)
    X = rng.rand(400, 2)
    signal = np.where(X[:, 0] > 0.5, 1.0, -1.0)
    Y = np.column_stack([signal, -signal]) + 0.01 * rng.randn(400, 2)
    Y[:, 0] += np.where(X[:, 1] > 0.3, 0.2, 0.0)
    squared = DecisionTreeRegressor(max_depth=1).fit(X, Y)
    friedman = DecisionTreeRegressor(criterion="friedman_mse", max_depth=1).fit(X, Y)
    assert squared.tree_.feature[0] == 0 and friedman.tree_.feature[0] == 1


def test_absolute_error_with_several_outputs_matches_sklearn():
    X, Y = _regression(500, n_outputs=2)
    params = dict(criterion="absolute_error", min_samples_leaf=20)
    ours = DecisionTreeRegressor(**params).fit(X, Y)
    assert_same_tree(ours, sk_tree.DecisionTreeRegressor(**params).fit(X, Y))
    # Leaves predict medians: half of each leaf's rows on either side.
    leaves = ours.apply(X)
    for leaf in np.unique(leaves)[:5]:
        np.testing.assert_allclose(ours.predict(X[leaves == leaf][:1])[0],
                                   np.median(Y[leaves == leaf], axis=0))


def test_absolute_error_refuses_missing_values():
    X, y = _regression(100)
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="absolute_error.*missing"):
        DecisionTreeRegressor(criterion="absolute_error").fit(X, y)
    with pytest.raises(ValueError, match="absolute_error.*missing"):
        RandomForestRegressor(criterion="absolute_error").fit(X, y)


def test_poisson_rejects_what_sklearn_rejects():
    X, y = _regression(100)
    with pytest.raises(ValueError, match="Some value\\(s\\) of y are negative which is not "
                                         "allowed for Poisson regression."):
        DecisionTreeRegressor(criterion="poisson").fit(X, y)
    with pytest.raises(ValueError, match="Sum of y is not positive which is necessary for "
                                         "Poisson regression."):
        DecisionTreeRegressor(criterion="poisson").fit(X, np.zeros(100))


@pytest.mark.parametrize("splitter", ["random", "hist"])
@pytest.mark.parametrize("criterion", ["squared_error", "friedman_mse", "absolute_error",
                                       "poisson"])
def test_other_splitters_grow_valid_trees_for_every_criterion(splitter, criterion):
    X, y = _regression(500)
    y = _positive_targets(X) if criterion == "poisson" else y
    reference = DecisionTreeRegressor(criterion=criterion, max_depth=6).fit(X, y)
    tree = DecisionTreeRegressor(criterion=criterion, splitter=splitter, max_depth=6,
                                 random_state=0).fit(X, y)
    prediction = tree.predict(X)
    assert np.all(np.isfinite(prediction)) and 8 < tree.get_n_leaves() <= 64
    if criterion == "poisson":
        assert np.all(prediction > 0)
    assert tree.score(X, y) > 0.8 * reference.score(X, y)


def test_min_impurity_decrease_with_several_outputs_matches_sklearn():
    """scikit-learn's improvement averages the outputs' impurities: min_impurity_decrease is
    not divided by the number of outputs."""
    X, Y = _regression(600, n_outputs=3)
    sizes = []
    for decrease in (100.0, 300.0):
        ours = DecisionTreeRegressor(min_impurity_decrease=decrease).fit(X, Y)
        theirs = sk_tree.DecisionTreeRegressor(min_impurity_decrease=decrease).fit(X, Y)
        assert_same_tree(ours, theirs)
        sizes.append(ours.get_n_leaves())
    assert sizes[0] > sizes[1] > 1


def _multi_output_classification(n=1000):
    X, y = datasets.make_classification(n, 6, n_informative=4, n_classes=3, random_state=0)
    second = np.array(["low", "mid", "high"])[(X[:, 0] > 0).astype(int) + (X[:, 3] > 1)]
    third = (X[:, 2] + 0.5 * X[:, 4] > 0).astype(int)
    return X, y, np.column_stack([y, second, third]).astype(object), np.column_stack([y, third])


@pytest.mark.parametrize("criterion", ["gini", "entropy", "log_loss"])
@pytest.mark.parametrize("class_weight", [None, "balanced", "dicts"])
def test_multi_output_classification_matches_sklearn(criterion, class_weight):
    X, _, Y_objects, Y = _multi_output_classification()
    if class_weight == "dicts":
        class_weight = [{0: 1.0, 1: 2.0, 2: 0.5}, {0: 3.0, 1: 1.0}]
    else:
        Y = Y_objects
    params = dict(criterion=criterion, class_weight=class_weight, min_samples_leaf=40, max_depth=5,
                  random_state=0)
    ours = DecisionTreeClassifier(**params).fit(X, Y)
    theirs = sk_tree.DecisionTreeClassifier(**params).fit(X, Y)
    assert ours.n_outputs_ == theirs.n_outputs_ == Y.shape[1]
    for mine, other in zip(ours.classes_, theirs.classes_):
        np.testing.assert_array_equal(mine, other)
    np.testing.assert_array_equal(ours.n_classes_, theirs.n_classes_)
    assert_same_tree(ours, theirs)
    proba, expected = ours.predict_proba(X), theirs.predict_proba(X)
    assert isinstance(proba, list) and len(proba) == Y.shape[1]
    for mine, other in zip(proba, expected):
        np.testing.assert_allclose(mine, other, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict(X).dtype == theirs.predict(X).dtype
    for mine, other in zip(ours.predict_log_proba(X[:20]), theirs.predict_log_proba(X[:20])):
        np.testing.assert_allclose(mine, other, rtol=1e-5, atol=1e-6)  # float32 fractions


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_min_impurity_decrease_with_several_classification_outputs_matches_sklearn(criterion):
    X, _, Y, _ = _multi_output_classification()
    for decrease in (0.005, 0.02):
        params = dict(criterion=criterion, min_impurity_decrease=decrease, random_state=0)
        ours = DecisionTreeClassifier(**params).fit(X, Y)
        assert ours.get_n_leaves() > 2
        assert_same_tree(ours, sk_tree.DecisionTreeClassifier(**params).fit(X, Y))


@pytest.mark.parametrize("splitter", ["hist", "random"])
def test_multi_output_classification_other_splitters(splitter):
    X, y, Y, _ = _multi_output_classification()
    tree = DecisionTreeClassifier(splitter=splitter, max_depth=8, random_state=0).fit(X, Y)
    proba = tree.predict_proba(X)
    for output, part in enumerate(proba):
        np.testing.assert_allclose(part.sum(axis=1), 1.0, rtol=1e-6)
        assert np.mean(tree.predict(X)[:, output] == Y[:, output]) > 0.8


def test_multi_output_class_weight_errors_are_sklearns():
    X, _, Y, _ = _multi_output_classification(100)
    with pytest.raises(ValueError, match="For multi-output, class_weight should be a list of "
                                         "dicts, or the string 'balanced'"):
        DecisionTreeClassifier(class_weight={0: 1.0}).fit(X, Y)


def test_a_single_class_fits_a_one_leaf_tree_as_sklearn():
    X, _ = _regression(50)
    y = np.full(50, "only")
    ours = DecisionTreeClassifier().fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier().fit(X, y)
    assert ours.get_n_leaves() == 1 and ours.n_classes_ == theirs.n_classes_ == 1
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    # One sample is one class too; a single-class output beside a varying one splits on it.
    assert DecisionTreeClassifier().fit(X[:1], [3]).predict(X[:2]).tolist() == [3, 3]
    Y = np.column_stack([np.zeros(50, int), (X[:, 0] > 0).astype(int)])
    assert_same_tree(DecisionTreeClassifier().fit(X, Y), sk_tree.DecisionTreeClassifier().fit(X, Y))
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(forest.predict_proba(X), np.ones((50, 1)))
    np.testing.assert_array_equal(forest.predict(X), y)


def test_forests_take_the_new_regression_criteria():
    X, y = _regression(300)
    y = _positive_targets(X)
    for criterion in ("poisson", "friedman_mse", "absolute_error"):
        forest = RandomForestRegressor(n_estimators=10, criterion=criterion, random_state=0).fit(X, y)
        assert forest.score(X, y) > 0.7
    with pytest.raises(ValueError, match="negative"):
        RandomForestRegressor(criterion="poisson").fit(X, -y)
