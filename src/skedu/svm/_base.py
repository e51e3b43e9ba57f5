"""Shared fit logic and documentation of the SGD-trained linear models in :mod:`skedu.svm`."""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

from ._params import effective_alpha, kernel_params, resolve_schedule, row_step_caps, step_bound
from ._solver import SGDState, run_epochs, warn_not_converged
from ..utils import check_non_negative_sample_weight

DTYPES = [np.float64, np.float32]


def _checked_init(values, shape, name):
    """Starting values as float64 of ``shape`` (a binary or regression model may drop axis 0)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size != int(np.prod(shape)) or values.ndim > len(shape):
        raise ValueError(f"{name} has shape {values.shape}; expected {shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return values.reshape(shape)


class BaseSGDLinear(BaseEstimator):
    """Fit logic shared by the classifier and the regressor: validation, state, epochs."""

    _is_regression = False

    def _validated(self, X, y, reset, partial):
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=DTYPES, order="C",
                             reset=reset, y_numeric=self._is_regression)
        # online learning may see one row at a time; a fit needs two
        if X.shape[0] < (1 if partial else 2):
            raise ValueError(f"Found {X.shape[0]} sample(s) (n_samples={X.shape[0]}); at least 2 "
                             "are needed to fit.")
        return X, y

    def _fit(self, X, y, sample_weight, n_epochs, partial, coef_init=None, intercept_init=None,
             classes=None):
        first_call = not (partial and hasattr(self, "_sgd_state"))
        X, y = self._validated(X, y, reset=first_call, partial=partial)
        y_encoded, positive_class = self._encode_targets(y, classes, first_call)
        weights = check_non_negative_sample_weight(sample_weight, X) * self._class_weights(
            y_encoded, partial)

        rows = np.arange(X.shape[0])
        validation_score = None
        if self.early_stopping and not partial:
            rows, validation_score = self._validation_split(X, y_encoded, weights)
        n_models = len(positive_class)
        weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), (X.shape[0],))
        caps = row_step_caps(X, weights, self._loss_name(), self.fit_intercept)
        stable_eta = float(caps[rows].min()) if len(rows) else np.inf
        bound = step_bound(self)
        if bound == "global":
            eta_max = stable_eta * (1.0 - self.momentum)
        else:
            eta_max = np.inf
        typical_step = float(np.median(caps[rows])) if bound is not None else np.inf
        # online learning does not know the data set's size: C stands for 1 / (C * rows so far)
        n_seen = len(rows) + (getattr(self, "_n_rows_seen", 0) if partial and not first_call
                              else 0)
        params, schedule = self._kernel_params(len(rows), eta_max, typical_step, n_seen)
        state = self._initial_state(n_models, X.shape[1], params, first_call, partial, coef_init,
                                    intercept_init)
        state.stable_eta = stable_eta
        rng = check_random_state(self.random_state)
        n_run, status = run_epochs(
            X, y_encoded, np.ascontiguousarray(weights), rows, state, params, positive_class,
            row_caps=caps if bound == "rows" else np.empty(0),
            n_epochs=n_epochs, shuffle=self.shuffle, rng=rng, n_jobs=self.n_jobs,
            tol=None if partial else self.tol, n_iter_no_change=self.n_iter_no_change,
            adaptive=schedule == "adaptive", validation_score=validation_score,
            verbose=self.verbose,
        )
        if not partial and status in ("max_iter", "rising"):
            warn_not_converged(status, n_run, state.objective_curve)
        self._sgd_state = state
        self._n_rows_seen = n_seen
        self._store_weights(*state.weights(params))
        self.n_iter_ = n_run + (getattr(self, "n_iter_", 0) if not first_call else 0)
        self.t_ = float(state.step)
        self.loss_curve_ = list(state.loss_curve)
        self.objective_curve_ = list(state.objective_curve)
        return self

    def _kernel_params(self, n_train, eta_max=np.inf, typical_step=np.inf, n_seen=None):
        schedule = resolve_schedule(self, self._is_regression)
        batch_size = n_train if self.batch_size == "full" else min(self.batch_size, n_train)
        alpha = effective_alpha(self, n_train if n_seen is None else n_seen)
        params = kernel_params(self, self._loss_name(), alpha, batch_size, schedule, self.eta0,
                               self._is_regression,
                               eta_max=eta_max, typical_step=typical_step)
        return params, schedule

    def _initial_state(self, n_models, n_features, params, first_call, partial, coef_init,
                       intercept_init):
        previous = getattr(self, "_sgd_state", None)
        if partial and not first_call and previous.compatible_with(n_models, n_features, params):
            return previous
        state = SGDState.zeros(n_models, n_features, params, self.eta0)
        if coef_init is None and previous is not None and (self.warm_start or partial):
            coef_init, intercept_init = previous.coef, previous.intercept
        if coef_init is not None:
            state.coef[:] = _checked_init(coef_init, state.coef.shape, "coef_init")
        if intercept_init is not None:
            state.intercept[:] = _checked_init(intercept_init, state.intercept.shape,
                                               "intercept_init")
        return state

    def _validation_split(self, X, y_encoded, weights):
        rng = check_random_state(self.random_state)
        stratify = None if self._is_regression else y_encoded
        rows, held_out = train_test_split(np.arange(X.shape[0]),
                                          test_size=self.validation_fraction,
                                          stratify=stratify, random_state=rng)
        X_val, y_val, w_val = X[held_out], y_encoded[held_out], weights[held_out]

        def validation_score(coef, intercept):
            scores = safe_sparse_dot(X_val, coef.T) + intercept
            return self._score_decisions(scores, y_val, w_val)

        return rows, validation_score

    def _decision(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=DTYPES, reset=False)
        return safe_sparse_dot(X, self.coef_.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


PARAMETERS_DOC = """
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regularisation term: ``alpha/2 (1 - l1_ratio) |w|² + alpha l1_ratio |w|_1``, with
        ``l1_ratio`` 0 for "l2" and 1 for "l1". The intercept is not regularised.
    alpha : float or None, default=None
        Strength of the regularisation of the mean-loss objective. When given it is used and
        ``C`` is ignored.
    C : float or None, default=1.0
        LIBLINEAR's parameterisation ``1/2 |w|² + C sum(loss)`` (scikit-learn's LinearSVC has
        the same default): when ``alpha`` is None, ``alpha`` is ``1 / (C * n_samples)``
        (n_samples of the training rows), which has the same minimiser.
    l1_ratio : float, default=0.15
        Share of L1 in the "elasticnet" penalty.
    fit_intercept : bool, default=True
        Whether to learn an intercept.
    optimizer : {"sgd", "momentum", "rmsprop", "adam"}, default="sgd"
        "sgd" touches only the non-zeros of a sparse row per step (L2 by a scale factor, L1 by
        cumulative penalties). "momentum", "rmsprop" and "adam" keep per-weight moments and so
        update every weight each step: prefer mini-batches with them on wide sparse data.
    learning_rate : {"auto", "optimal", "invscaling", "constant", "adaptive"}, default="auto"
        Schedule of the step size at step t: "optimal" ``1 / (alpha (t0 + t - 1))``, its first
        step no larger than a typical row's bound (below) and each row's step bounded by
        ``1 / (curvature * sample_weight * (|x|² + fit_intercept))`` so that no update
        overshoots its row's loss (stable on unscaled data; curvature 2 for the squared
        losses, 1/4 for "log_loss", 1 otherwise),
        "invscaling" ``eta0 / t**power_t``, "constant" ``eta0``, "adaptive" ``eta0`` divided by 5
        each time ``n_iter_no_change`` epochs fail to improve by ``tol``. "auto" is "optimal" for
        the classifier's "sgd", "invscaling" for the regressor's "sgd", "rmsprop" and "adam",
        and "constant" for "momentum", with the row bounds for "sgd" (and the smallest of them
        times ``1 - momentum`` for "momentum"); the rates set by ``eta0`` are used as given.
    eta0 : float, default=0.01
        Base step size (not used by "optimal").
    power_t : float, default=0.5
        Exponent of "invscaling".
    momentum : float, default=0.9
        β of "momentum": ``m = β m + g; w -= eta m``.
    rho : float, default=0.9
        Decay β of "rmsprop": ``s = β s + (1 - β) g²; w -= eta g / (sqrt(s) + optimizer_epsilon)``.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decays of Adam's first and second moments (with bias correction).
    optimizer_epsilon : float, default=1e-8
        Added to the root of the second moment by "rmsprop" and "adam".
    batch_size : int or "full", default=1
        Rows per step: 1 is stochastic, "full" (or n_samples) is full-batch gradient descent,
        anything between is mini-batch. The batch gradient is the mean over the batch.
    max_iter : int, default=1000
        Maximum number of epochs. A fit that reaches it without meeting ``tol``, or whose
        objective ends above its best, warns with a ``ConvergenceWarning``.
    tol : float or None, default=1e-2
        Relative accuracy of the objective (over all training rows, at the weights used to
        predict) at which to stop: the remaining gap to the minimum is estimated from the
        decrease since half the epochs and over the last ``n_iter_no_change`` epochs (averaged
        SGD gains about 1/k an epoch), and the fit stops when both estimates are at most
        ``tol`` times the objective. With ``early_stopping`` (or the "adaptive" schedule),
        ``n_iter_no_change`` epochs in a row must raise the validation score (lower the
        objective) by ``tol``. None: run ``max_iter`` epochs, no objective computed.
    n_iter_no_change : int, default=5
        See ``tol``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for classification) and stop on
        their score.
    validation_fraction : float, default=0.1
        See ``early_stopping``.
    shuffle : bool, default=True
        Shuffle the rows every epoch.
    average : bool or int, default=True
        Averaged SGD: predict with an average of the weights over the steps, from the first
        step (True) or from step ``average``; step t of the average weighs in proportion to t
        (polynomial-decay averaging), so the large early steps are soon forgotten.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (the optimiser moments start afresh).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffles and the validation split.
    n_jobs : int or None, default=None
        Threads across one-vs-rest models (None: all the OpenMP runtime allows, -1 likewise, 0
        is refused). Results do not depend on it.
    verbose : int, default=0
        When positive, print one line per epoch: the epoch, the objective over the training
        rows and the seconds elapsed."""

ATTRIBUTES_DOC = """
    intercept_ : ndarray of shape (n_models,)
    n_iter_ : int
        Epochs run (summed over ``partial_fit`` calls).
    t_ : float
        Optimiser steps taken plus one.
    loss_curve_ : list of float
        Per epoch, the progressive objective: the mean weighted loss over the epoch, each row's
        loss taken just before its step (as the progressive validation of online learning),
        plus the penalty at the end of the epoch; averaged over one-vs-rest models.
    objective_curve_ : list of float
        Per epoch, the objective over all training rows at the weights used to predict (what
        ``tol`` looks at); empty when ``tol`` is None and ``verbose`` is 0.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has feature names."""
