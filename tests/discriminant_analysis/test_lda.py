"""Tests of skedu.discriminant_analysis.LinearDiscriminantAnalysis.

Reference: scikit-learn's LinearDiscriminantAnalysis on the same data. Both compute the same
closed-form model by different routes (class statistics and a p x p eigenproblem here, an SVD of
the n x p centred data there), so results agree to rounding error; the tests allow 1e-6 relative.
"""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import datasets
from sklearn.covariance import OAS, LedoitWolf, ShrunkCovariance
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as SklearnLDA
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from tests import datasets as shared
from skedu.discriminant_analysis import LinearDiscriminantAnalysis
from tests.datasets import require_data

# Both implementations are exact up to rounding; 1e-6 relative to the largest entry leaves a wide
# margin over the ~1e-12 actually seen, yet catches any real formula difference.
RTOL = 1e-6

@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Run scikit-learn's LAPACK calls on one BLAS thread: on a 2-core machine shared with other
    jobs, multi-threaded LAPACK on small matrices can be 100x slower (e.g. 25 s instead of 1 s
    for the SVD of 3000 x 784). skedu's own threads are OpenMP and stay as they are."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


SOLVER_SETTINGS = [
    {"solver": "svd"},
    {"solver": "eigen"},
    {"solver": "lsqr"},
    {"solver": "eigen", "shrinkage": "auto"},
    {"solver": "lsqr", "shrinkage": 0.3},
]


@parametrize_with_checks(
    [
        LinearDiscriminantAnalysis(),
        LinearDiscriminantAnalysis(solver="svd", store_covariance=True, n_components=1),
        LinearDiscriminantAnalysis(solver="eigen"),
        LinearDiscriminantAnalysis(solver="lsqr"),
        LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto"),
        LinearDiscriminantAnalysis(solver="lsqr", shrinkage=0.5),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ----------------------------------------------------------------------------- reference data


def _subsample(X, y, n_rows, seed=0):
    rows = np.random.default_rng(seed).permutation(X.shape[0])[:n_rows]
    return np.asarray(X[rows], dtype=np.float64), y[rows]


@functools.lru_cache(maxsize=None)
def _load(name):
    """A data set as (X float64, y), read-only; the shared ones subsampled to keep tests quick.

    Cached: several tests read the same set.
    """
    if name in ("iris", "wine", "digits"):
        X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    elif name == "letter":
        require_data("letter-recognition.data.xz")
        X, y = _subsample(*shared.load_letter(), 5000)
    elif name == "skin_nonskin":
        require_data("skin_nonskin.csv.xz")
        X, y = _subsample(*shared.load_skin_nonskin(), 20000)
    elif name == "fashion_mnist":
        require_data("fashion-mnist/train-images-idx3-ubyte.gz")
        X, y = _subsample(*shared.load_idx("fashion-mnist"), 3000)
    else:
        raise ValueError(name)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def _largest_relative_error(actual, expected):
    return np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), np.finfo(float).tiny)


def _assert_close(actual, expected):
    assert actual.shape == expected.shape
    assert _largest_relative_error(actual, expected) <= RTOL


def _align_signs(actual, expected):
    """Flip the columns of ``actual`` to point like ``expected``'s (components have no sign)."""
    signs = np.sign(np.sum(actual * expected, axis=0))
    signs[signs == 0] = 1.0
    return actual * signs


def _assert_matches_sklearn(X, y, **params):
    ours = LinearDiscriminantAnalysis(**params).fit(X, y)
    theirs = SklearnLDA(**params).fit(X, y)
    _assert_close(ours.coef_, theirs.coef_)
    _assert_close(ours.intercept_, theirs.intercept_)
    _assert_close(ours.means_, theirs.means_)
    _assert_close(ours.priors_, theirs.priors_)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-8)
    if hasattr(theirs, "covariance_"):
        _assert_close(ours.covariance_, theirs.covariance_)
    if params.get("solver", "svd") != "lsqr":
        _assert_close(ours.explained_variance_ratio_, theirs.explained_variance_ratio_)
        expected = theirs.transform(X)
        _assert_close(_align_signs(ours.transform(X), expected), expected)
    if params.get("solver", "svd") == "svd":
        _assert_close(ours.xbar_, theirs.xbar_)
    return ours


