"""Linear support vector machines (and logistic regression) trained by compiled SGD.

The estimators here validate input, encode targets and keep the fitted attributes; the shared
fit logic is in :mod:`skedu.svm._base`, the epoch loop in :mod:`skedu.svm._solver` and the
epochs themselves in :mod:`skedu._core._sgd`.
"""

from numbers import Real

import numpy as np
from scipy.special import expit
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import ATTRIBUTES_DOC, DTYPES, PARAMETERS_DOC, BaseSGDLinear
from ._params import SHARED_CONSTRAINTS
from ..utils import check_finite_targets

__all__ = ["LinearSVC", "LinearSVR"]


class LinearSVC(ClassifierMixin, BaseSGDLinear):
    __doc__ = f"""Linear SVM (or logistic regression) trained by compiled stochastic gradient descent.

    Minimises ``mean(sample_weight * class_weight * loss(y, w·x + b)) + penalty(w)`` with
    ``loss`` the hinge, the squared hinge or the logistic loss. Multi-class problems are solved
    one-vs-rest, the models trained in parallel; dense (float32 or float64) and CSR input are
    used as they are (other sparse formats are converted to CSR).

    Parameters
    ----------
    loss : {{"hinge", "squared_hinge", "log_loss"}}, default="hinge"
        "log_loss" is logistic regression and gives ``predict_proba``.
    {PARAMETERS_DOC.strip()}
    class_weight : dict, "balanced" or None, default=None
        Weight of each class's rows; "balanced" is ``n_samples / (n_classes * count)``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_models, n_features)
        One row for a binary problem (the second class is positive), else one per class.
    {ATTRIBUTES_DOC.strip()}

    See Also
    --------
    sklearn.svm.LinearSVC : the LIBLINEAR solver of the same problem.
    sklearn.linear_model.SGDClassifier : scikit-learn's SGD.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skedu.svm import LinearSVC
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = LinearSVC(random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.95)
    True
    """

    _parameter_constraints = {
        **SHARED_CONSTRAINTS,
        "loss": [StrOptions({"hinge", "squared_hinge", "log_loss"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, loss="hinge", *, penalty="l2", alpha=None, C=1.0, l1_ratio=0.15,
                 fit_intercept=True, optimizer="sgd", learning_rate="auto", eta0=0.01,
                 power_t=0.5, momentum=0.9, rho=0.9, beta_1=0.9, beta_2=0.999,
                 optimizer_epsilon=1e-8, batch_size=1, max_iter=1000, tol=1e-2,
                 n_iter_no_change=5, early_stopping=False, validation_fraction=0.1,
                 shuffle=True, average=True, class_weight=None, warm_start=False,
                 random_state=None, n_jobs=None, verbose=0):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.momentum = momentum
        self.rho = rho
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.optimizer_epsilon = optimizer_epsilon
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.average = average
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the model by running up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        coef_init : ndarray of shape (n_models, n_features), default=None
            Starting weights.
        intercept_init : ndarray of shape (n_models,), default=None
            Starting intercepts.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LinearSVC
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, self.max_iter, partial=False,
                         coef_init=coef_init, intercept_init=intercept_init)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over (X, y), continuing the optimiser's state (online learning).

        No stopping rule and no validation split apply; a single row is fine. With ``alpha``
        None, alpha is ``1 / (C * n)`` with n the rows of all ``partial_fit`` calls so far.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every class of the stream; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LinearSVC
        """
        if not hasattr(self, "_sgd_state"):
            self._validate_params()
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' needs the whole data set; with partial_fit pass a "
                    "dict (e.g. from sklearn.utils.compute_class_weight)."
                )
        return self._fit(X, y, sample_weight, 1, partial=True, classes=classes)

    def decision_function(self, X):
        """Signed distance to the separating hyperplane(s).

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        scores = self._decision(X)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Class with the largest decision value.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        indices = self._predict_indices(self._decision(X))
        return self.classes_[indices]

    @available_if(lambda self: self.loss == "log_loss")
    def predict_proba(self, X):
        """Class probabilities (``loss="log_loss"`` only).

        Binary: the logistic function of the decision value. Multi-class: each one-vs-rest
        model's logistic probability, normalised to sum to one.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        probabilities = expit(self._decision(X))
        if probabilities.shape[1] == 1:
            return np.hstack([1.0 - probabilities, probabilities])
        sums = probabilities.sum(axis=1, keepdims=True)
        uniform = np.full_like(probabilities, 1.0 / probabilities.shape[1])
        return np.divide(probabilities, sums, out=uniform, where=sums > 0)

    @available_if(lambda self: self.loss == "log_loss")
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    # -- pieces used by the shared fit ----------------------------------------------------------

    def _loss_name(self):
        return self.loss

    def _encode_targets(self, y, classes, first_call):
        check_classification_targets(y)
        if first_call:
            self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError("classes differs from the classes of the first partial_fit call.")
        if len(self.classes_) < 2:
            raise ValueError(
                f"The number of classes has to be at least 2; got {len(self.classes_)} class."
            )
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(f"y contains labels not in classes: {np.unique(y[unknown])!r}.")
        y_encoded = np.searchsorted(self.classes_, y).astype(np.float64)
        n_classes = len(self.classes_)
        positive_class = np.array([1.0]) if n_classes == 2 else np.arange(n_classes, dtype=float)
        return y_encoded, positive_class

    def _class_weights(self, y_encoded, partial):
        if self.class_weight is None:
            return 1.0
        present = y_encoded.astype(np.intp)
        if self.class_weight == "balanced":
            per_class = compute_class_weight("balanced", classes=np.arange(len(self.classes_)),
                                             y=present)
        else:
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(f"class_weight names classes not in y: {sorted(unknown)!r}.")
            per_class = np.array([float(self.class_weight.get(c, 1.0)) for c in self.classes_])
            if np.any(per_class < 0) or not np.all(np.isfinite(per_class)):
                raise ValueError("class_weight values must be finite and non-negative.")
        return per_class[present]

    def _predict_indices(self, scores):
        if scores.shape[1] == 1:
            return (scores[:, 0] > 0).astype(np.intp)
        return scores.argmax(axis=1)

    def _score_decisions(self, scores, y_encoded, weights):
        predicted = self._predict_indices(scores)
        return accuracy_score(y_encoded.astype(np.intp), predicted, sample_weight=weights)

    def _store_weights(self, coef, intercept):
        self.coef_ = coef.copy()
        self.intercept_ = intercept.copy()


class LinearSVR(RegressorMixin, BaseSGDLinear):
    __doc__ = f"""Linear support vector regression trained by compiled stochastic gradient descent.

    Minimises ``mean(sample_weight * loss(y, w·x + b)) + penalty(w)`` with the
    epsilon-insensitive loss ``max(0, |y - w·x - b| - epsilon)`` or its square, by the same
    kernel as :class:`LinearSVC`. Standardise X (and ideally y): plain SGD is sensitive to scale.

    Parameters
    ----------
    loss : {{"epsilon_insensitive", "squared_epsilon_insensitive"}}, default="epsilon_insensitive"
    epsilon : float, default=0.0
        Width of the band in which errors cost nothing.
    {PARAMETERS_DOC.strip()}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    {ATTRIBUTES_DOC.strip()}

    See Also
    --------
    sklearn.svm.LinearSVR : the LIBLINEAR solver of the same problem.

    Examples
    --------
    >>> import numpy as np
    >>> from skedu.svm import LinearSVR
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.normal(size=200)
    >>> reg = LinearSVR(alpha=1e-6, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.99)
    True
    """

    _is_regression = True
    _parameter_constraints = {
        **SHARED_CONSTRAINTS,
        "loss": [StrOptions({"epsilon_insensitive", "squared_epsilon_insensitive"})],
        "epsilon": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, loss="epsilon_insensitive", *, epsilon=0.0, penalty="l2", alpha=None,
                 C=1.0, l1_ratio=0.15, fit_intercept=True, optimizer="sgd",
                 learning_rate="auto", eta0=0.01, power_t=0.25, momentum=0.9, rho=0.9,
                 beta_1=0.9, beta_2=0.999, optimizer_epsilon=1e-8, batch_size=1,
                 max_iter=1000, tol=1e-2, n_iter_no_change=5, early_stopping=False,
                 validation_fraction=0.1, shuffle=True, average=True, warm_start=False,
                 random_state=None, n_jobs=None, verbose=0):
        self.loss = loss
        self.epsilon = epsilon
        self.penalty = penalty
        self.alpha = alpha
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.momentum = momentum
        self.rho = rho
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.optimizer_epsilon = optimizer_epsilon
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.average = average
        self.warm_start = warm_start
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the model by running up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        coef_init : ndarray of shape (n_features,), default=None
        intercept_init : ndarray of shape (1,), default=None
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LinearSVR
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, self.max_iter, partial=False,
                         coef_init=coef_init, intercept_init=intercept_init)

    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over (X, y), continuing the optimiser's state (online learning).

        No stopping rule and no validation split apply; a single row is fine. With ``alpha``
        None, alpha is ``1 / (C * n)`` with n the rows of all ``partial_fit`` calls so far.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LinearSVR
        """
        if not hasattr(self, "_sgd_state"):
            self._validate_params()
        return self._fit(X, y, sample_weight, 1, partial=True)

    def predict(self, X):
        """Predicted targets ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=DTYPES, reset=False)
        return safe_sparse_dot(X, self.coef_) + self.intercept_[0]

    # -- pieces used by the shared fit ----------------------------------------------------------

    def _loss_name(self):
        return self.loss

    def _encode_targets(self, y, classes, first_call):
        y = np.asarray(y, dtype=np.float64)
        check_finite_targets(y)
        return y, np.zeros(1)

    def _class_weights(self, y_encoded, partial):
        return 1.0

    def _score_decisions(self, scores, y, weights):
        return r2_score(y, scores[:, 0], sample_weight=weights)

    def _store_weights(self, coef, intercept):
        self.coef_ = coef[0].copy()
        self.intercept_ = intercept.copy()
