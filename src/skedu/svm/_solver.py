"""Epoch loop of the SGD-trained linear models: optimiser state, stopping rules, threads.

The compiled kernel ``skedu._core._sgd.sgd_epoch`` runs one epoch for every model; this module
decides the row order, the learning rate of the "adaptive" schedule and when to stop.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .._core._sgd import sgd_epoch, shuffle_order
from ._params import ADAPTIVE_DIVISOR, ADAPTIVE_SMALLEST_RATE
from ..utils import effective_n_threads

# One-vs-rest models run on several threads only when an epoch touches at least this many
# values in all (n_models * nnz). Measured on 2 cores: 3 models x 100 rows x 4 features take
# 14 us an epoch serially and 18 us on 2 threads; the two break even near 10_000.
PARALLEL_MIN_WORK = 20_000


@dataclass
class SGDState:
    """Everything the optimiser carries from one epoch (or ``partial_fit`` call) to the next."""

    coef: np.ndarray
    intercept: np.ndarray
    moment1: np.ndarray
    moment2: np.ndarray
    intercept_moments: np.ndarray
    average_coef: np.ndarray
    average_intercept: np.ndarray
    l1_applied: np.ndarray
    l1_total: np.ndarray
    step: int = 1
    eta: float = 0.0
    loss_curve: list = field(default_factory=list)

    @classmethod
    def zeros(cls, n_models, n_features, params, eta):
        """Fresh state; arrays the chosen optimiser does not use have no columns."""
        adaptive = params["optimizer"] != 0
        averaged = params["average_start"] > 0
        l1_sgd = not adaptive and params["alpha_l1"] > 0

        def per_weight(used):
            return np.zeros((n_models, n_features if used else 0))

        return cls(
            coef=np.zeros((n_models, n_features)),
            intercept=np.zeros(n_models),
            moment1=per_weight(adaptive),
            moment2=per_weight(adaptive),
            intercept_moments=np.zeros((n_models, 2)),
            average_coef=per_weight(averaged),
            average_intercept=np.zeros(n_models),
            l1_applied=per_weight(l1_sgd),
            l1_total=np.zeros(n_models),
            eta=eta,
        )

    def compatible_with(self, n_models, n_features, params):
        """True when this state can continue training with ``params``."""
        fresh = SGDState.zeros(n_models, n_features, params, self.eta)
        return all(
            getattr(self, name).shape == getattr(fresh, name).shape
            for name in ("coef", "moment1", "average_coef", "l1_applied")
        )

    def weights(self, params):
        """(coef, intercept) to predict with: the average when averaging has started."""
        start = params["average_start"]
        if start > 0 and self.step > start:
            return self.average_coef, self.average_intercept
        return self.coef, self.intercept


def csr_or_dense_rows(X):
    """The four row arrays ``sgd_epoch`` takes, without copying X's values."""
    if sp.issparse(X):
        empty = np.empty((0, X.shape[1]), dtype=X.dtype)
        index_dtype = np.result_type(X.indices.dtype, X.indptr.dtype)  # the same in scipy
        return (empty, X.data, X.indices.astype(index_dtype, copy=False),
                X.indptr.astype(index_dtype, copy=False))
    empty_index = np.empty(0, dtype=np.int32)
    return X, np.empty(0, dtype=X.dtype), empty_index, empty_index


def _n_threads(n_jobs, n_models, X):
    work = n_models * (X.nnz if sp.issparse(X) else X.size)
    if n_models < 2 or work < PARALLEL_MIN_WORK:
        return 1
    return min(effective_n_threads(n_jobs), n_models)


def _penalty(coef, params):
    return (0.5 * params["alpha_l2"] * np.sum(coef * coef, axis=1)
            + params["alpha_l1"] * np.sum(np.abs(coef), axis=1))


def run_epochs(X, y, sample_weight, rows, state, params, positive_class, *, n_epochs, shuffle,
               rng, n_jobs, tol=None, n_iter_no_change=5, adaptive=False,
               validation_score=None):
    """Train ``state`` for up to ``n_epochs`` epochs on ``rows`` of (X, y).

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), float64
        Class index or regression target.
    sample_weight : ndarray of shape (n_samples,)
        Row weights, class weights included.
    rows : ndarray of intp
        The rows to train on (all rows, or the rows left after a validation split).
    state : SGDState
        Updated in place.
    params : dict
        ``SGDParams`` of the kernel; its ``eta0`` is replaced by ``state.eta`` each epoch.
    positive_class : ndarray of shape (n_models,)
    n_epochs : int
    shuffle : bool
    rng : numpy.random.RandomState
        Draws one shuffle seed per epoch.
    n_jobs : int or None
    tol : float or None
        Stop (or, with ``adaptive``, divide the rate) after ``n_iter_no_change`` epochs that do not
        improve the objective (or ``validation_score``) by ``tol``; ``None`` never stops early.
    n_iter_no_change : int
    adaptive : bool
        The "adaptive" schedule.
    validation_score : callable or None
        ``validation_score(coef, intercept) -> float``, higher is better; used instead of the
        training objective to decide when to stop.

    Returns
    -------
    n_epochs_run : int
    converged : bool
    """
    n_models, n_features = state.coef.shape
    X_dense, X_data, X_indices, X_indptr = csr_or_dense_rows(X)
    batch_size = params["batch_size"]
    work = np.zeros((n_models, max(batch_size, n_features)))
    loss_sums = np.zeros(n_models)
    order = np.array(rows, dtype=np.intp, copy=True)
    n_threads = _n_threads(n_jobs, n_models, X)
    best, no_improvement = np.inf, 0
    for epoch in range(n_epochs):
        if shuffle:
            shuffle_order(order, np.uint64(rng.randint(np.iinfo(np.int64).max, dtype=np.int64)))
        params["eta0"] = state.eta
        state.step = sgd_epoch(
            X_dense, X_data, X_indices, X_indptr, y, sample_weight, order, positive_class,
            state.coef, state.intercept, state.moment1, state.moment2, state.intercept_moments,
            state.average_coef, state.average_intercept, state.l1_applied, state.l1_total,
            work, loss_sums, params, state.step, n_threads,
        )
        objective = float(np.mean(loss_sums / len(order) + _penalty(state.coef, params)))
        if not np.isfinite(objective):
            raise ValueError(
                "The objective became infinite or NaN: the learning rate is too large for this "
                "data (lower eta0, or standardise the features)."
            )
        state.loss_curve.append(objective)
        if tol is None:
            continue
        # the stopping rule wants a quantity to minimise
        current = -validation_score(*state.weights(params)) if validation_score else objective
        no_improvement = no_improvement + 1 if current > best - tol else 0
        best = min(best, current)
        if no_improvement >= n_iter_no_change:
            if adaptive and state.eta / ADAPTIVE_DIVISOR > ADAPTIVE_SMALLEST_RATE:
                state.eta /= ADAPTIVE_DIVISOR
                no_improvement = 0
            else:
                return epoch + 1, True
    return n_epochs, tol is None


def warn_not_converged(max_iter):
    """The ConvergenceWarning of a fit that used all ``max_iter`` epochs."""
    warnings.warn(
        f"Maximum number of epochs ({max_iter}) reached before the stopping criterion; "
        "consider increasing max_iter.",
        ConvergenceWarning,
    )