# digits has constant pixels, so its within-class covariance is singular and the unshrunk eigen
# solver fails there in both libraries (tested separately below); Fashion-MNIST likewise.
_REFERENCE_CASES = [
    (name, params)
    for name in ("iris", "wine", "digits", "letter", "skin_nonskin", "fashion_mnist")
    for params in SOLVER_SETTINGS
    if not (name in ("digits", "fashion_mnist") and params == {"solver": "eigen"})
]


@pytest.mark.parametrize("name, params", _REFERENCE_CASES, ids=lambda v: str(v))
def test_matches_sklearn_on_real_data(name, params):
    X, y = _load(name)
    _assert_matches_sklearn(X, y, **params)


@pytest.mark.parametrize("solver", ["svd", "eigen", "lsqr"])
def test_matches_sklearn_with_priors_and_n_components(solver):
    X, y = datasets.load_wine(return_X_y=True)
    _assert_matches_sklearn(
        X, y, solver=solver, priors=[0.5, 0.2, 0.3], n_components=1, store_covariance=True
    )


def test_binary_problem_has_one_decision_function():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    model = _assert_matches_sklearn(X, y)
    assert model.coef_.shape == (1, X.shape[1])
    assert model.decision_function(X).shape == (X.shape[0],)
    assert_allclose(model.predict_log_proba(X), np.log(model.predict_proba(X)), atol=1e-10)


def test_large_offset_keeps_precision():
    # Features far from zero: a raw sum x x^T minus n m m^T would lose every digit here.
    X, y = datasets.load_iris(return_X_y=True)
    shifted = X + 1e8
    reference = LinearDiscriminantAnalysis(store_covariance=True).fit(X, y)
    model = LinearDiscriminantAnalysis(store_covariance=True).fit(shifted, y)
    _assert_close(model.covariance_, reference.covariance_)
    _assert_close(model.coef_, reference.coef_)
    assert_array_equal(model.predict(shifted), reference.predict(X))


# ------------------------------------------------------------------------------- partial_fit


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "svd"},
        {"solver": "eigen"},
        {"solver": "lsqr"},
        {"solver": "eigen", "shrinkage": 0.2},
        {"solver": "lsqr", "priors": [0.2, 0.5, 0.3]},
        {"solver": "svd", "store_covariance": True, "priors": [0.2, 0.5, 0.3]},
    ],
    ids=str,
)
@pytest.mark.parametrize("sort_by_class", [False, True])
def test_partial_fit_over_ten_chunks_equals_fit(params, sort_by_class):
    X, y = datasets.load_wine(return_X_y=True)
    if sort_by_class:  # the early chunks then miss whole classes
        order = np.argsort(y, kind="stable")
        X, y = X[order], y[order]
    full = LinearDiscriminantAnalysis(**params).fit(X, y)
    streamed = LinearDiscriminantAnalysis(**params)
    for rows in np.array_split(np.arange(X.shape[0]), 10):
        streamed.partial_fit(X[rows], y[rows], classes=np.unique(y))
    for name in ("coef_", "intercept_", "means_", "priors_"):
        _assert_close(getattr(streamed, name), getattr(full, name))
    if hasattr(full, "covariance_"):
        _assert_close(streamed.covariance_, full.covariance_)
    if params["solver"] != "lsqr":
        expected = full.transform(X)
        _assert_close(_align_signs(streamed.transform(X), expected), expected)
    assert_array_equal(streamed.predict(X), full.predict(X))


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, 149), max_size=12, unique=True))
def test_partial_fit_any_chunking_equals_fit(cuts):
    X, y = datasets.load_iris(return_X_y=True)
    full = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    streamed = LinearDiscriminantAnalysis(solver="eigen")
    for rows in np.split(np.arange(X.shape[0]), sorted(cuts)):
        streamed.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    _assert_close(streamed.coef_, full.coef_)
    _assert_close(streamed.intercept_, full.intercept_)


