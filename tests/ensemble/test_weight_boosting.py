"""AdaBoostClassifier (SAMME) and AdaBoostRegressor (R2) against scikit-learn's and a numpy twin."""

import pickle
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import ensemble as sk_ensemble
from sklearn import tree as sk_tree
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits, load_wine,
                              make_classification, make_regression)
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skedu.ensemble import AdaBoostClassifier, AdaBoostRegressor
from skedu.tree import DecisionTreeClassifier, DecisionTreeRegressor
from skedu.utils import single_threaded_blas
from tests import datasets

EPS = np.finfo(np.float64).eps


def _subsample(X, y, n, seed=0):
    rows = np.random.RandomState(seed).choice(len(X), min(n, len(X)), replace=False)
    return X[rows], y[rows]


# -- scikit-learn's contract ---------------------------------------------------------------------

ESTIMATORS = [
    AdaBoostClassifier(n_estimators=10, random_state=0),
    AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=10, random_state=0),
    AdaBoostRegressor(n_estimators=10, random_state=0),
    AdaBoostRegressor(DecisionTreeRegressor(max_depth=2, splitter="hist"), n_estimators=10,
                      loss="square", random_state=0),
]


def _expected_failures(estimator):
    # scikit-learn marks the same check as failing for its own AdaBoostClassifier and
    # AdaBoostRegressor. Here: R2's bootstrap by weights is random, so a weight of 2 is not a
    # repeated row; and histogram trees take their bin edges from quantiles of the rows, which
    # a repeated row moves and a weight does not (the exact-tree classifier passes the check).
    if isinstance(estimator, AdaBoostRegressor):
        return {"check_sample_weight_equivalence_on_dense_data":
                "the bootstrap by weights is random (as scikit-learn's AdaBoostRegressor)"}
    if estimator.estimator is None:
        return {"check_sample_weight_equivalence_on_dense_data":
                "bin edges are quantiles of the rows: repeating a row moves them, a weight "
                "does not (scikit-learn marks the check failing for its AdaBoostClassifier)"}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- the SAMME round, against a numpy twin -------------------------------------------------------

def test_samme_weights_match_numpy_twin():
    """Replay SAMME in numpy from the fitted learners' predictions: every round's error, learner
    weight, and the weights the learner was grown on (its leaves' weighted sums of D_m)."""
    X, y = load_wine(return_X_y=True)
    # Uneven initial weights with a zero: the twin starts from the same normalised weights.
    sample_weight = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    sample_weight[3] = 0.0
    model = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2, splitter="hist"),
                               n_estimators=12, learning_rate=0.8, random_state=0)
    model.fit(X, y, sample_weight=sample_weight)
    n_classes = len(model.classes_)
    y_index = np.searchsorted(model.classes_, y)
    d = sample_weight / sample_weight.sum()
    d = np.where(d > 0, np.maximum(d, EPS), 0.0)
    assert len(model.estimators_) == 12
    for m, learner in enumerate(model.estimators_):
        leaves = learner.apply(X)
        tree = learner.tree_
        # The learner was grown on D_m: each leaf's weight and class fractions come from it.
        in_tree = d > 0
        leaf_weight = np.bincount(leaves[in_tree], weights=d[in_tree], minlength=tree.node_count)
        is_leaf = tree.children_left == -1
        np.testing.assert_allclose(tree.weighted_n_node_samples[is_leaf], leaf_weight[is_leaf],
                                   rtol=2e-6)
        for leaf in np.flatnonzero(is_leaf):
            rows = in_tree & (leaves == leaf)
            fractions = np.bincount(y_index[rows], weights=d[rows], minlength=n_classes)
            np.testing.assert_allclose(tree.value[leaf, 0], fractions / fractions.sum(), atol=1e-6)
        wrong = learner.predict(X) != y
        error = d[wrong].sum() / d.sum()
        alpha = 0.8 * (np.log((1 - error) / error) + np.log(n_classes - 1))
        assert model.estimator_errors_[m] == pytest.approx(error, rel=1e-10)
        assert model.estimator_weights_[m] == pytest.approx(alpha, rel=1e-10)
        # Exponential-loss view: misclassified rows grow by exp(alpha_m), then normalise, clip.
        d = np.where(wrong & (d > 0), d * np.exp(alpha), d)
        d = d / d.sum()
        d = np.where(d > 0, np.maximum(d, EPS), 0.0)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_digits])
