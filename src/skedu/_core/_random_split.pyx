"""A random split of one feature (the "random" splitter, extremely randomised trees).

The threshold is drawn uniformly between the node's smallest and largest value of the feature;
one pass sums each side, and the missing values are tried on either side as in the other
splitters. No sort: a node costs one pass over its rows per feature.
"""

from libc.math cimport INFINITY, isnan

import numpy as np

from ._types cimport ABSOLUTE_ERROR

from ._split cimport FEATURE_THRESHOLD, consider_boundary, init_context, split_record_as_dict


cdef bint random_split(intp_t feature, const X_DTYPE_C* column, intp_t stride,
                       const intp_t* rows, intp_t n_rows, const double* gradients,
                       const double* hessians, const SplitContext* context, double uniform,
                       SplitRecord* best, float* values, double* scratch) noexcept nogil:
    """Improve ``best`` with a random split of ``feature``; return False if it is constant.

    ``uniform`` in [0, 1) places the threshold (drawn by the caller, so the tree does not
    depend on which thread searches which feature); ``column``/``stride`` as in
    ``gather_values``; ``gradients`` and ``hessians`` (and ``context.labels``, when rows are
    labels) are the node's, in the order of ``rows`` (gathered once per node); ``values`` holds n_rows floats of scratch; ``scratch`` holds
    4 * n_channels doubles.
    """
    cdef intp_t n_channels = context.n_channels
    cdef intp_t i, k, n_left = 0, n_missing = 0
    cdef double low = INFINITY, high = -INFINITY, threshold, value
    cdef double left_hessian = 0.0, missing_hessian = 0.0
    cdef double* left_sums = scratch
    cdef double* missing_sums = scratch + n_channels

    # The values are read at random once and kept for the second pass.
    for i in range(n_rows):
        value = column[rows[i] * stride]
        values[i] = value
        if isnan(value):
            n_missing += 1
        else:
            low = min(low, value)
            high = max(high, value)
    if n_missing == n_rows or (n_missing == 0 and high <= low + FEATURE_THRESHOLD):
        return False
    if high <= low + FEATURE_THRESHOLD:
        threshold = INFINITY  # one value: the only split is non-missing against missing
    else:
        threshold = low + (high - low) * uniform
        if threshold >= high:
            threshold = low

    for k in range(n_channels):
        left_sums[k] = 0.0
        missing_sums[k] = 0.0
    if context.labels != NULL:
        n_left = labelled_sides(values, n_rows, hessians, context, threshold, left_sums,
                                &left_hessian, missing_sums, &missing_hessian)
        consider_boundary(best, feature, threshold, 0, left_sums, left_hessian, n_left,
                          missing_sums, missing_hessian, n_missing, context,
                          scratch + 2 * n_channels)
        return True
    for i in range(n_rows):
        value = values[i]
        if isnan(value):
            for k in range(n_channels):
                missing_sums[k] += gradients[i * n_channels + k]
            missing_hessian += hessians[i]
        elif value <= threshold:
            for k in range(n_channels):
                left_sums[k] += gradients[i * n_channels + k]
            left_hessian += hessians[i]
            n_left += 1

    consider_boundary(best, feature, threshold, 0, left_sums, left_hessian, n_left, missing_sums,
                      missing_hessian, n_missing, context, scratch + 2 * n_channels)
    return True


cdef intp_t labelled_sides(const float* values, intp_t n_rows, const double* hessians,
                           const SplitContext* context, double threshold, double* left_sums,
                           double* left_hessian, double* missing_sums,
                           double* missing_hessian) noexcept nogil:
    """The class counts of the left side and of the missing values, for rows given as labels
    (``context.labels`` and ``hessians`` in the node's order, as ``values``); returns the left
    side's row count."""
    cdef intp_t i, o, n_left = 0, n_outputs = context.n_outputs
    cdef const intp_t* labels = context.labels
    cdef double value
    for i in range(n_rows):
        value = values[i]
        if isnan(value):
            for o in range(n_outputs):
                missing_sums[labels[i * n_outputs + o]] += hessians[i]
            missing_hessian[0] += hessians[i]
        elif value <= threshold:
            for o in range(n_outputs):
                left_sums[labels[i * n_outputs + o]] += hessians[i]
            left_hessian[0] += hessians[i]
            n_left += 1
    return n_left


def random_split_for_tests(const X_DTYPE_C[::1] values, const double[:, ::1] gradients,
                           const double[::1] hessians, double uniform, int criterion,
                           double l2_regularization=0.0, intp_t min_samples_leaf=1,
                           double min_weight_leaf=0.0, const intp_t[:, ::1] labels=None):
    """The random split of one feature over all rows at the draw ``uniform``, as a dict, and
    whether the feature varies (test entry point); ``labels`` as in
    ``best_split_sorted_for_tests``."""
    cdef intp_t n_rows = values.shape[0], n_channels = gradients.shape[1]
    cdef SplitContext context
    cdef SplitRecord best
    node_sums_array = np.ascontiguousarray(np.asarray(gradients).sum(axis=0))
    cdef const double[::1] node_sums = node_sums_array
    rows = np.arange(n_rows, dtype=np.intp)
    cdef const intp_t[::1] rows_view = rows
    scratch = np.zeros(4 * n_channels)
    cdef double[::1] scratch_view = scratch
    if criterion == ABSOLUTE_ERROR:
        raise ValueError("absolute error is not scored from sums (see _absolute_error)")
    cdef float[::1] values_scratch = np.empty(max(n_rows, 1), dtype=np.float32)
    init_context(&context, &node_sums[0], np.asarray(hessians).sum(), n_rows, n_channels,
                 1 if labels is None else labels.shape[1],
                 NULL if labels is None else &labels[0, 0], criterion, l2_regularization, min_samples_leaf, min_weight_leaf)
    best.found = False
    best.gain = -INFINITY
    varies = random_split(0, &values[0], 1, &rows_view[0], n_rows, &gradients[0, 0],
                          &hessians[0], &context, uniform, &best, &values_scratch[0],
                          &scratch_view[0])
    return split_record_as_dict(&best), bool(varies)