def test_partial_fit_continues_after_fit():
    X, y = datasets.load_wine(return_X_y=True)
    order = np.random.default_rng(0).permutation(X.shape[0])  # both halves hold every class
    X, y = X[order], y[order]
    half = X.shape[0] // 2
    continued = LinearDiscriminantAnalysis().fit(X[:half], y[:half]).partial_fit(X[half:], y[half:])
    _assert_close(continued.coef_, LinearDiscriminantAnalysis().fit(X, y).coef_)


def test_partial_fit_predict_before_every_class_is_seen():
    X, y = datasets.load_iris(return_X_y=True)
    model = LinearDiscriminantAnalysis().partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    with pytest.raises(NotFittedError, match="classes without rows: \\[1, 2\\]"):
        model.predict(X)
    model.partial_fit(X[y != 0], y[y != 0])
    assert model.score(X, y) > 0.95


def test_partial_fit_input_errors():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="classes must be passed"):
        LinearDiscriminantAnalysis().partial_fit(X, y)
    model = LinearDiscriminantAnalysis().partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="labels not in classes: \\[7\\]"):
        model.partial_fit(X[:2], np.array([0, 7]))
    with pytest.raises(ValueError, match="differs from the classes"):
        model.partial_fit(X[:2], y[:2], classes=[0, 1])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:2, :3], y[:2])
    with pytest.raises(ValueError, match="at least 2 classes"):
        LinearDiscriminantAnalysis().partial_fit(X[:2], y[:2], classes=[0])
    with pytest.raises(AttributeError):
        LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto").partial_fit
    untouched = LinearDiscriminantAnalysis(n_components=5)
    with pytest.raises(ValueError, match="cannot be larger"):
        untouched.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(untouched, "classes_")
    model = LinearDiscriminantAnalysis(solver="eigen").partial_fit(X, y, classes=[0, 1, 2])
    model.set_params(priors=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="priors were set after fitting began"):
        model.partial_fit(X, y)


# -------------------------------------------------------------------- singular within scatter


def test_duplicated_features_like_sklearn():
    X, y = datasets.load_iris(return_X_y=True)
    duplicated = np.hstack([X, X[:, :2]])
    # svd drops the null directions, lsqr takes the minimum-norm solution: both as scikit-learn.
    _assert_matches_sklearn(duplicated, y, solver="svd")
    _assert_matches_sklearn(duplicated, y, solver="lsqr")
    _assert_matches_sklearn(duplicated, y, solver="eigen", shrinkage="auto")
    # Unshrunk eigen needs S_w positive definite; scikit-learn raises LinAlgError, so do we, with
    # the cure in the message (LinAlgError is a ValueError).
    with pytest.raises(np.linalg.LinAlgError):
        SklearnLDA(solver="eigen").fit(duplicated, y)
    model = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    with pytest.raises(ValueError, match="singular.*shrinkage"):
        model.fit(duplicated, y)
    # The failed refit leaves no half-updated model and no statistics to stream onto.
    with pytest.raises(NotFittedError):
        model.predict(duplicated)
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(duplicated, y)


def test_more_features_than_samples():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 50))
    y = np.repeat([0, 1, 2], 10)
    X[y == 1] += 1.0
    X_test = rng.standard_normal((200, 50))
    ours = _assert_matches_sklearn(X, y, solver="svd")
    assert_array_equal(ours.predict(X_test), SklearnLDA().fit(X, y).predict(X_test))
    with pytest.raises(ValueError, match="singular"):
        LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    # scikit-learn's lsqr keeps rounding noise of the singular S_w (its train accuracy here is
    # 1/3); the rank cut-off used here keeps only the range of S_w, which separates the classes.
    assert LinearDiscriminantAnalysis(solver="lsqr").fit(X, y).score(X, y) > 0.9
    _assert_matches_sklearn(X, y, solver="lsqr", shrinkage=0.5)


