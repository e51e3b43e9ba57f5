"""Random forests and extra trees: the scikit-learn contract, accuracy against scikit-learn's
forests on real data, determinism, warm start, out-of-bag scores and bad input."""

import pickle

import numpy as np
import pytest
from sklearn import ensemble as sk_ensemble
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine, make_classification
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from skedu.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                            RandomForestRegressor)
from tests import datasets as shared
from tests.datasets import require_data

WEIGHTS_ARE_NOT_REPEATS = (
    "a bootstrap draws rows, so a row of weight 2 is not the same as the row repeated twice "
    "(scikit-learn's forests fail this check too)")


def _expected_failed_checks(estimator):
    if getattr(estimator, "bootstrap", False):
        return {"check_sample_weight_equivalence_on_dense_data": WEIGHTS_ARE_NOT_REPEATS,
                "check_sample_weight_equivalence_on_sparse_data": WEIGHTS_ARE_NOT_REPEATS}
    return {}


@parametrize_with_checks(
    [RandomForestClassifier(n_estimators=5, random_state=0),
     RandomForestClassifier(n_estimators=5, splitter="hist", random_state=0),
     RandomForestRegressor(n_estimators=5, random_state=0),
     ExtraTreesClassifier(n_estimators=5, random_state=0),
     ExtraTreesRegressor(n_estimators=5, random_state=0)],
    expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


PAIRS = {
    "random_forest": (RandomForestClassifier, sk_ensemble.RandomForestClassifier,
                      RandomForestRegressor, sk_ensemble.RandomForestRegressor),
    "extra_trees": (ExtraTreesClassifier, sk_ensemble.ExtraTreesClassifier,
                    ExtraTreesRegressor, sk_ensemble.ExtraTreesRegressor),
}


def _mean_cv_score(model_class, X, y, classification, n_estimators=50, seeds=(0, 1, 2)):
    """5-fold CV score averaged over seeds (the forest's and the folds')."""
    scores = []
    for seed in seeds:
        folds = (StratifiedKFold if classification else KFold)(5, shuffle=True, random_state=seed)
        model = model_class(n_estimators=n_estimators, random_state=seed, n_jobs=2)
        scores.append(cross_val_score(model, X, y, cv=folds).mean())
    return float(np.mean(scores))


@pytest.mark.parametrize("family", sorted(PAIRS))
@pytest.mark.parametrize("loader", [load_digits, load_breast_cancer, load_wine])
def test_classification_accuracy_matches_scikit_learn(family, loader):
    # Tolerance: 1 point of 5-fold CV accuracy averaged over 3 seeds (both forests are random).
    ours, theirs = PAIRS[family][:2]
    X, y = loader(return_X_y=True)
    assert _mean_cv_score(ours, X, y, True) >= _mean_cv_score(theirs, X, y, True) - 0.01


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_regression_r2_matches_scikit_learn(family):
    # Tolerance: 0.01 of 5-fold CV R^2 averaged over 3 seeds.
    ours, theirs = PAIRS[family][2:]
    X, y = load_diabetes(return_X_y=True)
    assert _mean_cv_score(ours, X, y, False) >= _mean_cv_score(theirs, X, y, False) - 0.01


def _subsample(X, y, n, seed=0):
    rows = np.random.RandomState(seed).choice(len(X), min(n, len(X)), replace=False)
    return X[rows], y[rows]


@pytest.mark.parametrize("name", ["adult", "skin_nonskin", "letter", "cal_housing"])
def test_real_data_matches_scikit_learn(name):
    # Held-out score on subsamples (for test time); tolerance 1 point / 0.01 R^2.
    files = {"adult": "adult.data.xz", "skin_nonskin": "skin_nonskin.csv.xz",
             "letter": "letter-recognition.data.xz", "cal_housing": "cal_housing.data.xz"}
    require_data(files[name])
    X, y = getattr(shared, f"load_{name}")()
    X, y = _subsample(X, y, 8000)
    classification = name != "cal_housing"
    ours = RandomForestClassifier if classification else RandomForestRegressor
    theirs = sk_ensemble.RandomForestClassifier if classification else sk_ensemble.RandomForestRegressor
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scores = [model(n_estimators=40, random_state=0, n_jobs=2).fit(X_train, y_train).score(X_test, y_test)
              for model in (ours, theirs)]
    assert scores[0] >= scores[1] - 0.01


@pytest.mark.parametrize("model_class", [RandomForestClassifier, ExtraTreesClassifier,
                                         RandomForestRegressor])
def test_same_forest_for_any_thread_count_and_in_warm_start_steps(model_class):
    X, y = make_classification(600, n_features=8, random_state=0)
    fits = [model_class(n_estimators=20, random_state=3, n_jobs=n_jobs).fit(X, y)
            for n_jobs in (1, 2)]
    stepped = model_class(n_estimators=12, random_state=3, warm_start=True).fit(X, y)
    stepped.set_params(n_estimators=20).fit(X, y)
    for other in (fits[1], stepped):
        np.testing.assert_array_equal(fits[0].trees_.nodes, other.trees_.nodes)
        np.testing.assert_array_equal(fits[0].trees_.values, other.trees_.values)
    assert not np.array_equal(fits[0].estimators_[0].tree_.nodes, fits[0].estimators_[1].tree_.nodes)


def test_oob_score_is_close_to_a_held_out_score():
    X, y = make_classification(4000, n_features=20, n_informative=8, random_state=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
    forest = RandomForestClassifier(n_estimators=60, oob_score=True, random_state=0).fit(X_train, y_train)
    assert abs(forest.oob_score_ - forest.score(X_test, y_test)) <= 0.02
    assert forest.oob_decision_function_.shape == (len(X_train), 2)
    regressor = RandomForestRegressor(n_estimators=30, oob_score=True, random_state=0).fit(
        *load_diabetes(return_X_y=True))
    assert 0.3 < regressor.oob_score_ < 0.6


def test_estimators_predict_and_average_to_the_forest():
    X, y = load_wine(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=15, random_state=0).fit(X, y)
    trees = forest.estimators_
    mean = np.mean([tree.predict_proba(X) for tree in trees], axis=0)
    np.testing.assert_allclose(forest.predict_proba(X), mean, atol=1e-12)
    np.testing.assert_array_equal(forest.apply(X)[:, 3], trees[3].apply(X))
    indicator, offsets = forest.decision_path(X)
    assert indicator.shape == (len(X), offsets[-1])
    assert len(forest.estimators_samples_) == 15
    np.testing.assert_allclose(forest.feature_importances_.sum(), 1.0)


def test_pickle_round_trip():
    X, y = load_breast_cancer(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(forest))
    np.testing.assert_array_equal(again.predict_proba(X), forest.predict_proba(X))


def test_balanced_subsample_and_max_samples():
    X, y = make_classification(800, weights=[0.9], random_state=0)
    forest = RandomForestClassifier(n_estimators=20, class_weight="balanced_subsample",
                                    max_samples=0.5, max_depth=3, random_state=0).fit(X, y)
    plain = RandomForestClassifier(n_estimators=20, max_samples=0.5, max_depth=3,
                                   random_state=0).fit(X, y)
    # Weighting the minority class moves the (impure) leaves' probability towards it.
    assert forest.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


@pytest.mark.parametrize("params, message", [
    ({"n_estimators": 0}, "n_estimators"),
    ({"max_samples": 0.5, "bootstrap": False}, "max_samples"),
    ({"oob_score": True, "bootstrap": False}, "bootstrap"),
    ({"max_features": 0}, "max_features"),
])
def test_bad_parameters_raise_clear_errors(params, message):
    X, y = make_classification(100, random_state=0)
    with pytest.raises(ValueError, match=message):
        RandomForestClassifier(**params).fit(X, y)


def test_bad_input_raises_clear_errors():
    X, y = make_classification(100, random_state=0)
    with pytest.raises(ValueError, match="infinity|inf"):
        RandomForestClassifier().fit(np.where(X > 2, np.inf, X), y)
    with pytest.raises(ValueError, match="[Nn]egative"):
        RandomForestClassifier().fit(X, y, sample_weight=-np.ones(100))
    with pytest.raises(ValueError, match="features"):
        RandomForestClassifier(n_estimators=3).fit(X, y).predict(X[:, :5])
    with pytest.raises(ValueError, match="n_estimators"):
        RandomForestClassifier(n_estimators=5, warm_start=True).fit(X, y).set_params(
            n_estimators=3).fit(X, y)


def test_ccp_alpha_prunes_each_stored_tree():
    X, y = load_breast_cancer(return_X_y=True)
    full = RandomForestClassifier(n_estimators=4, random_state=0).fit(X, y)
    pruned = RandomForestClassifier(n_estimators=4, ccp_alpha=0.01, random_state=0).fit(X, y)
    for grown, kept in zip(full.estimators_, pruned.estimators_):
        assert kept.tree_.node_count < grown.tree_.node_count
        np.testing.assert_array_equal(kept.tree_.nodes,
                                      grown.tree_.pruned(0.01).nodes)
    assert pruned.score(X, y) > 0.9


@pytest.mark.parametrize("class_weight", [None, "balanced_subsample"])
def test_multi_output_classification_as_scikit_learn(class_weight):
    """Several outputs: classes_ and predict_proba per output, accuracy close to scikit-learn's
    forest on the same data; out-of-bag scores for multilabel targets only, as scikit-learn."""
    from sklearn.ensemble import RandomForestClassifier as SkForest

    X, y = make_classification(600, n_features=8, n_informative=5, n_classes=3, random_state=0)
    Y = np.column_stack([y, np.array(["a", "b"])[(X[:, 1] + X[:, 2] > 0).astype(int)]]).astype(object)
    params = dict(n_estimators=15, random_state=0, class_weight=class_weight)
    ours = RandomForestClassifier(**params).fit(X[:400], Y[:400])
    theirs = SkForest(**params).fit(X[:400], Y[:400])
    assert ours.n_outputs_ == 2 and ours.n_classes_ == theirs.n_classes_ == [3, 2]
    for mine, other in zip(ours.classes_, theirs.classes_):
        np.testing.assert_array_equal(mine, other)
    proba = ours.predict_proba(X[400:])
    assert [p.shape for p in proba] == [(200, 3), (200, 2)]
    predicted = ours.predict(X[400:])
    assert predicted.shape == (200, 2)
    for k in range(2):
        np.testing.assert_allclose(proba[k].sum(axis=1), 1.0, rtol=1e-6)
        ours_accuracy = np.mean(predicted[:, k] == Y[400:, k])
        theirs_accuracy = np.mean(theirs.predict(X[400:])[:, k] == Y[400:, k])
        assert ours_accuracy >= theirs_accuracy - 0.05
    tree = ours.estimators_[0]
    assert tree.n_outputs_ == 2 and len(tree.predict_proba(X[:5])) == 2
    with pytest.raises(ValueError, match="cannot be used to compute OOB estimates"):
        RandomForestClassifier(oob_score=True).fit(X, Y)
    labels = np.column_stack([y == 0, X[:, 1] > 0]).astype(int)
    params["oob_score"] = True
    ours, theirs = RandomForestClassifier(**params).fit(X, labels), SkForest(**params).fit(X, labels)
    assert ours.oob_decision_function_.shape == theirs.oob_decision_function_.shape == (600, 2, 2)
    assert abs(ours.oob_score_ - theirs.oob_score_) < 0.05
