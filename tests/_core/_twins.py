"""Naive numpy twins of the split scores and of the best split of one feature, shared by the
kernel tests of the three splitters."""

import numpy as np

from skedu._core._types import Criterion

# Criteria scored from sums (absolute error has its own kernel: test_absolute_error.py).
SUM_CRITERIA = [criterion for criterion in Criterion if criterion != Criterion.ABSOLUTE_ERROR]


def side_score(sums, hessian, criterion, l2=0.0):
    """Score of one side: see ``_core/_criterion.pxd``."""
    sums = np.asarray(sums, dtype=np.float64)
    if criterion == Criterion.ENTROPY:
        positive = sums[sums > 0]
        return float(np.sum(positive * np.log2(positive / hessian))) if hessian > 0 else 0.0
    if criterion == Criterion.SECOND_ORDER:
        return float(0.5 * np.sum(sums**2) / (hessian + l2)) if hessian + l2 > 0 else 0.0
    if hessian <= 0:
        return 0.0
    if criterion == Criterion.FRIEDMAN_MSE:
        return float(sums.sum() ** 2 / hessian)
    if criterion == Criterion.POISSON:
        if np.any(sums <= np.finfo(np.float64).eps):
            return -np.inf
        return float(np.sum(sums * np.log(sums / hessian)))
    return float(np.sum(sums**2) / hessian)


def split_gain(left, gradients, hessians, criterion, l2=0.0):
    """Gain of sending the rows in the boolean mask ``left`` left."""
    return (side_score(gradients[left].sum(0), hessians[left].sum(), criterion, l2)
            + side_score(gradients[~left].sum(0), hessians[~left].sum(), criterion, l2)
            - side_score(gradients.sum(0), hessians.sum(), criterion, l2))


def allowed(left, hessians, criterion, min_samples_leaf, min_weight_leaf):
    counts = left.sum(), (~left).sum()
    weights = hessians[left].sum(), hessians[~left].sum()
    if min(counts) < max(min_samples_leaf, 1) or min(weights) < min_weight_leaf:
        return False
    return criterion == Criterion.SECOND_ORDER or min(weights) > 0


def best_split(values, gradients, hessians, criterion, l2=0.0, min_samples_leaf=1,
               min_weight_leaf=0.0, thresholds=None):
    """Best (gain, threshold, missing_go_left) over every threshold between distinct values
    (or the given ``thresholds``) and both sides for missing values; None when no split."""
    missing = np.isnan(values)
    if thresholds is None:
        distinct = np.unique(values[~missing])
        thresholds = list(distinct[:-1] / 2.0 + distinct[1:] / 2.0)
        if missing.any() and len(distinct):
            thresholds.append(np.inf)
    best = None
    for threshold in thresholds:
        for missing_left in (False, True):
            if missing_left and not missing.any():
                continue
            left = (values <= threshold) | (missing & missing_left)
            if not allowed(left, hessians, criterion, min_samples_leaf, min_weight_leaf):
                continue
            gain = split_gain(left, gradients, hessians, criterion, l2)
            if best is None or gain > best[0] + 1e-12:
                best = (gain, threshold, missing_left)
    return best