def test_exact_stumps_equal_sklearn(loader):
    """skedu's exact stumps are scikit-learn's: same rounds, errors, weights and decision."""
    X, y = loader(return_X_y=True)
    ours = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=30,
                              random_state=0).fit(X, y)
    theirs = sk_ensemble.AdaBoostClassifier(sk_tree.DecisionTreeClassifier(max_depth=1),
                                            n_estimators=30, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.estimator_errors_, theirs.estimator_errors_, rtol=1e-10)
    np.testing.assert_allclose(ours.estimator_weights_, theirs.estimator_weights_, rtol=1e-10)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X),
                               atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_,
                               atol=1e-6)
    assert [est.random_state for est in ours.estimators_] == [
        est.random_state for est in theirs.estimators_]


def test_exact_trees_equal_sklearn_regressor():
    """R2 with exact trees draws scikit-learn's bootstraps and grows its trees (first rounds,
    before ties between equal splits can part the two)."""
    X, y = load_diabetes(return_X_y=True)
    ours = AdaBoostRegressor(n_estimators=5, random_state=0).fit(X, y)
    theirs = sk_ensemble.AdaBoostRegressor(n_estimators=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.estimator_errors_, theirs.estimator_errors_, rtol=1e-10)
    np.testing.assert_allclose(ours.estimator_weights_, theirs.estimator_weights_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10)


# -- the generic path ----------------------------------------------------------------------------

@pytest.mark.parametrize("n_classes", [2, 3])
def test_generic_logistic_regression_equals_sklearn(n_classes):
    X, y = make_classification(200, n_features=6, n_informative=4, n_classes=n_classes,
                               random_state=1)
    X = StandardScaler().fit_transform(X)
    learner = LogisticRegression(C=0.1, max_iter=500)
    with single_threaded_blas():  # tiny solves: BLAS threads only wait on a busy machine
        ours = AdaBoostClassifier(learner, n_estimators=8, random_state=0).fit(X, y)
        theirs = sk_ensemble.AdaBoostClassifier(learner, n_estimators=8, random_state=0).fit(X, y)
    assert len(ours.estimators_) == len(theirs.estimators_)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X),
                               atol=1e-8)
    np.testing.assert_allclose(ours.estimator_weights_, theirs.estimator_weights_, atol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-8)
    # Sparse input goes to the learner as it is.
    sparse_fit = AdaBoostClassifier(learner, n_estimators=8, random_state=0)
    sparse_fit.fit(sparse.csr_matrix(X), y)
    np.testing.assert_allclose(sparse_fit.decision_function(sparse.csr_matrix(X)),
                               ours.decision_function(X), atol=1e-6)


def test_generic_regressor_equals_sklearn():
    X, y = make_regression(300, n_features=5, noise=20, random_state=0)
    ours = AdaBoostRegressor(LinearRegression(), n_estimators=10, random_state=0).fit(X, y)
    theirs = sk_ensemble.AdaBoostRegressor(LinearRegression(), n_estimators=10,
                                           random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.estimator_weights_, theirs.estimator_weights_, rtol=1e-8)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8)


def test_pruned_tree_takes_the_generic_path():
    X, y = load_breast_cancer(return_X_y=True)
    model = AdaBoostClassifier(DecisionTreeClassifier(max_depth=3, ccp_alpha=0.01),
                               n_estimators=5, random_state=0).fit(X, y)
    assert model._trees is None and len(model.estimators_) == 5
    assert model.score(X, y) > 0.9


# -- quality against scikit-learn (5-fold CV, same settings) -------------------------------------

