"""Best split of one feature from its histogram (the hist splitter).

Bins are swept left to right; at each bin boundary the missing values' sums (the last bin) are
tried on the right and, when there are any, on the left. ``consider_boundary`` (inline, in the
.pxd) is shared with the exact and random splitters: all check the growth limits, score the
two sides and place missing values the same way.
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
    cdef intp_t b, k, left_count = 0, missing_count, n_nonempty
    cdef double left_hessian = 0.0
    cdef double* left_sums = scratch
    cdef const double* entry
    cdef const double* missing = histogram + MISSING_BIN * stride

    missing_count = <intp_t>missing[n_channels + 1]
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
        consider_boundary(best, feature, bin_thresholds[b], b, left_sums, left_hessian,
                          left_count, missing, missing[n_channels], missing_count, context,
                          scratch + n_channels)
    return n_nonempty > 1
