"""Inputs scikit-learn's trees take (byte orders, layouts, read-only memory, dtypes) give the
same predictions as scikit-learn's, and bad inputs give scikit-learn's errors."""

import numpy as np
import pytest
from sklearn import tree as sk_tree

from skedu.ensemble import GradientBoostingRegressor, RandomForestClassifier
from skedu.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _data(n_samples=600, seed=0):
    # Continuous targets: no two splits score the same, so both libraries grow the same tree
    # whatever the feature values' dtype.
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4)) * 4
    y = X[:, 0] - X[:, 1] ** 2 + 3 * np.sin(X[:, 2]) + rng.normal(scale=0.1, size=n_samples)
    return X, y


def _read_only(X):
    X = X.copy()
    X.flags.writeable = False
    return X


def _read_only_memmap(X, folder):
    path = folder / "X.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r")


VARIANTS = {
    "big-endian float64": lambda X, folder: X.astype(">f8"),
    "big-endian int32": lambda X, folder: np.rint(X * 100).astype(">i4"),
    "fortran-ordered": lambda X, folder: np.asfortranarray(X),
    "strided view": lambda X, folder: np.repeat(X, 2, axis=1)[:, ::2],
    "read-only": lambda X, folder: _read_only(X),
    "read-only memmap": _read_only_memmap,
    "float16": lambda X, folder: X.astype(np.float16),
    "int64": lambda X, folder: np.rint(X * 100).astype(np.int64),
    "uint8": lambda X, folder: np.clip(X * 10 + 128, 0, 255).astype(np.uint8),
    "bool": lambda X, folder: X > 0,
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_fit_and_predict_as_sklearn(variant, tmp_path):
    X, y = _data()
    X_variant = VARIANTS[variant](X, tmp_path)
    assert X_variant.dtype != np.float64 or not X_variant.flags.c_contiguous or \
        not X_variant.flags.writeable or X_variant.dtype.byteorder == ">"
    reg = DecisionTreeRegressor(max_depth=6, random_state=0).fit(X_variant, y)
    sk_reg = sk_tree.DecisionTreeRegressor(max_depth=6, random_state=0).fit(X_variant, y)
    np.testing.assert_allclose(reg.predict(X_variant), sk_reg.predict(X_variant), rtol=1e-12,
                               atol=1e-12)
    y_binary = y > np.median(y)
    clf = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X_variant, y_binary)
    sk_clf = sk_tree.DecisionTreeClassifier(max_depth=2, random_state=0).fit(X_variant, y_binary)
    np.testing.assert_array_equal(clf.apply(X_variant), sk_clf.apply(X_variant))
    np.testing.assert_allclose(clf.predict_proba(X_variant), sk_clf.predict_proba(X_variant),
                               rtol=0, atol=1e-7)


@pytest.mark.parametrize("variant", ["big-endian float64", "read-only memmap", "float16", "bool"])
def test_ensembles_take_the_same_inputs(variant, tmp_path):
    # The forests and boosting validate through the same path: the variant and a plain
    # float64 copy of it give the same model.
    X, y = _data(300)
    X_variant = VARIANTS[variant](X, tmp_path)
    X_plain = np.array(X_variant, dtype=np.float64)
    for Estimator, target in [(RandomForestClassifier, y > 0), (GradientBoostingRegressor, y)]:
        model = Estimator(n_estimators=5, random_state=0).fit(X_variant, target)
        plain = Estimator(n_estimators=5, random_state=0).fit(X_plain, target)
        np.testing.assert_array_equal(model.predict(X_variant), plain.predict(X_plain))


def _bad_inputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    y_class = (X[:, 0] > 0).astype(int)
    y_reg = X[:, 1].copy()
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    y_nan = y_reg.copy()
    y_nan[0] = np.nan
    fit = lambda X_, y_, **kw: lambda est: est.fit(X_, y_, **kw)  # noqa: E731
    return {
        "infinite X": ("classifier", {}, fit(X_inf, y_class)),
        "NaN in y": ("regressor", {}, fit(X, y_nan)),
        "sample_weight shape": ("classifier", {}, fit(X, y_class, sample_weight=np.ones(3))),
        "NaN sample_weight": ("classifier", {},
                              fit(X, y_class, sample_weight=np.full(40, np.nan))),
        "labels and samples": ("classifier", {}, fit(X, y_class[:-1])),
        "1-d X": ("classifier", {}, fit(X[:, 0], y_class)),
        "3-d X": ("regressor", {}, fit(X[:, :, None], y_reg)),
        "empty X": ("classifier", {}, fit(X[:0], y_class[:0])),
        "no feature": ("classifier", {}, fit(X[:, :0], y_class)),
        "complex X": ("regressor", {}, fit(X + 1j, y_reg)),
        "strings in X": ("classifier", {}, fit(np.full((40, 4), "a"), y_class)),
        "strings as regression y": ("regressor", {}, fit(X, np.full(40, "a"))),
        "continuous classifier y": ("classifier", {}, fit(X, y_reg)),
        "class_weight without a class": ("classifier", dict(class_weight={0: 1, 5: 2}),
                                         fit(X, y_class)),
        "max_depth": ("classifier", dict(max_depth=0), fit(X, y_class)),
        "min_samples_leaf": ("regressor", dict(min_samples_leaf=1.0), fit(X, y_reg)),
        "min_weight_fraction_leaf": ("regressor", dict(min_weight_fraction_leaf=0.6),
                                     fit(X, y_reg)),
        "max_features": ("classifier", dict(max_features="auto"), fit(X, y_class)),
        "max_leaf_nodes": ("classifier", dict(max_leaf_nodes=1), fit(X, y_class)),
        "ccp_alpha": ("regressor", dict(ccp_alpha=-1.0), fit(X, y_reg)),
        "random_state": ("classifier", dict(random_state="seed"), fit(X, y_class)),
        "predict unfitted": ("classifier", {}, lambda est: est.predict(X)),
        "predict features": ("classifier", {}, lambda est: est.fit(X, y_class).predict(X[:, :3])),
        "apply infinite": ("regressor", {}, lambda est: est.fit(X, y_reg).apply(X_inf)),
        "decision_path 1-d": ("regressor", {}, lambda est: est.fit(X, y_reg).decision_path(X[0])),
        "monotonic_cst length": ("regressor", dict(monotonic_cst=[1]), fit(X, y_reg)),
    }


BAD_INPUTS = _bad_inputs()


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_inputs_raise_as_sklearn(case):
    kind, params, action = BAD_INPUTS[case]
    ours, theirs = {"classifier": (DecisionTreeClassifier, sk_tree.DecisionTreeClassifier),
                    "regressor": (DecisionTreeRegressor, sk_tree.DecisionTreeRegressor)}[kind]
    with pytest.raises(Exception) as expected:
        action(theirs(**params))
    with pytest.raises(Exception) as raised:
        action(ours(**params))
    assert type(raised.value) is type(expected.value)
    assert str(raised.value) == str(expected.value)


def test_max_features_above_n_features_uses_every_feature_as_sklearn():
    X, y = _data(200)
    reg = DecisionTreeRegressor(max_features=10, random_state=0).fit(X, y)
    sk_reg = sk_tree.DecisionTreeRegressor(max_features=10, random_state=0).fit(X, y)
    assert reg.max_features_ == sk_reg.max_features_ == 10
    np.testing.assert_allclose(reg.predict(X), sk_reg.predict(X), rtol=1e-12)