def _classification_problem(name):
    if name == "digits":
        return _subsample(*load_digits(return_X_y=True), 800)
    if name == "breast_cancer":
        return load_breast_cancer(return_X_y=True)
    if name == "wine":
        return load_wine(return_X_y=True)
    if name == "adult":
        datasets.require_data("adult.data.xz")
        X, y = datasets.load_adult()
        # scikit-learn's AdaBoost does not take NaN: both get the same filled-in values.
        return _subsample(np.nan_to_num(X, nan=-1.0), y, 1500)
    datasets.require_data("skin_nonskin.csv.xz")
    return _subsample(*datasets.load_skin_nonskin(), 3000)


# Small samples keep the suite fast; letter is left out: its integer features tie many splits,
# and 26 classes make SAMME's path there depend on how ties break (folds differ by 5 points).
@pytest.mark.parametrize("name, depth", [("digits", 1), ("breast_cancer", 1), ("wine", 3),
                                         ("adult", 1), ("skin_nonskin", 3)])
def test_accuracy_within_one_point_of_sklearn(name, depth):
    X, y = _classification_problem(name)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=depth, splitter="hist"), random_state=0), X, y, cv=cv)
    theirs = cross_val_score(sk_ensemble.AdaBoostClassifier(
        sk_tree.DecisionTreeClassifier(max_depth=depth), random_state=0), X, y, cv=cv)
    assert ours.mean() >= theirs.mean() - 0.01


@pytest.mark.parametrize("name, loss", [("diabetes", "linear"), ("diabetes", "exponential"),
                                        ("cal_housing", "linear")])
def test_r2_within_002_of_sklearn(name, loss):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    else:
        datasets.require_data("cal_housing.data.xz")
        X, y = _subsample(*datasets.load_cal_housing(), 1500)
    cv = KFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(AdaBoostRegressor(loss=loss, random_state=0), X, y, cv=cv)
    theirs = cross_val_score(sk_ensemble.AdaBoostRegressor(loss=loss, random_state=0), X, y,
                             cv=cv)
    assert ours.mean() >= theirs.mean() - 0.02


# -- staged predictions, learners, threads -------------------------------------------------------

@pytest.mark.parametrize("learner, loader", [
    (None, load_breast_cancer), (None, load_wine),
    (DecisionTreeClassifier(max_depth=2), load_wine),
    (LogisticRegression(C=0.1, max_iter=300), load_breast_cancer)])
def test_staged_ends_at_predict(learner, loader):
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = AdaBoostClassifier(learner, n_estimators=15, random_state=0).fit(X, y)
    n_rounds = len(model.estimators_)
    decisions = list(model.staged_decision_function(X))
    predictions = list(model.staged_predict(X))
    probas = list(model.staged_predict_proba(X))
    scores = list(model.staged_score(X, y))
    assert len(decisions) == len(predictions) == len(probas) == len(scores) == n_rounds
    np.testing.assert_allclose(decisions[-1], model.decision_function(X), atol=1e-12)
    np.testing.assert_array_equal(predictions[-1], model.predict(X))
    np.testing.assert_allclose(probas[-1], model.predict_proba(X), atol=1e-12)
    assert scores[-1] == model.score(X, y)
    # Round m's stage is the model fitted with m rounds.
    short = AdaBoostClassifier(learner, n_estimators=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(decisions[2], short.decision_function(X), atol=1e-12)


def test_regressor_staged_ends_at_predict():
    X, y = load_diabetes(return_X_y=True)
    model = AdaBoostRegressor(n_estimators=15, random_state=0).fit(X, y)
    stages = list(model.staged_predict(X))
    assert len(stages) == len(model.estimators_)
    np.testing.assert_array_equal(stages[-1], model.predict(X))
    assert list(model.staged_score(X, y))[-1] == model.score(X, y)


def test_estimators_are_fitted_skedu_trees():
    X, y = load_wine(return_X_y=True)
    model = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=5,
                               random_state=0).fit(X, y)
    learners = model.estimators_
    assert len(learners) == 5 and all(isinstance(t, DecisionTreeClassifier) for t in learners)
    assert learners[2].get_depth() <= 2
    # Votes computed from the learners' own predictions give the decision function.
    classes = model.classes_
    votes = sum(np.where(learner.predict(X)[:, None] == classes, w, -w / (len(classes) - 1))
                for learner, w in zip(learners, model.estimator_weights_))
    np.testing.assert_allclose(votes / model.estimator_weights_.sum(),
                               model.decision_function(X), atol=1e-12)
    importances = model.feature_importances_
    assert importances.shape == (X.shape[1],) and importances.sum() == pytest.approx(1.0)