def test_wide_data_svd_routes_agree():
    # fit takes the SVD of the rows when there are more features than rows; partial_fit (and
    # store_covariance) go through the p x p statistics. Both must give the same model.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 60)) + np.repeat(rng.standard_normal((4, 60)), 10, axis=0)
    y = np.repeat([0, 1, 2, 3], 10)
    from_rows = _assert_matches_sklearn(X, y, solver="svd")
    assert not hasattr(from_rows, "_statistics")
    streamed = LinearDiscriminantAnalysis()
    for rows in np.array_split(rng.permutation(40), 4):
        streamed.partial_fit(X[rows], y[rows], classes=[0, 1, 2, 3])
    with_covariance = LinearDiscriminantAnalysis(store_covariance=True).fit(X, y)
    for other in (streamed, with_covariance):
        _assert_close(other.coef_, from_rows.coef_)
        _assert_close(other.intercept_, from_rows.intercept_)
        expected = from_rows.transform(X)
        _assert_close(_align_signs(other.transform(X), expected), expected)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LinearDiscriminantAnalysis().fit(X_bad, y)


# ------------------------------------------------------------------------------- bad input


def _iris():
    return datasets.load_iris(return_X_y=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(bad):
    X, y = _iris()
    X_bad = X.copy()
    X_bad[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        LinearDiscriminantAnalysis().fit(X_bad, y)
    model = LinearDiscriminantAnalysis().fit(X, y)
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        with pytest.raises(ValueError, match="NaN|infinity"):
            getattr(model, method)(X_bad)


def test_no_spread_within_classes_is_a_clear_error():
    X = np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match="constant within each class"):
        LinearDiscriminantAnalysis().fit(X, [0, 0, 1, 1])


def test_huge_finite_input_is_not_rejected():
    # Scores of finite but huge rows overflow to infinity; only a non-finite X is an error.
    X, y = _iris()
    model = LinearDiscriminantAnalysis().fit(X, y)
    huge = np.full((2, 4), 1e307)
    huge[1] *= -1
    with np.errstate(over="ignore"):
        scores = model.decision_function(huge)
    assert not np.all(np.isfinite(scores))
    assert model.predict(huge).shape == (2,)


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.zeros((0, 3)), np.zeros(0), ValueError, "0 sample"),
        (np.ones(6), np.array([0, 0, 0, 1, 1, 1]), ValueError, "2D array"),
        (np.ones((6, 2)), np.array([0, 1, 0]), ValueError, "inconsistent numbers"),
        (np.arange(12.0).reshape(6, 2), np.zeros(6), ValueError, "at least 2 classes"),
        (np.arange(4.0).reshape(2, 2), np.array([0, 1]), ValueError, "more than the number"),
        (np.arange(12.0).reshape(6, 2), np.linspace(0, 1, 6), ValueError, "Unknown label type"),
        (np.array([["a", "b"]] * 6), np.array([0, 1] * 3), ValueError, "convert"),
        (np.ones((6, 2)) * 1j, np.array([0, 1] * 3), ValueError, "[Cc]omplex"),
        (sparse.csr_matrix(np.eye(6)), np.array([0, 1] * 3), TypeError, "[Ss]parse"),
    ],
    ids=[
        "empty", "1d", "lengths", "one-class", "n=k", "continuous", "strings", "complex", "sparse",
    ],
)
def test_bad_training_data(X, y, error, match):
    with pytest.raises(error, match=match):
        LinearDiscriminantAnalysis().fit(X, y)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"solver": "cholesky"}, ValueError, "solver"),
        ({"shrinkage": 0.5}, ValueError, "not supported with solver='svd'"),
        ({"solver": "lsqr", "shrinkage": 1.5}, ValueError, "shrinkage.*\\[0.0, 1.0\\]"),
        ({"solver": "lsqr", "shrinkage": "oas"}, ValueError, "shrinkage"),
        ({"solver": "lsqr", "shrinkage": [0.1]}, TypeError, "shrinkage"),
        ({"n_components": 3}, ValueError, "cannot be larger"),
        ({"n_components": 0}, ValueError, "n_components.*\\[1, inf\\)"),
        ({"n_components": 1.5}, TypeError, "n_components"),
        ({"tol": -1.0}, ValueError, "tol"),
        ({"store_covariance": "yes"}, TypeError, "store_covariance"),
        ({"n_jobs": 0}, ValueError, "n_jobs"),
        ({"n_jobs": 1.5}, TypeError, "n_jobs"),
        ({"covariance_estimator": "oas"}, TypeError, "covariance_estimator"),
        ({"covariance_estimator": OAS()}, ValueError, "not supported with solver='svd'"),
        ({"solver": "lsqr", "shrinkage": 0.1, "covariance_estimator": OAS()}, ValueError,
         "only one of the two"),
        ({"priors": [0.5, 0.5]}, ValueError, "one per class"),
        ({"priors": [0.5, 0.7, -0.2]}, ValueError, "non-negative"),
        ({"priors": [0.5, np.nan, 0.5]}, ValueError, "finite"),
    ],
    ids=str,
)
def test_bad_parameters(params, error, match):
    X, y = _iris()
    with pytest.raises(error, match=match):
        LinearDiscriminantAnalysis(**params).fit(X, y)


