"""A random split of one feature (the "random" splitter, extremely randomised trees).

The threshold is drawn uniformly between the node's smallest and largest value of the feature;
one pass sums each side, and the missing values are tried on either side as in the other
splitters. No sort: a node costs one pass over its rows per feature.
"""

from libc.math cimport INFINITY, isnan, nextafterf

import numpy as np

from ._types cimport ABSOLUTE_ERROR

cdef extern from *:
    void __builtin_prefetch(const void* address) nogil

# Rows ahead whose values the range pass asks the memory for: the row ids are known in
# advance, the addresses are not predictable for the hardware.
cdef intp_t PREFETCH_DISTANCE = 16

from ._split cimport FEATURE_THRESHOLD, consider_boundary, init_context, split_record_as_dict


cdef bint random_split(intp_t feature, const X_DTYPE_C* column, intp_t stride,
                       const intp_t* rows, intp_t n_rows, const double* gradients,
                       const double* hessians, const SplitContext* context, double uniform,
                       SplitRecord* best, float* values, double* scratch) noexcept nogil:
    """Improve ``best`` with a random split of ``feature``; return False if it is constant.

    ``uniform`` in [0, 1) places the threshold (drawn by the caller, so the tree does not
    depend on which thread searches which feature); ``column``/``stride`` as in
    ``gather_values``; ``gradients`` and ``hessians`` (and ``context.labels``, when rows are
    labels) are the node's, in the order of ``rows`` (gathered once per node); ``values``
    receives the node's n_rows values of the feature, in the order of ``rows``; ``scratch``
    holds ``RANDOM_SCRATCH * n_channels`` doubles.
    """
    cdef intp_t n_channels = context.n_channels
    cdef intp_t i, k, n_left = 0, n_missing = 0
    cdef float value, low_value = INFINITY, high_value = -INFINITY
    cdef float other, other_low = INFINITY, other_high = -INFINITY
    cdef double low, high, threshold
    cdef double left_hessian = 0.0, missing_hessian = 0.0
    cdef double* left_sums = scratch
    cdef double* missing_sums = scratch + n_channels

    # The values are read at random once and kept for the second pass. No branch per row (a
    # comparison with NaN is false, so NaN never becomes the low or the high value), and two
    # rows at a time in separate minima and maxima, which do not wait on each other.
    for i in range(0, n_rows - 1, 2):
        if i + PREFETCH_DISTANCE + 1 < n_rows:
            __builtin_prefetch(&column[rows[i + PREFETCH_DISTANCE] * stride])
            __builtin_prefetch(&column[rows[i + PREFETCH_DISTANCE + 1] * stride])
        value = column[rows[i] * stride]
        other = column[rows[i + 1] * stride]
        values[i] = value
        values[i + 1] = other
        n_missing += (value != value) + (other != other)
        low_value = value if value < low_value else low_value
        high_value = value if value > high_value else high_value
        other_low = other if other < other_low else other_low
        other_high = other if other > other_high else other_high
    if n_rows & 1:
        value = column[rows[n_rows - 1] * stride]
        values[n_rows - 1] = value
        n_missing += value != value
        low_value = value if value < low_value else low_value
        high_value = value if value > high_value else high_value
    low_value = other_low if other_low < low_value else low_value
    high_value = other_high if other_high > high_value else high_value
    low = low_value
    high = high_value
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
    if n_missing == 0:
        n_left = left_side_sums(values, n_rows, gradients, hessians, context,
                                float_bound(threshold), left_sums, &left_hessian,
                                scratch + 2 * n_channels)
    elif context.labels != NULL:
        n_left = labelled_sides(values, n_rows, hessians, context, threshold, left_sums,
                                &left_hessian, missing_sums, &missing_hessian)
    else:
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


cdef inline float float_bound(double threshold) noexcept nogil:
    """The largest float not above ``threshold``: for a float value, ``value <= threshold``
    and ``value <= float_bound(threshold)`` are the same test, without a conversion per row."""
    cdef float bound = <float>threshold
    if bound > threshold:
        bound = nextafterf(bound, -INFINITY)
    return bound


cdef intp_t left_side_sums(const float* values, intp_t n_rows, const double* gradients,
                           const double* hessians, const SplitContext* context,
                           float threshold, double* left_sums, double* left_hessian,
                           double* lanes) noexcept nogil:
    """The left side's sums (gradient channels, or class counts for rows given as labels) and
    hessian of a node without missing values; returns the left side's row count.

    A random threshold sends rows either way unpredictably: the side is a 0/1 factor, not a
    branch. Rows are added to ``N_LANES`` interleaved partial sums (``lanes``: ``N_LANES *
    n_channels`` doubles) so that consecutive rows of one class do not wait on each other's
    additions (one lane for small nodes); the lanes are added up in lane order, so the sums do
    not depend on threads.
    """
    cdef intp_t n_channels = context.n_channels, n_outputs = context.n_outputs
    cdef const intp_t* labels = context.labels
    cdef intp_t i, k, o, lane, n_left = 0
    cdef double weight
    cdef bint goes_left
    if n_outputs == 1 and n_channels == 2 and labels != NULL and context.unit_hessians:
        return binary_counts_left(values, n_rows, labels, threshold, left_sums, left_hessian)
    if n_outputs == 1 and (n_channels == 1 or (n_channels == 2 and labels != NULL)):
        return two_sums_left(values, n_rows, gradients, hessians, labels, threshold,
                             left_sums, left_hessian)
    # Few rows for many classes (deep trees' small nodes): clearing and adding up the lanes
    # would cost more than the rows, so they share one.
    cdef intp_t lane_mask = N_LANES - 1 if n_rows >= 2 * N_LANES * n_channels else 0
    cdef intp_t n_lanes = lane_mask + 1
    # The hessian's sum in two registers (even and odd rows), the channels' in the lanes.
    cdef double even_hessian = 0.0, odd_hessian = 0.0
    for k in range(n_lanes * n_channels):
        lanes[k] = 0.0
    for i in range(n_rows):
        goes_left = values[i] <= threshold
        n_left += goes_left
        weight = hessians[i] * goes_left
        if i & 1:
            odd_hessian += weight
        else:
            even_hessian += weight
        lane = i & lane_mask
        if labels != NULL:
            for o in range(n_outputs):
                lanes[lane * n_channels + labels[i * n_outputs + o]] += weight
        else:
            for k in range(n_channels):
                lanes[lane * n_channels + k] += gradients[i * n_channels + k] * goes_left
    left_hessian[0] += even_hessian + odd_hessian
    for lane in range(n_lanes):
        for k in range(n_channels):
            left_sums[k] += lanes[lane * n_channels + k]
    return n_left


