"""Shared fit logic and documentation of the SGD-trained linear models in :mod:`skedu.svm`."""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

from ._params import effective_alpha, kernel_params, resolve_schedule
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

    def _validated(self, X, y, reset):
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=DTYPES, order="C",
                             reset=reset, y_numeric=self._is_regression)
        if X.shape[0] < 2:
            raise ValueError(f"Found {X.shape[0]} sample(s) (n_samples={X.shape[0]}); at least 2 "
                             "are needed to fit.")
        return X, y

    def _fit(self, X, y, sample_weight, n_epochs, partial, coef_init=None, intercept_init=None,
             classes=None):
        first_call = not (partial and hasattr(self, "_sgd_state"))
        X, y = self._validated(X, y, reset=first_call)
        y_encoded, positive_class = self._encode_targets(y, classes, first_call)
        weights = check_non_negative_sample_weight(sample_weight, X) * self._class_weights(
            y_encoded, partial)

        rows = np.arange(X.shape[0])
        validation_score = None
        if self.early_stopping and not partial:
            rows, validation_score = self._validation_split(X, y_encoded, weights)
        n_models = len(positive_class)
        params, schedule = self._kernel_params(len(rows))
        state = self._initial_state(n_models, X.shape[1], params, first_call, partial, coef_init,
                                    intercept_init)
        rng = check_random_state(self.random_state)
        n_run, converged = run_epochs(
            X, y_encoded, weights, rows, state, params, positive_class,
            n_epochs=n_epochs, shuffle=self.shuffle, rng=rng, n_jobs=self.n_jobs,
            tol=None if partial else self.tol, n_iter_no_change=self.n_iter_no_change,
            adaptive=schedule == "adaptive", validation_score=validation_score,
        )
        if not partial and not converged:
            warn_not_converged(self.max_iter)
        self._sgd_state = state
        self._store_weights(*state.weights(params))
        self.n_iter_ = n_run + (getattr(self, "n_iter_", 0) if not first_call else 0)
        self.t_ = float(state.step)
        self.loss_curve_ = list(state.loss_curve)
        return self

    def _kernel_params(self, n_train):
        schedule = resolve_schedule(self, self._is_regression)
        batch_size = n_train if self.batch_size == "full" else min(self.batch_size, n_train)
        alpha = effective_alpha(self, n_train)
        params = kernel_params(self, self._loss_name(), alpha, batch_size, schedule, self.eta0,
                               self._is_regression)
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
    alpha : float, default=1e-4
        Strength of the regularisation. Ignored when ``C`` is given.
    C : float or None, default=None
        LIBLINEAR's parameterisation ``1/2 |w|² + C sum(loss)``: when given, ``alpha`` is
        ``1 / (C * n_samples)`` (n_samples of the training rows), which has the same minimiser.
    l1_ratio : float, default=0.15
        Share of L1 in the "elasticnet" penalty.
    fit_intercept : bool, default=True
        Whether to learn an intercept.
    optimizer : {"sgd", "momentum", "rmsprop", "adam"}, default="sgd"
        "sgd" touches only the non-zeros of a sparse row per step (L2 by a scale factor, L1 by
        cumulative penalties). "momentum", "rmsprop" and "adam" keep per-weight moments and so
        update every weight each step: prefer mini-batches with them on wide sparse data.
    learning_rate : {"auto", "optimal", "invscaling", "constant", "adaptive"}, default="auto"
        Schedule of the step size at step t: "optimal" ``1 / (alpha (t0 + t - 1))``,
        "invscaling" ``eta0 / t**power_t``, "constant" ``eta0``, "adaptive" ``eta0`` divided by 5
        each time ``n_iter_no_change`` epochs fail to improve by ``tol``. "auto" is "optimal" for
        the classifier's "sgd", "invscaling" for the regressor's "sgd" and "constant" for the
        other optimisers.
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
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Stop when ``n_iter_no_change`` epochs in a row do not lower the epoch objective (or,
        with ``early_stopping``, raise the validation score) by ``tol``. None: run ``max_iter``.
    n_iter_no_change : int, default=5
        See ``tol``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for classification) and stop on
        their score.
    validation_fraction : float, default=0.1
        See ``early_stopping``.
    shuffle : bool, default=True
        Shuffle the rows every epoch.
    average : bool or int, default=False
        Averaged SGD: predict with the mean of the weights over the steps, from the first step
        (True) or from step ``average``.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (the optimiser moments start afresh).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffles and the validation split.
    n_jobs : int or None, default=None
        Threads across one-vs-rest models (None: all the OpenMP runtime allows). Results do not
        depend on it."""

ATTRIBUTES_DOC = """
    intercept_ : ndarray of shape (n_models,)
    n_iter_ : int
        Epochs run (summed over ``partial_fit`` calls).
    t_ : float
        Optimiser steps taken plus one.
    loss_curve_ : list of float
        Per epoch, the objective: the mean weighted loss over the epoch, each row's loss taken
        just before its step (as the progressive validation of online learning), plus the
        penalty at the end of the epoch; averaged over one-vs-rest models.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has feature names."""
