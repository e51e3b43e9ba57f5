"""Parameters of the SGD-trained linear models: their constraints and the kernel's view of them."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, StrOptions

from .._core._sgd import row_squared_norms
from .._core._sgd_types import Loss, Optimizer, Schedule


def loss_code(loss):
    """Kernel code of a loss name ("hinge" -> ``Loss.HINGE``)."""
    return int(Loss[loss.upper()])


def optimizer_code(optimizer):
    """Kernel code of an optimiser name ("adam" -> ``Optimizer.ADAM``)."""
    return int(Optimizer[optimizer.upper()])


def schedule_code(schedule):
    """Kernel code of a resolved schedule; "adaptive" is "constant" with a rate changed between
    epochs."""
    return int(Schedule["CONSTANT" if schedule == "adaptive" else schedule.upper()])


# The "adaptive" schedule divides the rate by this factor when the epochs stop improving and
# gives up below the smallest rate (scikit-learn's SGD uses the same numbers).
ADAPTIVE_DIVISOR = 5.0
ADAPTIVE_SMALLEST_RATE = 1e-6

SHARED_CONSTRAINTS = {
    "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
    "alpha": [Interval(Real, 0, None, closed="left"), None],
    "C": [Interval(Real, 0, None, closed="neither"), None],
    "l1_ratio": [Interval(Real, 0, 1, closed="both")],
    "fit_intercept": ["boolean"],
    "optimizer": [StrOptions({"sgd", "momentum", "rmsprop", "adam"})],
    "learning_rate": [StrOptions({"auto", "optimal", "invscaling", "constant", "adaptive"})],
    "eta0": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, None, None, closed="neither")],
    "momentum": [Interval(Real, 0, 1, closed="left")],
    "rho": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "optimizer_epsilon": [Interval(Real, 0, None, closed="neither")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"full"})],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, None, None, closed="neither"), None],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "shuffle": ["boolean"],
    "average": [Interval(Integral, 0, None, closed="left"), "boolean"],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "n_jobs": [Interval(Integral, None, -1, closed="right"),
               Interval(Integral, 1, None, closed="left"), None],
    "verbose": ["verbose"],
}


def effective_alpha(estimator, n_samples):
    """Regularisation strength: ``alpha`` when given, else ``1 / (C * n_samples)``."""
    if estimator.alpha is not None:
        return float(estimator.alpha)
    if estimator.C is None:
        raise ValueError("Set alpha or C (both are None).")
    return 1.0 / (estimator.C * n_samples)


def resolve_schedule(estimator, is_regression):
    """The learning-rate schedule that ``learning_rate="auto"`` stands for."""
    if estimator.learning_rate != "auto":
        return estimator.learning_rate
    if estimator.optimizer in ("rmsprop", "adam"):
        # their steps are about eta0 per weight whatever the gradient's scale: a constant
        # rate leaves the weights oscillating (by eta0 * |x| on unscaled data), a decaying one
        # settles
        return "invscaling"
    if estimator.optimizer != "sgd":
        return "constant"
    return "invscaling" if is_regression else "optimal"


def penalty_split(estimator, alpha):
    """(L2 strength, L1 strength) of the objective ``alpha/2 (1-r)|w|² + alpha r |w|_1``."""
    if estimator.penalty is None:
        return 0.0, 0.0
    l1_ratio = {"l2": 0.0, "l1": 1.0}.get(estimator.penalty, estimator.l1_ratio)
    return alpha * (1.0 - l1_ratio), alpha * l1_ratio


def optimal_init(alpha, typical_step=np.inf):
    """Offset t0 of the "optimal" schedule eta = 1 / (alpha (t0 + t - 1)).

    t0 makes the first step the smaller of Bottou's heuristic (the step a typical weight of
    size 1/sqrt(sqrt(alpha)) would take) and ``typical_step``, the step at which a typical row
    cannot overshoot its loss, so the steps decrease from the first epoch on instead of sitting
    at the rows' bounds.
    """
    typical_weight = np.sqrt(1.0 / np.sqrt(alpha))
    first_step = min(typical_weight, typical_step)
    return 1.0 / (first_step * alpha)


def average_start(average):
    """1-based step from which the weights are averaged, 0 for no averaging."""
    if average is True:
        return 1
    if average is False or average == 0:
        return 0
    return int(average)


# Bound on the second derivative of each loss in the prediction, 1 for the losses whose slope is
# bounded (one step of size eta moves a margin by at most eta * |x|^2 times this).
LOSS_CURVATURE = {
    "hinge": 1.0,
    "squared_hinge": 2.0,
    "log_loss": 0.25,
    "epsilon_insensitive": 1.0,
    "squared_epsilon_insensitive": 2.0,
}


def row_step_caps(X, sample_weight, loss, fit_intercept):
    """Largest step of each row's loss term at which the row cannot overshoot its loss.

    ``1 / (curvature * w_i (|x_i|² + fit_intercept))``: a step of this size moves row i's
    prediction by at most the distance to the minimum of its loss (for the hinge, by at most
    1), so the iterates cannot diverge however the features are scaled. ``inf`` for rows of
    weight 0 or all zeros without an intercept.
    """
    norms = np.empty(X.shape[0])
    if sp.issparse(X):
        indptr = X.indptr.astype(X.indices.dtype, copy=False)
        row_squared_norms(np.empty((0, X.shape[1]), dtype=X.dtype), X.data, X.indices, indptr,
                          norms)
    else:
        empty_index = np.empty(0, dtype=np.int32)
        row_squared_norms(X, np.empty(0, dtype=X.dtype), empty_index, empty_index, norms)
    denominator = LOSS_CURVATURE[loss] * sample_weight * (norms + float(fit_intercept))
    caps = np.full(X.shape[0], np.inf)
    np.divide(1.0, denominator, out=caps, where=denominator > 0)
    return caps


def step_bound(estimator):
    """How the step is bounded by ``row_step_caps``: "rows" (each row's term, plain SGD),
    "global" (the smallest cap scaled by 1 - momentum, "momentum") or None.

    Only the schedules whose rate the user did not set are bounded ("auto", and "optimal",
    which ignores eta0); "rmsprop" and "adam" normalise each weight's step and are not.
    """
    if estimator.learning_rate not in ("auto", "optimal"):
        return None
    return {"sgd": "rows", "momentum": "global"}.get(estimator.optimizer)


def kernel_params(estimator, loss, alpha, batch_size, schedule, eta, is_regression,
                  eta_max=np.inf, typical_step=np.inf):
    """The ``SGDParams`` struct of the compiled kernel, as a dict.

    Parameters
    ----------
    estimator : estimator
        Source of the optimiser parameters.
    loss : str
        Loss name (a member of ``Loss`` in lower case).
    alpha : float
        Effective regularisation strength.
    batch_size : int
        Rows per step.
    schedule : str
        Resolved learning-rate schedule.
    eta : float
        Base rate (``eta0``, or the current rate of the "adaptive" schedule).
    is_regression : bool
    eta_max : float, default=inf
        Largest step size (see ``step_bound``).
    typical_step : float, default=inf
        First step of the "optimal" schedule at most (see ``optimal_init``).

    Returns
    -------
    params : dict
    """
    if schedule == "optimal" and alpha == 0:
        raise ValueError("learning_rate='optimal' needs alpha > 0 (or alpha=None and C set).")
    alpha_l2, alpha_l1 = penalty_split(estimator, alpha)
    optimizer = estimator.optimizer
    return {
        "loss": loss_code(loss),
        "optimizer": optimizer_code(optimizer),
        "schedule": schedule_code(schedule),
        "eta0": float(eta),
        "eta_max": float(eta_max),
        "power_t": float(estimator.power_t),
        "alpha": float(alpha),
        "optimal_init": optimal_init(alpha, typical_step) if schedule == "optimal" else 0.0,
        "alpha_l2": alpha_l2,
        "alpha_l1": alpha_l1,
        "beta1": float(estimator.momentum if optimizer == "momentum" else estimator.beta_1),
        "beta2": float(estimator.rho if optimizer == "rmsprop" else estimator.beta_2),
        "optimizer_epsilon": float(estimator.optimizer_epsilon),
        "epsilon": float(getattr(estimator, "epsilon", 0.0)),
        "batch_size": int(batch_size),
        "average_start": average_start(estimator.average),
        "fit_intercept": bool(estimator.fit_intercept),
        "is_regression": bool(is_regression),
    }
