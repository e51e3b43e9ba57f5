"""Losses of gradient boosting: baseline, gradients, hessians, link and leaf refits.

Every loss works on raw predictions ``raw`` of shape (n_samples, n_channels) (one channel except
for the multinomial loss) and returns per-row gradients ``g = w * dloss/draw`` and hessians
``h = w * d2loss/draw2`` (``w`` the sample weight). The gradients and hessians of the
classification, Poisson and squared error losses are computed by the compiled kernel
``_core._loss`` (one pass, rows in parallel); the pinball loss's are a numpy expression.

``loss`` values are weighted means, so they can be reported per round and compared between the
training and validation sets (as LightGBM and XGBoost print them).
"""

import numpy as np
from scipy.special import expit, xlogy

from .._core import _loss


def weighted_quantile(values, weights, quantile):
    """Lower weighted ``quantile`` of ``values``: the smallest v with weight(values <= v) >= q W.

    Parameters
    ----------
    values, weights : ndarray of shape (n,)
    quantile : float in [0, 1]

    Returns
    -------
    value : float
    """
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = np.searchsorted(cumulative, quantile * cumulative[-1], side="left")
    return float(values[order[min(index, len(values) - 1)]])


def grouped_weighted_quantile(groups, values, weights, quantile, n_groups):
    """``weighted_quantile`` of ``values`` within each group (vectorised over groups).

    Parameters
    ----------
    groups : ndarray of intp of shape (n,)
        Group of every value, in ``0 .. n_groups - 1``.
    values, weights : ndarray of shape (n,)
    quantile : float
    n_groups : int

    Returns
    -------
    result : ndarray of shape (n_groups,)
        NaN for groups without positive weight.
    """
    order = np.lexsort((values, groups))
    groups, values, weights = groups[order], values[order], weights[order]
    cumulative = np.cumsum(weights)
    totals = np.bincount(groups, weights=weights, minlength=n_groups)
    starts = np.searchsorted(groups, np.arange(n_groups), side="left")
    ends = np.searchsorted(groups, np.arange(n_groups), side="right")
    before = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)
    result = np.full(n_groups, np.nan)
    for group in np.flatnonzero((ends > starts) & (totals > 0)):
        target = before[group] + quantile * totals[group]
        index = np.searchsorted(cumulative[starts[group]:ends[group]], target, side="left")
        result[group] = values[starts[group] + min(index, ends[group] - starts[group] - 1)]
    return result


class BaseLoss:
    """Interface of a boosting loss.

    Attributes
    ----------
    n_channels : int
        Raw predictions per row (trees per round).
    refit_quantile : float or None
        Losses with a constant hessian whose leaves are refit to a quantile of the residuals.
    """

    n_channels = 1
    refit_quantile = None
    per_channel_hessian = False

    def prepare_target(self, y):
        """The target as the gradient kernel reads it (float64; class codes for softmax)."""
        return np.ascontiguousarray(y, dtype=np.float64)

    def baseline(self, y, sample_weight):
        """Constant raw prediction that minimises the loss, shape (n_channels,)."""
        raise NotImplementedError

    def gradients(self, y, raw, sample_weight, n_threads=1, out=None):
        """``(g, h)``: g of shape (n, n_channels), h of shape (n,) or (n, n_channels).

        ``out``: ``(g, h)`` arrays of those shapes to write to (boosting reuses them every
        round: fresh arrays of millions of rows cost a page fault per 4 kB), or None. Losses
        whose hessian is the sample weight return ``sample_weight`` itself as h.
        """
        raise NotImplementedError

    def gradients_and_loss(self, y, raw, sample_weight, rows=None, n_threads=1, out=None):
        """``gradients`` and ``loss`` at the same ``raw``: ``(g, h, loss)``, ``rows``
        increasing. Boosting takes each round's training score with the next round's
        gradients; the log losses compute both in one pass."""
        g, h = self.gradients(y, raw, sample_weight, n_threads, out)
        return g, h, self.loss(y, raw, sample_weight, rows, n_threads)

    def loss(self, y, raw, sample_weight, rows=None, n_threads=1):
        """Weighted mean loss at ``raw`` over ``rows`` (an index array; None: all)."""
        if rows is not None:
            y, raw, sample_weight = y[rows], raw[rows], sample_weight[rows]
        return self._mean_loss(y, raw, sample_weight)

    def _mean_loss(self, y, raw, sample_weight):
        raise NotImplementedError

    def predict(self, raw):
        """Predictions in the target's units (regression) or probabilities (classification)."""
        return raw[:, 0]


