"""Best split of one feature from its histogram (the hist splitter).

Bins are swept left to right; at each bin boundary the missing values' sums (the last bin) are
tried on the right and, when there are any, on the left. ``consider_boundary`` (inline, in the
.pxd) is shared with the exact and random splitters: all check the growth limits, score the
two sides and place missing values the same way.
"""

import numpy as np

from ._types cimport ABSOLUTE_ERROR, SECOND_ORDER

from libc.math cimport INFINITY

from ._types cimport MISSING_BIN, N_BINS


cdef inline intp_t occupied_bins(const double* histogram, intp_t n_bins, intp_t stride,
                                 unsigned char* occupied) noexcept nogil:
    """Write the bins whose count (an entry's last value) is not 0 to ``occupied``, in order;
    return how many. No branch: whether a bin is empty is a coin toss for the branch predictor
    in mid-sized nodes, and the scans then visit only the occupied bins."""
    cdef intp_t b, n_occupied = 0
    for b in range(n_bins):
        occupied[n_occupied] = <unsigned char>b
        n_occupied += histogram[b * stride + stride - 1] != 0.0
    return n_occupied


cdef bint best_split_from_histogram(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context, SplitRecord* best,
                                    double* scratch) noexcept nogil:
    """Improve ``best`` with the best split of ``feature``; return False if the feature is
    constant in the node (one non-empty bin, missing values included).

    ``histogram`` holds the feature's ``n_bins_non_missing`` bins, then its missing values'
    entry (the packed layout of ``_histogram.pyx``). ``bin_thresholds[b]`` is the upper edge of
    bin b (+inf for the last non-missing bin). ``scratch`` holds 3 * n_channels doubles.
    """
    cdef intp_t n_channels = context.n_channels, stride = context.n_channels + 2
    cdef intp_t b, i, k, left_count = 0, missing_count, n_nonempty, n_occupied
    cdef unsigned char occupied[N_BINS]
    cdef double left_hessian = 0.0
    cdef double* left_sums = scratch
    cdef const double* entry
    cdef const double* missing = histogram + n_bins_non_missing * stride

    if (n_channels == 1 and context.criterion == SECOND_ORDER and context.labels == NULL
            and (context.monotonic_cst == NULL or context.monotonic_cst[feature] == 0)):
        return second_order_split(feature, histogram, n_bins_non_missing, bin_thresholds,
                                  context, best)
    missing_count = <intp_t>missing[n_channels + 1]
    n_nonempty = 1 if missing_count > 0 else 0
    for k in range(n_channels):
        left_sums[k] = 0.0

    # The last non-missing bin as threshold sends every non-missing value left: a split only
    # when there are missing values to send right.
    n_occupied = occupied_bins(histogram, n_bins_non_missing, stride, occupied)
    for i in range(n_occupied):
        b = occupied[i]
        entry = histogram + b * stride
        n_nonempty += 1
        for k in range(n_channels):
            left_sums[k] += entry[k]
        left_hessian += entry[n_channels]
        left_count += <intp_t>entry[n_channels + 1]
        if left_count == context.node_count:
            break
        consider_boundary(best, feature, bin_thresholds[b], b, left_sums, left_hessian,
                          left_count, missing, missing[n_channels], missing_count, context,
                          scratch + n_channels)
    return n_nonempty > 1


cdef inline double second_order_score(double gradient, double hessian,
                                      double l2_regularization) noexcept nogil:
    # ``side_score`` of one second-order channel, the same operations in the same order.
    hessian = hessian + l2_regularization
    if hessian <= 0.0:
        return 0.0
    return 0.5 * (gradient * gradient) / hessian


