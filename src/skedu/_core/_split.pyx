"""Best split of one feature from its histogram (the hist splitter).

Bins are swept left to right; at each bin boundary the missing values' sums (the last bin) are
tried on the right and, when there are any, on the left. ``consider_split`` (inline, in the
.pxd) is shared with the exact splitter: both check the growth limits and score the two sides
the same way.
"""

from ._types cimport MISSING_BIN


cdef bint best_split_from_histogram(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context, SplitRecord* best,
                                    double* scratch) noexcept nogil:
    """Improve ``best`` with the best split of ``feature``; return False if the feature is
    constant in the node (one non-empty bin, missing values included).

    ``bin_thresholds[b]`` is the upper edge of bin b (+inf for the last non-missing bin).
    ``scratch`` holds 3 * n_channels doubles.
    """
    cdef intp_t n_channels = context.n_channels, stride = context.n_channels + 2
    cdef intp_t b, k, left_count = 0, missing_count, n_nonempty = 0
    cdef double left_hessian = 0.0, missing_hessian, gain
    cdef double* left_sums = scratch
    cdef double* with_missing = scratch + n_channels
    cdef double* right_sums = scratch + 2 * n_channels
    cdef const double* entry
    cdef const double* missing = histogram + MISSING_BIN * stride

    missing_count = <intp_t>missing[n_channels + 1]
    missing_hessian = missing[n_channels]
    n_nonempty = 1 if missing_count > 0 else 0
    for k in range(n_channels):
        left_sums[k] = 0.0

    # The last non-missing bin as threshold sends every non-missing value left: a split only
    # when there are missing values to send right.
    for b in range(n_bins_non_missing):
        entry = histogram + b * stride
        if entry[n_channels + 1] == 0.0:
            continue
        n_nonempty += 1
        for k in range(n_channels):
            left_sums[k] += entry[k]
        left_hessian += entry[n_channels]
        left_count += <intp_t>entry[n_channels + 1]
        if left_count == context.node_count:
            break
        if consider_split(left_sums, left_hessian, left_count, context, right_sums, &gain):
            if gain > best.gain:
                # Without missing values in the node, unseen missing values follow the majority.
                record_split(best, feature, gain, bin_thresholds[b], b, left_count,
                             missing_count == 0 and 2 * left_count >= context.node_count)
        if missing_count > 0 and left_count + missing_count < context.node_count:
            for k in range(n_channels):
                with_missing[k] = left_sums[k] + missing[k]
            if consider_split(with_missing, left_hessian + missing_hessian,
                              left_count + missing_count, context, right_sums, &gain):
                if gain > best.gain:
                    record_split(best, feature, gain, bin_thresholds[b], b,
                                 left_count + missing_count, True)
    return n_nonempty > 1