def test_threads_do_not_change_the_model():
    X, y = make_classification(60_000, n_features=20, n_classes=3, n_informative=6,
                               random_state=0)
    fits = [AdaBoostClassifier(DecisionTreeClassifier(max_depth=2, splitter="hist", n_jobs=n),
                               n_estimators=6, random_state=0).fit(X, y) for n in (1, 2)]
    np.testing.assert_array_equal(fits[0].estimator_weights_, fits[1].estimator_weights_)
    np.testing.assert_array_equal(fits[0].decision_function(X[:2000]),
                                  fits[1].decision_function(X[:2000]))
    X, y = make_regression(60_000, n_features=20, random_state=0)
    fits = [AdaBoostRegressor(DecisionTreeRegressor(max_depth=3, splitter="hist", n_jobs=n),
                              n_estimators=4, random_state=0).fit(X, y) for n in (1, 2)]
    np.testing.assert_array_equal(fits[0].estimator_weights_, fits[1].estimator_weights_)
    np.testing.assert_array_equal(fits[0].predict(X[:2000]), fits[1].predict(X[:2000]))


def test_early_stops_as_sklearn():
    # Separable data: the first stump is perfect; it is kept with weight 1 and the fit stops.
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    model = AdaBoostClassifier(n_estimators=10).fit(X, y)
    assert len(model.estimators_) == 1
    assert model.estimator_weights_[0] == 1.0 and model.estimator_errors_[0] == 0.0
    np.testing.assert_array_equal(model.predict(X), y)
    # A learner no better than chance at the first round cannot make an ensemble.
    with pytest.raises(ValueError, match="worse than random"):
        AdaBoostClassifier(DummyClassifier(strategy="most_frequent")).fit(X, y)


def test_missing_values_and_pickle():
    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[np.random.default_rng(0).random(X.shape) < 0.1] = np.nan
    model = AdaBoostClassifier(n_estimators=20, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.decision_function(X), model.decision_function(X))
    regressor = AdaBoostRegressor(n_estimators=5, random_state=0).fit(X, y.astype(float))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(regressor)).predict(X),
                                  regressor.predict(X))


# -- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("Model", [AdaBoostClassifier, AdaBoostRegressor])
def test_bad_input(Model):
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(ValueError, match="infinity|inf"):
        Model(n_estimators=2).fit(np.where(X > 100, np.inf, X), y)
    with pytest.raises(ValueError, match="Negative"):
        Model(n_estimators=2).fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        Model(n_estimators=2).fit(X, y, sample_weight=np.ones(3))
    with pytest.raises((TypeError, ValueError), match="[Ss]parse"):
        Model(n_estimators=2).fit(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="features"):
        Model(n_estimators=2).fit(X, y).predict(X[:, :5])
    with pytest.raises(ValueError):
        Model(n_estimators=0).fit(X, y)
    with pytest.raises(ValueError):
        Model(learning_rate=0.0).fit(X, y)
    with pytest.raises(ValueError):
        Model(n_estimators=2).fit(X, np.where(np.arange(len(y)) == 0, np.nan, y))


def test_bad_input_classifier():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(ValueError, match="one class"):
        AdaBoostClassifier().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type|continuous"):
        AdaBoostClassifier().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="doesn't support sample_weight"):
        AdaBoostClassifier(KNeighborsClassifier()).fit(X, y)
    with pytest.raises(ValueError):
        AdaBoostRegressor(loss="huber").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AdaBoostClassifier(n_estimators=2).fit(X, y)
