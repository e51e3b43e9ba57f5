"""Epoch loop of the SGD-trained linear models: optimiser state, stopping rules, threads.

The compiled kernel ``skedu._core._sgd.sgd_epoch`` runs one epoch for every model; this module
decides the row order, the learning rate of the "adaptive" schedule and when to stop.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .._core._sgd import loss_sums, sgd_epoch, shuffle_order
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
    stable_eta: float = np.inf
    loss_curve: list = field(default_factory=list)
    objective_curve: list = field(default_factory=list)

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


def objective(rows_arrays, y, sample_weight, rows, positive_class, coef, intercept, params,
              n_threads):
    """Objective over ``rows`` at (coef, intercept), the mean over the one-vs-rest models.

    ``sum(sample_weight * loss) / len(rows) + penalty``, the losses computed by the kernel.
    """
    sums = np.zeros(coef.shape[0])
    loss_sums(*rows_arrays, y, sample_weight, rows, positive_class,
              np.ascontiguousarray(coef), np.ascontiguousarray(intercept), sums, params,
              n_threads)
    return float(np.mean(sums / len(rows) + _penalty(coef, params)))


class StoppingRule:
    """When to stop on the whole-data objective, and whether the fit converged.

    Averaged SGD approaches the minimum f* at a rate of about 1/k in epochs k (and no faster
    than about 1/sqrt(k) before that), so the remaining gap ``f_k - f*`` is at most about
    twice the decrease since epoch k/2, and about ``2 k`` times the decrease of the last epoch.
    The rule stops when both estimates (the second over the last ``n_iter_no_change``
    epochs) are non-negative and at most ``tol * f_k``: a fit that stops has an objective
    within about ``tol`` (relative) of the minimum. A rise of the objective never stops the
    fit (SGD's objective may rise for a while before it falls); one that ends above its best
    is reported by ``final_status``.
    """

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.window = n_iter_no_change
        self.history = []

    def update(self, value):
        """Record an epoch's objective; return True when the fit has converged."""
        self.history.append(value)
        k = len(self.history)
        if k < 2 * self.window:
            return False
        recent = self.history[-1 - self.window] - value
        since_half = self.history[k // 2 - 1] - value
        bound = self.tol * max(abs(value), np.finfo(float).tiny)
        return (recent >= 0.0 and since_half >= 0.0
                and 2.0 * k * recent / self.window <= bound and 2.0 * since_half <= bound)

    def final_status(self):
        """"rising" when the last objective is above the best by more than ``tol``, else
        "max_iter"."""
        best = min(self.history)
        if self.history[-1] - best > self.tol * max(abs(best), np.finfo(float).tiny):
            return "rising"
        return "max_iter"


def run_epochs(X, y, sample_weight, rows, state, params, positive_class, *, n_epochs, shuffle,
               rng, n_jobs, row_caps=None, tol=None, n_iter_no_change=5, adaptive=False,
               validation_score=None, verbose=0):
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
    row_caps : ndarray of shape (n_samples,) or None
        Largest step of each row's loss term (plain SGD); None: no bound.
    tol : float or None
        Stopping tolerance (see ``StoppingRule``; with ``validation_score`` or ``adaptive``,
        the score or objective must improve by ``tol`` within ``n_iter_no_change`` epochs).
        ``None`` never stops early.
    n_iter_no_change : int
    adaptive : bool
        The "adaptive" schedule: divide the rate instead of stopping, while it is large enough.
    validation_score : callable or None
        ``validation_score(coef, intercept) -> float``, higher is better; used instead of the
        training objective to decide when to stop.
    verbose : int
        Print one line per epoch (epoch, objective, elapsed seconds).

    Returns
    -------
    n_epochs_run : int
    status : {"converged", "max_iter", "rising", "unchecked"}
        "unchecked" when ``tol`` is None.
    """
    n_models, n_features = state.coef.shape
    rows_arrays = csr_or_dense_rows(X)
    batch_size = params["batch_size"]
    work = np.zeros((n_models, max(batch_size, n_features)))
    epoch_losses = np.zeros(n_models)
    order = np.array(rows, dtype=np.intp, copy=True)
    row_caps = np.empty(0) if row_caps is None else np.ascontiguousarray(row_caps, dtype=float)
    sorted_rows = np.sort(order)
    n_threads = _n_threads(n_jobs, n_models, X)
    rule = StoppingRule(tol, n_iter_no_change) if tol is not None else None
    best, no_improvement = np.inf, 0
    started = time.perf_counter()
    for epoch in range(n_epochs):
        if shuffle:
            shuffle_order(order, np.uint64(rng.randint(np.iinfo(np.int64).max, dtype=np.int64)))
        params["eta0"] = state.eta
        state.step = sgd_epoch(
            *rows_arrays, y, sample_weight, row_caps, order, positive_class,
            state.coef, state.intercept, state.moment1, state.moment2, state.intercept_moments,
            state.average_coef, state.average_intercept, state.l1_applied, state.l1_total,
            work, epoch_losses, params, state.step, n_threads,
        )
        progressive = float(np.mean(epoch_losses / len(order) + _penalty(state.coef, params)))
        if not np.isfinite(progressive) or not np.all(np.isfinite(state.coef)):
            raise ValueError(divergence_message(state.stable_eta, epoch + 1))
        state.loss_curve.append(progressive)
        value = None
        if rule is not None or verbose:
            value = objective(rows_arrays, y, sample_weight, sorted_rows, positive_class,
                              *state.weights(params), params, n_threads)
            state.objective_curve.append(value)
        if verbose:
            print(f"-- Epoch {epoch + 1}, objective: {value:.6g}, "
                  f"elapsed: {time.perf_counter() - started:.3f} s", flush=True)
        if rule is None:
            continue
        if validation_score is None and not adaptive:
            if rule.update(value):
                return epoch + 1, "converged"
            continue
        # the validation score or the "adaptive" schedule: improvement by tol, as scikit-learn
        current = -validation_score(*state.weights(params)) if validation_score else value
        no_improvement = no_improvement + 1 if current > best - tol else 0
        best = min(best, current)
        if no_improvement >= n_iter_no_change:
            if adaptive and state.eta / ADAPTIVE_DIVISOR > ADAPTIVE_SMALLEST_RATE:
                state.eta /= ADAPTIVE_DIVISOR
                no_improvement = 0
            else:
                return epoch + 1, "converged"
    if rule is None:
        return n_epochs, "unchecked"
    if validation_score is None and not adaptive:
        return n_epochs, rule.final_status()
    return n_epochs, "max_iter"


def divergence_message(stable_eta, epoch):
    """Advice for an objective that became infinite: a step size that is known to be stable."""
    return (
        f"The objective became infinite or NaN at epoch {epoch}: the learning rate is too "
        "large for this data. Use learning_rate='auto' (the default), which bounds each step "
        f"by the row's norm, or an eta0 below {stable_eta:.3g} (the step at which no update "
        "can overshoot the loss of the largest row)."
    )


def warn_not_converged(status, n_epochs, objective_curve):
    """The ConvergenceWarning of a fit that used all its epochs or whose objective rose."""
    if status == "rising":
        message = (f"The objective rose (to {objective_curve[-1]:.6g} at epoch {n_epochs}, from "
                   f"a best of {min(objective_curve):.6g}): the fit has not converged; use "
                   "averaging (average=True) with learning_rate='auto', or a lower eta0.")
    else:
        message = (f"Maximum number of epochs ({n_epochs}) reached before the objective "
                   "stopped decreasing: the fit has not converged; consider increasing "
                   "max_iter.")
    warnings.warn(message, ConvergenceWarning)
