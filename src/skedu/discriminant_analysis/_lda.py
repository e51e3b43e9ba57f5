"""Linear discriminant analysis: a classifier and a supervised projection.

Every solver works from three statistics gathered in one pass over the rows: class counts, class
means and the within-class scatter (:mod:`skedu.discriminant_analysis._stats`). ``fit`` gathers them from all rows
at once, ``partial_fit`` from chunks, and both then solve the same small problems in
:mod:`skedu.discriminant_analysis._solvers`. The heavy product is one BLAS ``syrk`` per block of rows of one class,
called from the compiled kernel :mod:`skedu._core._lda` in parallel over blocks.
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._solvers import (
    estimator_covariance,
    ledoit_wolf_covariance,
    solve_eigen,
    solve_lsqr,
    solve_svd,
    solve_svd_from_rows,
    total_covariance,
    within_covariance,
)
from ._stats import ClassStatistics
from ._validation import (
    check_at_least_two_classes,
    check_params,
    encode_labels,
    max_components,
    user_priors,
)
from ..utils import effective_n_threads, single_threaded_blas

__all__ = ["LinearDiscriminantAnalysis"]

# Up to this many features the p x p solves (eigh, svd, lstsq) run on one BLAS thread: LAPACK on
# small matrices gains little from threads and loses much when the cores are shared (measured
# on 2 busy cores, one thread vs two: eigh 1.3 vs 168 ms at p=100, 110 vs 3500 ms at p=784).
_SERIAL_SOLVE_MAX_FEATURES = 2048

_FITTED_ATTRIBUTES = (
    "coef_", "intercept_", "covariance_", "means_", "priors_", "scalings_", "xbar_",
    "explained_variance_ratio_",
)


class LinearDiscriminantAnalysis(
    ClassNamePrefixFeaturesOutMixin, ClassifierMixin, TransformerMixin, BaseEstimator
):
    """Linear discriminant analysis (LDA), a drop-in for scikit-learn's.

    A Gaussian density with a covariance shared by all classes is fitted to each class and Bayes'
    rule gives a linear decision boundary. The same fit projects the data onto the directions
    where, after projection, the between-class variance is largest relative to the within-class
    variance (:meth:`transform`).

    Fitting needs only the class counts, means and within-class scatter, which are gathered in one
    pass over the rows, so :meth:`partial_fit` trains on data that does not fit in memory and
    gives the model of a single :meth:`fit` up to floating-point error.

    Parameters
    ----------
    solver : {"svd", "eigen", "lsqr"}, default="svd"
        - ``"svd"``: whitens the within-class scatter, then finds the between-class directions
          by an SVD of the whitened class means; handles a singular within-class scatter.
        - ``"eigen"``: solves the generalised eigenproblem ``S_b w = lambda S_w w``
          (:func:`scipy.linalg.eigh`); supports shrinkage.
        - ``"lsqr"``: least squares ``S_w coef = means``; classification only, supports shrinkage.
    shrinkage : None, "auto" or float in [0, 1], default=None
        Shrinkage of the class covariances towards a multiple of the identity ("eigen" and
        "lsqr" only). ``"auto"`` picks it by the Ledoit–Wolf lemma, which needs all rows at once
        and so is not available with :meth:`partial_fit`.
    priors : array-like of shape (n_classes,), default=None
        Class prior probabilities; by default the class proportions of the training data.
    n_components : int, default=None
        Number of components kept by :meth:`transform`, at most
        ``min(n_classes - 1, n_features)``; ``None`` keeps that many.
    store_covariance : bool, default=False
        Also compute ``covariance_`` with the "svd" solver (the others always do).
    tol : float, default=1e-4
        With "svd": singular values of the whitened within-class data at or below ``tol`` are
        treated as zero, and so are between-class singular values at or below ``tol`` times the
        largest.
    covariance_estimator : estimator, default=None
        With "eigen" or "lsqr": an estimator with ``fit`` and a ``covariance_`` attribute
        (e.g. :class:`sklearn.covariance.OAS`) fitted, as a clone, to the rows of each class
        (and to all rows, for "eigen"); the class covariances are then weighted by the priors,
        as scikit-learn does. Not with ``shrinkage``, and not with :meth:`partial_fit` (it
        needs the rows).
    n_jobs : int, default=None
        Threads for gathering the class statistics (scikit-learn's meaning: ``None`` uses what
        the OpenMP runtime allows, ``-1`` all cores). Small inputs run on one thread. The model
        does not depend on it.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights of the linear decision functions.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts of the decision functions.
    covariance_ : ndarray of shape (n_features, n_features)
        Prior-weighted sum of the (possibly shrunk, biased) class covariances. With "svd" only
        when ``store_covariance=True``.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the between-class variance along each kept component ("svd" and "eigen").
    means_ : ndarray of shape (n_classes, n_features)
        Class means.
    priors_ : ndarray of shape (n_classes,)
        Class priors (sum to 1).
    scalings_ : ndarray of shape (n_features, rank)
        Projection onto the discriminant directions ("svd" and "eigen").
    xbar_ : ndarray of shape (n_features,)
        Prior-weighted overall mean ("svd" only).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when they are all strings.

    See Also
    --------
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : The reference implementation.

    Notes
    -----
    The fitted attributes equal scikit-learn's up to floating-point error for every solver, with
    three deliberate differences: "lsqr" treats singular values of ``S_w`` below
    ``n_features * eps`` times the largest as zero (scikit-learn keeps the rounding noise of a
    singular ``S_w``, e.g. with more features than samples); :meth:`predict_log_proba` is a
    log-softmax, finite where scikit-learn's ``log(predict_proba)`` underflows; the statistics
    are accumulated in float64 for float32 input.

    With at least as many rows as features, the "svd" solver replaces scikit-learn's SVD of the
    ``n x p`` centred data by the eigendecomposition of its ``p x p`` Gram matrix (the scaled
    within-class scatter): the same singular vectors, the squares of the singular values, and
    one pass over the rows. With more features than rows (and ``store_covariance=False``),
    :meth:`fit` takes scikit-learn's route, the SVD of the rows, and forms no ``p x p`` matrix.

    The estimator keeps the statistics for :meth:`partial_fit`: a ``p x p`` scatter matrix, or
    one per class when ``priors`` is given with the "eigen" or "lsqr" solver (or with
    ``store_covariance``).

    Features whose magnitude is beyond ``2**±200`` (such as ``|x| ≈ 1e300``, whose squares
    overflow float64) are scaled by an exact power of two before the statistics are gathered,
    and the fitted attributes are scaled back; ``covariance_`` may then hold ``inf`` where the
    true covariance exceeds the float64 range. Float32 input gives float32 attributes and
    outputs, as scikit-learn's, from statistics accumulated in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from skedu.discriminant_analysis import LinearDiscriminantAnalysis
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> y = np.array([1, 1, 1, 2, 2, 2])
    >>> clf = LinearDiscriminantAnalysis().fit(X, y)
    >>> clf.predict([[-0.8, -1]])
    array([1])
    >>> clf.transform([[-0.8, -1]]).shape
    (1, 1)

    Streaming the same rows in chunks gives the same model:

    >>> streamed = LinearDiscriminantAnalysis()
    >>> for rows in np.array_split(np.arange(6), 3):
    ...     streamed = streamed.partial_fit(X[rows], y[rows], classes=[1, 2])
    >>> bool(np.allclose(streamed.coef_, clf.coef_))
    True
    """

    _parameter_constraints = {
        "solver": [StrOptions({"svd", "lsqr", "eigen"})],
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both"), None],
        "priors": ["array-like", None],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "store_covariance": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "covariance_estimator": [HasMethods("fit"), None],
        "n_jobs": [Interval(Integral, None, -1, closed="right"),
                   Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        solver="svd",
        shrinkage=None,
        priors=None,
        n_components=None,
        store_covariance=False,
        tol=1e-4,
        covariance_estimator=None,
        n_jobs=None,
    ):
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.n_components = n_components
        self.store_covariance = store_covariance
        self.tol = tol
        self.covariance_estimator = covariance_estimator
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model on all rows at once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (dense; float32 inputs are accumulated in float64).
        y : array-like of shape (n_samples,)
            Class labels, at least two distinct.

        Returns
        -------
        self : LinearDiscriminantAnalysis
            The fitted estimator.
        """
        check_params(self)
        self.__dict__.pop("_statistics", None)  # a failed fit must not leave a stream to extend
        # X is checked for NaN and infinity on the way, by the statistics (one pass fewer).
        X, y = validate_data(
            self, X, y, ensure_min_samples=2, dtype=[np.float64, np.float32],
            ensure_all_finite=False,
        )
        self._scale = feature_scale(X)
        X = _rescaled(X, self._scale)
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        check_at_least_two_classes(classes)
        if X.shape[0] == classes.shape[0]:
            raise ValueError("The number of samples must be more than the number of classes.")
        # Parameter errors surface before the pass over the rows.
        given_priors = user_priors(self.priors, classes.shape[0])
        kept_components = max_components(self.n_components, classes.shape[0], X.shape[1])
        self.classes_ = classes
        n_classes, n_features = classes.shape[0], X.shape[1]
        if self.solver == "svd" and n_features > X.shape[0] and not self.store_covariance:
            # Wider than long: the SVD of the rows is cheaper than a p x p scatter.
            statistics = ClassStatistics.means_only(X, codes, n_classes)
        else:
            statistics = ClassStatistics(n_classes, n_features, self._needs_class_scatter())
            statistics.update(X, codes, effective_n_threads(self.n_jobs))
        with _solve_threads(n_features):
            self._solve(statistics, given_priors, kept_components, X, codes, dtype=X.dtype)
        if statistics.scatter is not None:
            self._statistics = statistics  # partial_fit may go on from here
        return self

    @available_if(lambda self: _streams(self))
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Add a chunk of rows to the class statistics and refit the model from them.

        After calls on the chunks of a data set the model equals :meth:`fit` on all of it, up to
        floating-point error. The model is solved after each call once every class has rows and
        there are more rows than classes; until then prediction raises ``NotFittedError``.

        A call after :meth:`fit` adds to the statistics of that fit, except after a fit with the
        "svd" solver on more features than rows, which takes the SVD of the rows (as
        scikit-learn) and keeps no statistics: ``partial_fit`` then starts afresh.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training rows.
        y : array-like of shape (n_samples,)
            Their class labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class label of the whole data. Required on the first call (the first call after
            construction), optional and checked afterwards.

        Returns
        -------
        self : LinearDiscriminantAnalysis
            The updated estimator.
        """
        check_params(self)
        first_call = not hasattr(self, "_statistics")
        X, y = validate_data(
            self, X, y, reset=first_call, dtype=[np.float64, np.float32],
            ensure_all_finite=False,
        )
        check_classification_targets(y)
        if first_call:
            self._scale = feature_scale(X)
        X = _rescaled(X, getattr(self, "_scale", None))
        if first_call:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            classes = np.unique(np.asarray(classes))
            check_at_least_two_classes(classes)
        else:
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={classes!r} differs from the classes of the first call, "
                    f"{self.classes_!r}."
                )
            if self._needs_class_scatter() and not self._statistics.per_class:
                raise ValueError(
                    "priors were set after fitting began and need per-class scatter matrices that "
                    "were not kept; call fit (or start partial_fit again on a fresh estimator)."
                )
            classes = self.classes_
        # Parameter errors surface before any state changes.
        given_priors = user_priors(self.priors, classes.shape[0])
        kept_components = max_components(self.n_components, classes.shape[0], X.shape[1])
        codes = encode_labels(y, classes)
        if first_call:
            self.classes_ = classes
            self._statistics = ClassStatistics(
                classes.shape[0], X.shape[1], self._needs_class_scatter()
            )
        self._statistics.update(X, codes, effective_n_threads(self.n_jobs))
        counts = self._statistics.counts
        if np.all(counts > 0) and counts.sum() > counts.shape[0]:
            with _solve_threads(X.shape[1]):
                self._solve(self._statistics, given_priors, kept_components, dtype=X.dtype)
        return self

    # ---------------------------------------------------------------- prediction

    def decision_function(self, X):
        """Linear discriminant scores, ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One column per class, or with two classes the log-odds of ``classes_[1]``.
        """
        self._check_ready()
        scores = self._product(X, self.coef_.T)
        scores += self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Class of largest posterior probability for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Posterior probability of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            positive = expit(scores)
            return np.column_stack([1.0 - positive, positive])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of the posterior probability of each class, computed without underflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores, axis=1)

    def transform(self, X):
        """Project rows onto the discriminant directions ("svd" and "eigen" solvers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            With "svd", fewer columns when the between-class rank is below ``n_components``.
        """
        self._check_ready()
        projection = self.scalings_[:, : self._max_components]
        projected = self._product(X, projection)
        if self.solver == "svd":
            # (X - xbar) @ P without an n x p temporary.
            projected -= self.xbar_ @ projection
        return projected

    def fit_transform(self, X, y):
        """Fit on ``X, y``, then project ``X`` ("svd" and "eigen" solvers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
        """
        return self.fit(X, y).transform(X)

    # ------------------------------------------------------------------ helpers

    def _needs_class_scatter(self):
        """Whether user priors will weight the class covariances (then keep them apart)."""
        uses_covariance = self.solver != "svd" or self.store_covariance
        return self.priors is not None and uses_covariance and self.shrinkage != "auto"

    def _solve(self, statistics, given_priors, kept_components, X=None, codes=None,
               dtype=np.float64):
        """Set the fitted attributes from ``statistics`` (and the rows, for Ledoit-Wolf or a
        covariance estimator); ``X`` and the statistics are in the scaled units of
        ``self._scale``, the attributes are set in the data's units and ``dtype``."""
        n_classes = statistics.means.shape[0]
        counts = statistics.counts
        priors = counts / counts.sum() if given_priors is None else given_priors
        for name in _FITTED_ATTRIBUTES:
            self.__dict__.pop(name, None)

        if self.solver == "svd" and statistics.scatter is None:
            attributes = solve_svd_from_rows(
                X, codes, statistics.means, priors, self.tol, kept_components
            )
        elif self.solver == "svd":
            attributes = solve_svd(statistics, priors, self.tol, kept_components)
            if self.store_covariance:
                attributes["covariance_"] = within_covariance(statistics, priors, None)
        else:
            estimator = self.covariance_estimator
            if self.shrinkage == "auto":
                within = sum(
                    prior * ledoit_wolf_covariance(X[codes == k]) for k, prior in enumerate(priors)
                )
            elif estimator is not None:
                within = sum(
                    prior * estimator_covariance(clone(estimator), X[codes == k])
                    for k, prior in enumerate(priors)
                )
            else:
                within = within_covariance(statistics, priors, self.shrinkage)
            if self.solver == "lsqr":
                attributes = solve_lsqr(within, statistics.means, priors)
            else:
                if self.shrinkage == "auto":
                    total = ledoit_wolf_covariance(X)
                elif estimator is not None:
                    total = estimator_covariance(clone(estimator), X)
                else:
                    total = total_covariance(statistics, self.shrinkage)
                attributes = solve_eigen(within, total, statistics.means, priors, kept_components)
            attributes["covariance_"] = within

        if n_classes == 2:  # one decision function: the log-odds of the second class
            coef, intercept = attributes["coef_"], attributes["intercept_"]
            attributes["coef_"] = (coef[1] - coef[0])[np.newaxis, :]
            attributes["intercept_"] = np.array([intercept[1] - intercept[0]])
        attributes["means_"] = statistics.means.copy()
        for name, value in _unscaled(attributes, self._scale).items():
            setattr(self, name, value.astype(dtype, copy=False))
        self.priors_ = priors
        self._max_components = kept_components
        self._n_features_out = kept_components

    def _product(self, X, matrix):
        """``X @ matrix`` for validated ``X``, whose finiteness is checked on the product.

        NaN and infinity in a row of ``X`` make every entry of its row of the product non-finite,
        so checking the small product replaces a pass over ``X``; ``X`` itself is checked only
        when the product is not finite (then finite but huge values may have overflowed).
        """
        X = validate_data(
            self, X, reset=False, dtype=[np.float64, np.float32], ensure_all_finite=False
        )
        with np.errstate(invalid="ignore", over="ignore"):  # reported below, as a clear error
            product = X @ matrix
        if matrix.shape[1] == 0 or not np.isfinite(product).all():
            assert_all_finite(X, input_name="X")
        return product

    def _check_ready(self):
        statistics = getattr(self, "_statistics", None)
        if statistics is not None and not hasattr(self, "coef_"):
            missing = self.classes_[statistics.counts == 0]
            raise NotFittedError(
                "partial_fit has not seen enough rows to fit the model yet (classes without "
                f"rows: {missing.tolist()}; rows seen: {statistics.n_samples}). Pass rows of every "
                "class, and more rows than classes."
            )
        check_is_fitted(self, "coef_")


# Beyond these magnitudes the squares and products of the statistics leave float64's range.
_LARGEST_UNSCALED = 2.0**200
_SMALLEST_UNSCALED = 2.0**-200


def feature_scale(X):
    """An exact power of two per feature that brings extreme magnitudes near 1, or None.

    Features whose largest magnitude is beyond ``2**200`` (or below ``2**-200``, but not zero)
    get a scale; the others 1. None when no feature needs one (the usual case), so ordinary
    data is fitted exactly as before. Non-finite values are left to the statistics' check.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        largest = np.maximum(np.abs(X.max(axis=0)), np.abs(X.min(axis=0))).astype(np.float64)
    extreme = np.isfinite(largest) & (
        (largest > _LARGEST_UNSCALED) | ((largest > 0) & (largest < _SMALLEST_UNSCALED))
    )
    if not extreme.any():
        return None
    _, exponent = np.frexp(np.where(extreme, largest, 1.0))
    return np.where(extreme, np.ldexp(1.0, exponent), 1.0)


def _rescaled(X, scale):
    """``X / scale`` in float64 (exact: powers of two), or ``X`` itself without a scale."""
    if scale is None:
        return X
    return np.asarray(X, dtype=np.float64) / scale


def _unscaled(attributes, scale):
    """Fitted attributes of the scaled data turned into those of the data."""
    if scale is None:
        return attributes
    attributes = dict(attributes)
    with np.errstate(over="ignore"):
        for name in ("means_", "xbar_"):
            if name in attributes:
                attributes[name] = attributes[name] * scale
        if "covariance_" in attributes:
            attributes["covariance_"] = attributes["covariance_"] * np.outer(scale, scale)
        attributes["coef_"] = attributes["coef_"] / scale
        if "scalings_" in attributes:
            attributes["scalings_"] = attributes["scalings_"] / scale[:, np.newaxis]
    return attributes


def _solve_threads(n_features):
    """BLAS threads for the solve: one, unless the matrices are large."""
    return single_threaded_blas(n_features <= _SERIAL_SOLVE_MAX_FEATURES)


def _projects(estimator):
    """Whether the estimator has a projection: 'lsqr' solves for coef_ only."""
    if estimator.solver == "lsqr":
        raise AttributeError(
            "transform is not available with solver='lsqr' (use 'svd' or 'eigen')."
        )
    return True


def _streams(estimator):
    """Whether the statistics of ``partial_fit`` suffice: Ledoit-Wolf needs the rows."""
    if estimator.shrinkage == "auto":
        raise AttributeError(
            "partial_fit is not available with shrinkage='auto': Ledoit-Wolf needs fourth "
            "moments about the final class means, which one pass over chunks cannot give. "
            "Use fit, or a float shrinkage with partial_fit."
        )
    if estimator.covariance_estimator is not None:
        raise AttributeError(
            "partial_fit is not available with a covariance_estimator, which is fitted on the "
            "rows themselves; use fit."
        )
    return True


# set_output wraps transform and fit_transform when the class is created, which would drop an
# available_if in the class body; gating the wrapped methods afterwards keeps both.
LinearDiscriminantAnalysis.transform = available_if(_projects)(
    LinearDiscriminantAnalysis.transform
)
LinearDiscriminantAnalysis.fit_transform = available_if(_projects)(
    LinearDiscriminantAnalysis.fit_transform
)
