"""Helpers shared by every skedu estimator: thread counts and input validation."""

from ._threads import effective_n_threads
from ._validation import check_finite_targets, check_non_negative_sample_weight

__all__ = [
    "effective_n_threads",
    "check_finite_targets",
    "check_non_negative_sample_weight",
]