cdef bint second_order_split(intp_t feature, const double* histogram,
                             intp_t n_bins_non_missing, const double* bin_thresholds,
                             const SplitContext* context, SplitRecord* best) noexcept nogil:
    """``best_split_from_histogram`` for boosting's common case, one gradient channel and its
    hessian without monotonic constraint: the sums stay in registers instead of going through
    the generic per-channel loops and scratch arrays (the scan is most of the split search of
    small data sets' trees). Same candidates, same arithmetic, so the same split bit for bit."""
    cdef const double* missing = histogram + n_bins_non_missing * 3
    cdef const double* entry
    cdef double node_gradient = context.node_sums[0], node_hessian = context.node_hessian
    cdef double node_score = context.node_score, l2 = context.l2_regularization
    cdef double min_weight = context.min_weight_leaf
    cdef intp_t node_count = context.node_count, min_leaf = context.min_samples_leaf
    cdef double missing_gradient = missing[0], missing_hessian = missing[1]
    cdef intp_t missing_count = <intp_t>missing[2]
    cdef double left_gradient = 0.0, left_hessian = 0.0, gradient, hessian, gain
    cdef intp_t b, i, left_count = 0, count
    cdef intp_t n_nonempty = 1 if missing_count > 0 else 0
    cdef unsigned char occupied[N_BINS]
    cdef intp_t n_occupied = occupied_bins(histogram, n_bins_non_missing, 3, occupied)
    for i in range(n_occupied):
        b = occupied[i]
        entry = histogram + b * 3
        n_nonempty += 1
        left_gradient += entry[0]
        left_hessian += entry[1]
        left_count += <intp_t>entry[2]
        if left_count == node_count:
            break
        # Missing values right (``consider_boundary``'s first case; 0 < left_count < node).
        if (left_count >= min_leaf and node_count - left_count >= min_leaf
                and left_hessian >= min_weight and node_hessian - left_hessian >= min_weight):
            gain = (second_order_score(left_gradient, left_hessian, l2)
                    + second_order_score(node_gradient - left_gradient,
                                         node_hessian - left_hessian, l2)
                    - node_score)
            if gain > best.gain:
                record_split(best, feature, gain, bin_thresholds[b], b, left_count,
                             missing_count == 0 and 2 * left_count > node_count)
        # Missing values left.
        count = left_count + missing_count
        if missing_count > 0 and count < node_count:
            gradient = left_gradient + missing_gradient
            hessian = left_hessian + missing_hessian
            if (count >= min_leaf and node_count - count >= min_leaf
                    and hessian >= min_weight and node_hessian - hessian >= min_weight):
                gain = (second_order_score(gradient, hessian, l2)
                        + second_order_score(node_gradient - gradient, node_hessian - hessian,
                                             l2)
                        - node_score)
                if gain > best.gain:
                    record_split(best, feature, gain, bin_thresholds[b], b, count, True)
    return n_nonempty > 1


cdef object split_record_as_dict(const SplitRecord* record):
    """A split record as a dict (test entry points)."""
    return {"found": bool(record.found), "feature": record.feature, "gain": record.gain,
            "threshold": record.threshold, "bin_threshold": record.bin_threshold,
            "n_left": record.n_left, "missing_go_left": bool(record.missing_go_left)}


def best_split_from_histogram_for_tests(const double[:, ::1] histogram, intp_t n_bins_non_missing,
                                        const double[::1] bin_thresholds, int criterion,
                                        double l2_regularization=0.0,
                                        intp_t min_samples_leaf=1,
                                        double min_weight_leaf=0.0):
    """Best split of one feature from its (N_BINS, K + 2) histogram, as a dict, and whether the
    feature varies in the node (test entry point); bins from ``n_bins_non_missing`` to the
    missing bin must be empty."""
    cdef intp_t n_channels = histogram.shape[1] - 2
    cdef SplitContext context
    cdef SplitRecord best
    node = np.asarray(histogram).sum(axis=0)
    # The packed layout: the non-missing bins, then the missing bin.
    packed_array = np.ascontiguousarray(np.vstack([np.asarray(histogram)[:n_bins_non_missing],
                                                   np.asarray(histogram)[MISSING_BIN:]]))
    cdef const double[:, ::1] packed = packed_array
    cdef const double[::1] node_sums = np.ascontiguousarray(node[:n_channels])
    scratch = np.zeros(3 * n_channels)
    cdef double[::1] scratch_view = scratch
    if criterion == ABSOLUTE_ERROR:
        raise ValueError("absolute error is not scored from sums (see _absolute_error)")
    init_context(&context, &node_sums[0], node[n_channels], int(node[n_channels + 1]),
                 n_channels, 1, NULL, criterion, l2_regularization, min_samples_leaf, min_weight_leaf)
    best.found = False
    best.gain = -INFINITY
    varies = best_split_from_histogram(0, &packed[0, 0], n_bins_non_missing,
                                       &bin_thresholds[0], &context, &best, &scratch_view[0])
    return split_record_as_dict(&best), bool(varies)
