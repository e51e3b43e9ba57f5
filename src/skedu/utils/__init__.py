"""Helpers shared by every skedu estimator: thread counts and input validation."""

from ._threads import effective_n_threads, single_threaded_blas
from ._validation import (check_finite_targets, check_non_negative_sample_weight,
                          contiguous_or_sparse, validate_float32_data)

__all__ = [
    "effective_n_threads",
    "single_threaded_blas",
    "check_finite_targets",
    "check_non_negative_sample_weight",
    "contiguous_or_sparse",
    "validate_float32_data",
]