cdef intp_t binary_counts_left(const float* values, intp_t n_rows, const intp_t* labels,
                              float threshold, double* left_sums,
                              double* left_hessian) noexcept nogil:
    """``left_side_sums`` for two classes and unweighted rows: the left side's row count and
    class 1's count, integers the compiler adds several rows at a time."""
    cdef intp_t i, n_left = 0, n_ones = 0
    cdef intp_t goes_left
    for i in range(n_rows):
        goes_left = values[i] <= threshold
        n_left += goes_left
        n_ones += goes_left & labels[i]
    left_hessian[0] = <double>n_left
    left_sums[0] = <double>(n_left - n_ones)
    left_sums[1] = <double>n_ones
    return n_left


cdef intp_t two_sums_left(const float* values, intp_t n_rows, const double* gradients,
                         const double* hessians, const intp_t* labels, float threshold,
                         double* left_sums, double* left_hessian) noexcept nogil:
    """``left_side_sums`` for one gradient channel (``labels`` NULL) or two classes: every
    partial sum in a register, two rows at a time.

    Two classes: ``left_sums`` gets class 0's and class 1's weights (``w - w * label`` and
    ``w * label`` are w or 0 exactly); one channel: the gradients'.
    """
    cdef intp_t i, n_left = 0
    cdef double weight, other, first = 0.0, second = 0.0
    cdef double hessian_a = 0.0, hessian_b = 0.0, sum_a = 0.0, sum_b = 0.0
    cdef double zeros_a = 0.0, zeros_b = 0.0
    cdef bint left_a, left_b
    for i in range(0, n_rows - 1, 2):
        left_a = values[i] <= threshold
        left_b = values[i + 1] <= threshold
        n_left += left_a + left_b
        weight = hessians[i] * left_a
        other = hessians[i + 1] * left_b
        hessian_a += weight
        hessian_b += other
        if labels != NULL:
            sum_a += weight * labels[i]
            sum_b += other * labels[i + 1]
            zeros_a += weight - weight * labels[i]
            zeros_b += other - other * labels[i + 1]
        else:
            sum_a += gradients[i] * left_a
            sum_b += gradients[i + 1] * left_b
    if n_rows & 1:
        i = n_rows - 1
        left_a = values[i] <= threshold
        n_left += left_a
        weight = hessians[i] * left_a
        hessian_a += weight
        if labels != NULL:
            sum_a += weight * labels[i]
            zeros_a += weight - weight * labels[i]
        else:
            sum_a += gradients[i] * left_a
    left_hessian[0] = hessian_a + hessian_b
    if labels != NULL:
        left_sums[0] = zeros_a + zeros_b
        left_sums[1] = sum_a + sum_b
    else:
        left_sums[0] = sum_a + sum_b
    return n_left


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
                           double min_weight_leaf=0.0, const intp_t[:, ::1] labels=None,
                           bint unit_hessians=False):
    """The random split of one feature over all rows at the draw ``uniform``, as a dict, and
    whether the feature varies (test entry point); ``labels`` as in
    ``best_split_sorted_for_tests``; ``unit_hessians``: the hessians are all 1, and the search
    may count rows instead of adding them."""
    cdef intp_t n_rows = values.shape[0], n_channels = gradients.shape[1]
    cdef SplitContext context
    cdef SplitRecord best
    node_sums_array = np.ascontiguousarray(np.asarray(gradients).sum(axis=0))
    cdef const double[::1] node_sums = node_sums_array
    rows = np.arange(n_rows, dtype=np.intp)
    cdef const intp_t[::1] rows_view = rows
    scratch = np.zeros(RANDOM_SCRATCH * n_channels)
    cdef double[::1] scratch_view = scratch
    if criterion == ABSOLUTE_ERROR:
        raise ValueError("absolute error is not scored from sums (see _absolute_error)")
    cdef float[::1] values_scratch = np.empty(max(n_rows, 1), dtype=np.float32)
    init_context(&context, &node_sums[0], np.asarray(hessians).sum(), n_rows, n_channels,
                 1 if labels is None else labels.shape[1],
                 NULL if labels is None else &labels[0, 0], criterion, l2_regularization, min_samples_leaf, min_weight_leaf)
    if unit_hessians:
        if not np.all(np.asarray(hessians) == 1.0):
            raise ValueError("unit_hessians needs every hessian to be 1.")
        context.unit_hessians = True
    best.found = False
    best.gain = -INFINITY
    varies = random_split(0, &values[0], 1, &rows_view[0], n_rows, &gradients[0, 0],
                          &hessians[0], &context, uniform, &best, &values_scratch[0],
                          &scratch_view[0])
    return split_record_as_dict(&best), bool(varies)