def _mean(values, sample_weight):
    return float(np.average(values, weights=sample_weight))


class HalfSquaredError(BaseLoss):
    """``(y - raw)**2 / 2``; g = raw - y, h = 1."""

    name = "squared_error"

    def baseline(self, y, sample_weight):
        return np.array([np.average(y, weights=sample_weight)])

    def gradients(self, y, raw, sample_weight, n_threads=1, out=None):
        g = np.empty_like(raw) if out is None else out[0]
        _loss.squared_error_gradients(y, raw[:, 0], sample_weight, g[:, 0], n_threads)
        return g, sample_weight

    def loss(self, y, raw, sample_weight, rows=None, n_threads=1):
        # One compiled pass over the scored rows, no copy of them.
        return _loss.squared_error_loss(y, np.ascontiguousarray(raw[:, 0]), sample_weight, rows,
                                        n_threads)


class PinballLoss(BaseLoss):
    """Pinball loss of ``quantile`` (absolute error for 0.5, times 2).

    g = -quantile where y > raw, 1 - quantile elsewhere; h = 1 (the leaf values of the tree
    are then refit to the weighted quantile of the residuals, as LightGBM and scikit-learn do).
    """

    def __init__(self, quantile=0.5, name="quantile"):
        self.quantile = quantile
        self.refit_quantile = quantile
        self.name = name

    def baseline(self, y, sample_weight):
        return np.array([weighted_quantile(y, sample_weight, self.quantile)])

    def gradients(self, y, raw, sample_weight, n_threads=1, out=None):
        g = np.empty_like(raw) if out is None else out[0]
        np.multiply(np.where(y > raw[:, 0], -self.quantile, 1.0 - self.quantile), sample_weight,
                    out=g[:, 0])
        return g, sample_weight

    def _mean_loss(self, y, raw, sample_weight):
        residual = y - raw[:, 0]
        pinball = np.where(residual >= 0, self.quantile * residual, (self.quantile - 1.0) * residual)
        if self.name == "absolute_error":
            pinball = np.abs(residual)
        return _mean(pinball, sample_weight)


class HalfPoissonLoss(BaseLoss):
    """Poisson deviance / 2 with a log link: ``exp(raw) - y * raw`` (+ const); g = exp(raw) - y,
    h = exp(raw) * exp(max_delta_step).

    The hessian's factor ``exp(max_delta_step)`` is XGBoost's and LightGBM's safeguard
    (``max_delta_step`` / ``poisson_max_delta_step``, 0.7 by default in both): where the mean is
    small and the counts large, Newton steps ``-G/H`` are huge, and the factor shortens them.
    """

    name = "poisson"

    def __init__(self, max_delta_step=0.0):
        self.max_delta_step = max_delta_step

    def baseline(self, y, sample_weight):
        return np.array([np.log(np.average(y, weights=sample_weight))])

    def gradients(self, y, raw, sample_weight, n_threads=1, out=None):
        g, h = (np.empty_like(raw), np.empty(raw.shape[0])) if out is None else out
        _loss.poisson_gradients(y, raw[:, 0], sample_weight, g[:, 0], h, n_threads)
        if self.max_delta_step != 0.0:
            h *= np.exp(self.max_delta_step)
        return g, h

    def _mean_loss(self, y, raw, sample_weight):
        mu = np.exp(raw[:, 0])
        return _mean(mu - y * raw[:, 0] + xlogy(y, y) - y, sample_weight)

    def predict(self, raw):
        return np.exp(raw[:, 0])


