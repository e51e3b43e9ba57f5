"""Parameters of the SGD-trained linear models: their constraints and the kernel's view of them."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

LOSS_CODES = {
    "hinge": 0,
    "squared_hinge": 1,
    "log_loss": 2,
    "epsilon_insensitive": 3,
    "squared_epsilon_insensitive": 4,
}
OPTIMIZER_CODES = {"sgd": 0, "momentum": 1, "rmsprop": 2, "adam": 3}
SCHEDULE_CODES = {"constant": 0, "adaptive": 0, "optimal": 1, "invscaling": 2}

# The "adaptive" schedule divides the rate by this factor when the epochs stop improving and
# gives up below the smallest rate (scikit-learn's SGD uses the same numbers).
ADAPTIVE_DIVISOR = 5.0
ADAPTIVE_SMALLEST_RATE = 1e-6

SHARED_CONSTRAINTS = {
    "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
    "alpha": [Interval(Real, 0, None, closed="left")],
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
    "n_jobs": [Integral, None],
}


def effective_alpha(estimator, n_samples):
    """Regularisation strength: ``alpha``, or ``1 / (C * n_samples)`` when ``C`` is given."""
    if estimator.C is not None:
        return 1.0 / (estimator.C * n_samples)
    return float(estimator.alpha)


def resolve_schedule(estimator, is_regression):
    """The learning-rate schedule that ``learning_rate="auto"`` stands for."""
    if estimator.learning_rate != "auto":
        return estimator.learning_rate
    if estimator.optimizer != "sgd":
        return "constant"
    return "invscaling" if is_regression else "optimal"


def penalty_split(estimator, alpha):
    """(L2 strength, L1 strength) of the objective ``alpha/2 (1-r)|w|² + alpha r |w|_1``."""
    if estimator.penalty is None:
        return 0.0, 0.0
    l1_ratio = {"l2": 0.0, "l1": 1.0}.get(estimator.penalty, estimator.l1_ratio)
    return alpha * (1.0 - l1_ratio), alpha * l1_ratio


def optimal_init(alpha):
    """Offset t0 of the "optimal" schedule eta = 1 / (alpha (t0 + t - 1)) (Bottou's heuristic).

    t0 makes the first step equal to the step a typical weight of size 1/sqrt(sqrt(alpha))
    would take.
    """
    typical_weight = np.sqrt(1.0 / np.sqrt(alpha))
    return 1.0 / (typical_weight * alpha)


def average_start(average):
    """1-based step from which the weights are averaged, 0 for no averaging."""
    if average is True:
        return 1
    if average is False or average == 0:
        return 0
    return int(average)


def kernel_params(estimator, loss, alpha, batch_size, schedule, eta, is_regression):
    """The ``SGDParams`` struct of the compiled kernel, as a dict.

    Parameters
    ----------
    estimator : estimator
        Source of the optimiser parameters.
    loss : str
        Key of ``LOSS_CODES``.
    alpha : float
        Effective regularisation strength.
    batch_size : int
        Rows per step.
    schedule : str
        Resolved learning-rate schedule.
    eta : float
        Base rate (``eta0``, or the current rate of the "adaptive" schedule).
    is_regression : bool

    Returns
    -------
    params : dict
    """
    if schedule == "optimal" and alpha == 0:
        raise ValueError("learning_rate='optimal' needs alpha > 0 (or C set).")
    alpha_l2, alpha_l1 = penalty_split(estimator, alpha)
    optimizer = estimator.optimizer
    return {
        "loss": LOSS_CODES[loss],
        "optimizer": OPTIMIZER_CODES[optimizer],
        "schedule": SCHEDULE_CODES[schedule],
        "eta0": float(eta),
        "power_t": float(estimator.power_t),
        "alpha": float(alpha),
        "optimal_init": optimal_init(alpha) if schedule == "optimal" else 0.0,
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