def test_priors_are_renormalised_with_a_warning():
    X, y = _iris()
    with pytest.warns(UserWarning, match="Renormalizing"):
        model = LinearDiscriminantAnalysis(priors=[1.0, 1.0, 2.0]).fit(X, y)
    assert_allclose(model.priors_, [0.25, 0.25, 0.5])


def test_wrong_number_of_features_and_unfitted():
    X, y = _iris()
    with pytest.raises(NotFittedError):
        LinearDiscriminantAnalysis().predict(X)
    model = LinearDiscriminantAnalysis().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])
    with pytest.raises(AttributeError):
        LinearDiscriminantAnalysis(solver="lsqr").fit(X, y).transform(X)


# ------------------------------------------------------------------------------ properties


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_classes=st.integers(2, 5),
    solver=st.sampled_from(["svd", "eigen", "lsqr"]),
)
def test_probabilities_are_consistent(seed, n_classes, solver):
    X, y = datasets.make_blobs(60, n_features=4, centers=n_classes, random_state=seed)
    model = LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    proba = model.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])
    log_proba = model.predict_log_proba(X)
    assert np.all(np.isfinite(log_proba))
    assert_allclose(np.exp(log_proba), proba, atol=1e-12)


@pytest.mark.parametrize("solver", ["svd", "lsqr"])
def test_same_model_whatever_n_jobs(solver):
    # Large enough for the threaded statistics path; the blocks are merged in a fixed order, so
    # the model is bitwise the same for any number of threads.
    X, y = datasets.make_classification(
        20_000, n_features=60, n_informative=20, n_classes=4, random_state=0
    )
    one = LinearDiscriminantAnalysis(solver=solver, n_jobs=1).fit(X, y)
    two = LinearDiscriminantAnalysis(solver=solver, n_jobs=2).fit(X, y)
    assert_array_equal(one.coef_, two.coef_)
    assert_array_equal(one.intercept_, two.intercept_)
    with threadpool_limits(1):  # BLAS and OpenMP both on one thread
        serial = LinearDiscriminantAnalysis(solver=solver, n_jobs=2).fit(X, y)
    assert_array_equal(serial.coef_, two.coef_)


def test_float32_input_is_accumulated_in_float64():
    X, y = datasets.load_wine(return_X_y=True)
    X32 = X.astype(np.float32)
    model = LinearDiscriminantAnalysis().fit(X32, y)
    reference = LinearDiscriminantAnalysis().fit(X32.astype(np.float64), y)
    # Statistics in float64, attributes rounded once to float32 at the end.
    assert_allclose(model.coef_, reference.coef_.astype(np.float32), rtol=1e-6)


def test_in_a_grid_search_pipeline():
    X, y = datasets.load_wine(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LinearDiscriminantAnalysis()),
        {"lineardiscriminantanalysis__solver": ["svd", "lsqr", "eigen"]},
        cv=3,
    ).fit(X, y)
    assert search.best_score_ > 0.95