class BinomialLoss(BaseLoss):
    """Binary log loss with a sigmoid link; g = p - y, h = p (1 - p) (y in {0, 1})."""

    name = "log_loss"

    def baseline(self, y, sample_weight):
        p = np.clip(np.average(y, weights=sample_weight), 1e-15, 1 - 1e-15)
        return np.array([np.log(p / (1 - p))])

    def gradients(self, y, raw, sample_weight, n_threads=1, out=None):
        g, h = (np.empty_like(raw), np.empty(raw.shape[0])) if out is None else out
        _loss.binomial_gradients(y, raw[:, 0], sample_weight, g[:, 0], h, n_threads)
        return g, h

    def gradients_and_loss(self, y, raw, sample_weight, rows=None, n_threads=1, out=None):
        # The loss of the scored rows from the gradients' exponentials (about 6 us per
        # thousand rows less than a pass of its own).
        g, h = (np.empty_like(raw), np.empty(raw.shape[0])) if out is None else out
        value = _loss.binomial_gradients_and_loss(y, raw[:, 0], sample_weight, g[:, 0], h, rows,
                                                  n_threads)
        return g, h, value

    def loss(self, y, raw, sample_weight, rows=None, n_threads=1):
        # log(1 + exp(raw)) - y raw, stable for large |raw|, in one compiled pass over the
        # scored rows (no copy of them).
        return _loss.binomial_loss(np.ascontiguousarray(y, dtype=np.float64),
                                   np.ascontiguousarray(raw[:, 0], dtype=np.float64),
                                   np.ascontiguousarray(sample_weight, dtype=np.float64), rows,
                                   n_threads)

    def predict(self, raw):
        p = expit(raw[:, 0])
        return np.column_stack([1.0 - p, p])


class MultinomialLoss(BaseLoss):
    """Multi-class log loss with a softmax link; g_k = p_k - y_k, h_k = p_k (1 - p_k).

    One tree per class and round, each on its own gradient and hessian channel.
    """

    name = "log_loss"
    per_channel_hessian = True

    def __init__(self, n_classes):
        self.n_channels = n_classes

    def prepare_target(self, y):
        return np.ascontiguousarray(y, dtype=np.intp)

    def baseline(self, y, sample_weight):
        priors = np.bincount(y, weights=sample_weight, minlength=self.n_channels)
        priors = np.clip(priors / priors.sum(), 1e-15, None)
        log_priors = np.log(priors)
        return log_priors - log_priors.mean()

    def gradients(self, y, raw, sample_weight, n_threads=1, out=None):
        g, h = (np.empty_like(raw), np.empty_like(raw)) if out is None else out
        _loss.multinomial_gradients(y, raw, sample_weight, g, h, n_threads)
        return g, h

    def gradients_and_loss(self, y, raw, sample_weight, rows=None, n_threads=1, out=None):
        # A scored row's loss from its softmax's largest value and sum: one log more.
        g, h = (np.empty_like(raw), np.empty_like(raw)) if out is None else out
        value = _loss.multinomial_gradients_and_loss(y, raw, sample_weight, g, h, rows,
                                                     n_threads)
        return g, h, value

    def loss(self, y, raw, sample_weight, rows=None, n_threads=1):
        # One compiled pass over the scored rows (no copy of them), stable for large raw.
        return _loss.multinomial_loss(np.ascontiguousarray(y, dtype=np.intp),
                                      np.ascontiguousarray(raw, dtype=np.float64),
                                      np.ascontiguousarray(sample_weight, dtype=np.float64),
                                      rows, n_threads)

    def predict(self, raw):
        shifted = raw - raw.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        return p / p.sum(axis=1, keepdims=True)


def make_loss(name, n_classes=None, quantile=None, poisson_max_delta_step=0.0):
    """The loss object for an estimator's ``loss`` parameter."""
    if name == "log_loss":
        return BinomialLoss() if n_classes <= 2 else MultinomialLoss(n_classes)
    if name == "squared_error":
        return HalfSquaredError()
    if name == "absolute_error":
        return PinballLoss(0.5, name="absolute_error")
    if name == "quantile":
        return PinballLoss(quantile)
    if name == "poisson":
        return HalfPoissonLoss(poisson_max_delta_step)
    raise ValueError(f"unknown loss {name!r}")