def test_feature_names_out():
    X, y = datasets.load_wine(return_X_y=True)
    model = LinearDiscriminantAnalysis(n_components=2).fit(X, y)
    assert_array_equal(
        model.get_feature_names_out(),
        ["lineardiscriminantanalysis0", "lineardiscriminantanalysis1"],
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_partial_fit_with_non_finite_chunk_keeps_the_statistics(bad):
    X, y = datasets.load_wine(return_X_y=True)
    order = np.random.default_rng(0).permutation(X.shape[0])
    X, y = X[order], y[order]
    model = LinearDiscriminantAnalysis().partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    chunk = X[100:].copy()
    chunk[-1, 3] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.partial_fit(chunk, y[100:])
    model.partial_fit(X[100:], y[100:])
    _assert_close(model.coef_, LinearDiscriminantAnalysis().fit(X, y).coef_)
    first = LinearDiscriminantAnalysis()
    with pytest.raises(ValueError, match="NaN|infinity"):
        first.partial_fit(chunk, y[100:], classes=[0, 1, 2])
    first.partial_fit(X, y)  # the failed first chunk left nothing behind
    _assert_close(first.coef_, model.coef_)


@pytest.mark.parametrize("solver", ["svd", "eigen", "lsqr"])
@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_extreme_magnitudes_fit_as_the_rescaled_data(solver, scale):
    # |x| ~ 1e300 squares past float64; such features are scaled by a power of two and the
    # attributes scaled back. One extreme column among ordinary ones, as in real data.
    X, y = datasets.load_iris(return_X_y=True)
    extreme = X.copy()
    extreme[:, 1] *= scale
    model = LinearDiscriminantAnalysis(solver=solver).fit(extreme, y)
    reference = LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    np.testing.assert_array_equal(model.predict(extreme), reference.predict(X))
    _assert_close(model.predict_proba(extreme), reference.predict_proba(X))
    _assert_close(model.coef_[:, 1] * scale, reference.coef_[:, 1])
    _assert_close(model.means_[:, 1] / scale, reference.means_[:, 1])
    if solver != "lsqr":
        _assert_close(model.transform(extreme), reference.transform(X))
    streamed = LinearDiscriminantAnalysis(solver=solver).partial_fit(extreme, y, classes=[0, 1, 2])
    _assert_close(streamed.predict_proba(extreme), reference.predict_proba(X))


@pytest.mark.parametrize("solver", ["eigen", "lsqr"])
def test_covariance_estimator_matches_sklearn(solver):
    X, y = datasets.load_wine(return_X_y=True)
    for estimator in (OAS(), LedoitWolf(), ShrunkCovariance(shrinkage=0.3)):
        ours = LinearDiscriminantAnalysis(solver=solver, covariance_estimator=estimator).fit(X, y)
        theirs = SklearnLDA(solver=solver, covariance_estimator=estimator).fit(X, y)
        _assert_close(ours.coef_, theirs.coef_)
        _assert_close(ours.covariance_, theirs.covariance_)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
        if solver == "eigen":
            _assert_close(np.abs(ours.transform(X)), np.abs(theirs.transform(X)))
    assert not hasattr(LinearDiscriminantAnalysis(solver=solver, covariance_estimator=OAS()),
                       "partial_fit")


@pytest.mark.parametrize("solver", ["svd", "eigen", "lsqr"])
def test_float32_input_keeps_float32(solver):
    X, y = datasets.load_wine(return_X_y=True)
    X32 = X.astype(np.float32)
    model = LinearDiscriminantAnalysis(solver=solver).fit(X32, y)
    # scikit-learn keeps float32 with "svd" (its "eigen" and "lsqr" return float64); every
    # solver does here.
    assert model.coef_.dtype == model.intercept_.dtype == model.means_.dtype == np.float32
    assert model.decision_function(X32).dtype == np.float32
    assert model.predict_proba(X32).dtype == np.float32
    if solver != "lsqr":
        assert model.transform(X32).dtype == np.float32
    if solver == "svd":
        theirs = SklearnLDA(solver=solver).fit(X32, y)
        assert theirs.coef_.dtype == theirs.transform(X32).dtype == np.float32
    reference = LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-4, atol=1e-4 * np.abs(
        reference.coef_).max())
