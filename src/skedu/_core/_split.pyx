"""Best split of one feature from its histogram (the hist splitter).

Bins are swept left to right; at each bin boundary the missing values' sums (the last bin) are
tried on the right and, when there are any, on the left. ``consider_boundary`` (inline, in the
.pxd) is shared with the exact and random splitters: all check the growth limits, score the
two sides and place missing values the same way.
"""

import numpy as np

from ._types cimport ABSOLUTE_ERROR, SECOND_ORDER

from libc.math cimport INFINITY
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

from ._types cimport MISSING_BIN, N_BINS

cdef extern from "_scan_simd.h":
    int skedu_have_avx2() nogil
    long skedu_best_gain_avx2(const double* left_gradient, const double* left_hessian,
                              const double* left_count, long n, double node_gradient,
                              double node_hessian, double node_count, double node_score,
                              double l2, double min_hessian, double min_count,
                              double* best_gain, int* varies) nogil

# Whether ``second_order_split`` scores its bins four at a time (``_scan_simd.h``): where the
# processor has AVX2. Tests compare both ways (``set_vector_scan_for_tests``).
cdef bint VECTOR_SCAN = skedu_have_avx2()
cdef intp_t VECTOR_MIN_BINS = 32


def set_vector_scan_for_tests(bint enabled):
    """Let ``second_order_split`` score bins four at a time (where the processor can: returns
    whether it will) or one at a time (test entry point)."""
    global VECTOR_SCAN
    VECTOR_SCAN = enabled and skedu_have_avx2()
    return bool(VECTOR_SCAN)


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
    cdef intp_t n_occupied
    if (VECTOR_SCAN and min_leaf >= 1 and n_bins_non_missing >= VECTOR_MIN_BINS
            and node_count >= n_bins_non_missing):
        # Most bins hold rows: scored four at a time (with fewer rows than bins, visiting only
        # the occupied ones costs less; 255 bins, one at a time: 0.56 us at 200 rows, 0.75 us
        # at 400, 1.1 us at 5,000; four at a time 0.55-0.57 us from 200 rows on). A feature of
        # a few bins costs little either way.
        return vector_second_order_split(feature, histogram, n_bins_non_missing,
                                         bin_thresholds, context, best)
    n_occupied = occupied_bins(histogram, n_bins_non_missing, 3, occupied)
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


cdef struct BoundedScan:
    # What ``bounded_second_order_split`` tests each candidate with (constant over a node).
    double node_gradient
    double node_hessian
    double node_score
    double l2_regularization
    double min_weight
    double n_rows
    intp_t min_samples_leaf
    double enough_hessian       # a side of this hessian surely has min_samples_leaf rows
    double per_most             # 1 / the rows' largest hessian
    double per_least            # 1 / their smallest
    double margin               # the hessians' rounding


cdef inline int sides_keep_minimum(const BoundedScan* scan, double left_hessian,
                                   intp_t left_bins, intp_t right_bins) noexcept nogil:
    """Whether both sides of a split have ``min_samples_leaf`` rows: 2 surely, 0 surely not,
    1 maybe. A side has at least as many rows as bins with rows, and a side of
    ``enough_hessian`` has enough (the common cases, tested first). Else the left side's count
    is bounded by its hessian, by the right side's (the node's count is known) and by the
    bins with rows on each side; ``margin`` covers the hessians' rounding and 0.25 the
    bounds' (counts are integers)."""
    cdef double right_hessian = scan.node_hessian - left_hessian
    cdef double n = scan.n_rows, minimum = scan.min_samples_leaf, lower, upper
    if ((left_bins >= scan.min_samples_leaf or left_hessian > scan.enough_hessian)
            and (right_bins >= scan.min_samples_leaf or right_hessian > scan.enough_hessian)):
        return 2
    lower = max(max((left_hessian - scan.margin) * scan.per_most,
                    n - (right_hessian + scan.margin) * scan.per_least), <double>left_bins)
    upper = min(min((left_hessian + scan.margin) * scan.per_least,
                    n - (right_hessian - scan.margin) * scan.per_most), n - right_bins)
    if upper < minimum - 0.25 or lower > n - minimum + 0.25:
        return 0
    if lower > minimum - 0.75 and upper < n - minimum + 0.75:
        return 2
    return 1


cdef inline double bounded_gain(const BoundedScan* scan, double left_gradient,
                                double left_hessian) noexcept nogil:
    """A candidate's gain, as ``second_order_split`` (and the vector kernel) computes it."""
    return (second_order_score(left_gradient, left_hessian, scan.l2_regularization)
            + second_order_score(scan.node_gradient - left_gradient,
                                 scan.node_hessian - left_hessian, scan.l2_regularization)
            - scan.node_score)


cdef inline void consider_bounded(const BoundedScan* scan, SplitRecord* best, intp_t feature,
                                  double threshold, intp_t bin_threshold, double left_gradient,
                                  double left_hessian, intp_t left_bins, intp_t right_bins,
                                  bint missing_go_left, bint missing_by_majority) noexcept nogil:
    """One candidate of ``bounded_second_order_split``: recorded when it surely keeps
    ``min_samples_leaf`` rows a side and gains more than ``best``, its gain kept in
    ``best.unsure_gain`` when that is not sure. The gain is ``second_order_split``'s."""
    cdef double gain, staged_gradient, staged_hessian, count
    stage_bounded(scan, best, left_gradient, left_hessian, left_bins, right_bins,
                  &staged_gradient, &staged_hessian, &count)
    if count < 0.0:
        return              # refused, or unsure (its gain kept by stage_bounded)
    gain = bounded_gain(scan, left_gradient, left_hessian)
    if gain > best.gain:
        record_split(best, feature, gain, threshold, bin_threshold, -1, missing_go_left)
        best.missing_by_majority = missing_by_majority


cdef inline void stage_bounded(const BoundedScan* scan, SplitRecord* best, double left_gradient,
                               double left_hessian, intp_t left_bins, intp_t right_bins,
                               double* gradient, double* hessian, double* count) noexcept nogil:
    """A candidate of ``vector_bounded_split``, staged for the kernel: its left sums, and a
    count that lets the kernel score it (``min_samples_leaf``: surely allowed) or not (-1);
    a candidate that may or may not be allowed has its gain kept in ``best.unsure_gain``
    here, as ``consider_bounded`` keeps it."""
    cdef double gain, right_hessian = scan.node_hessian - left_hessian
    cdef int sure
    gradient[0] = left_gradient
    hessian[0] = left_hessian
    count[0] = -1.0
    if not (left_hessian >= scan.min_weight and right_hessian >= scan.min_weight):
        return
    sure = sides_keep_minimum(scan, left_hessian, left_bins, right_bins)
    if sure == 2:
        count[0] = scan.min_samples_leaf
    elif sure == 1:
        gain = bounded_gain(scan, left_gradient, left_hessian)
        if gain > best.unsure_gain:
            best.unsure_gain = gain


cdef void vector_bounded_split(const BoundedScan* scan, intp_t feature, const double* histogram,
                               const unsigned char* occupied, intp_t n_occupied,
                               const double* missing, bint has_missing,
                               const double* bin_thresholds, SplitRecord* best) noexcept nogil:
    """``bounded_second_order_split``'s candidates scored four at a time: each is staged in
    the sweep's order (with missing values: a bin's candidate sending them right, then the
    one sending them left), the sure ones scored by ``skedu_best_gain_avx2`` with the same
    operations as ``consider_bounded``, whose first best gain wins as in the sweep: the same
    split bit for bit. Needs ``min_samples_leaf`` >= 1 (refused candidates count -1)."""
    # Two candidates a bin, and room for the last group of four.
    cdef double gradient[2 * N_BINS + 4]
    cdef double hessian[2 * N_BINS + 4]
    cdef double count[2 * N_BINS + 4]
    cdef double left_gradient = 0.0, left_hessian = 0.0, gain
    cdef intp_t i, n = 0, step = 2 if has_missing else 1
    cdef long at
    cdef int varies
    cdef bint missing_left
    cdef const double* entry
    for i in range(n_occupied):
        entry = histogram + 3 * occupied[i]
        left_gradient += entry[0]
        left_hessian += entry[1]
        if i == n_occupied - 1 and not has_missing:
            break               # every row on the left
        stage_bounded(scan, best, left_gradient, left_hessian, i + 1,
                      n_occupied - i - 1 + has_missing, gradient + n, hessian + n, count + n)
        n += 1
        if has_missing:
            if i < n_occupied - 1:
                stage_bounded(scan, best, left_gradient + missing[0], left_hessian + missing[1],
                              i + 2, n_occupied - i - 1, gradient + n, hessian + n, count + n)
            else:
                gradient[n] = hessian[n] = 0.0
                count[n] = -1.0
            n += 1
    while n % 4 != 0:
        gradient[n] = hessian[n] = 0.0
        count[n] = -1.0
        n += 1
    gain = best.gain
    at = skedu_best_gain_avx2(gradient, hessian, count, n, scan.node_gradient, scan.node_hessian,
                              scan.n_rows, scan.node_score, scan.l2_regularization,
                              scan.min_weight, <double>scan.min_samples_leaf, &gain, &varies)
    if at < 0:
        return
    i = at // step
    missing_left = has_missing and at % 2 == 1
    record_split(best, feature, gain, bin_thresholds[occupied[i]], occupied[i], -1,
                 missing_left)
    best.missing_by_majority = not has_missing


cdef bint bounded_second_order_split(intp_t feature, const double* histogram,
                                     intp_t n_bins_non_missing, const double* bin_thresholds,
                                     const SplitContext* context,
                                     SplitRecord* best) noexcept nogil:
    """``second_order_split`` from a histogram without row counts (``context.count_bounds``):
    the same candidates, gains and choice, the counts bounded from the hessians.

    A bin holds rows when its hessian exceeds twice the bounds' ``hessian_noise`` (every row's
    is above four times it, every entry's error below it). A side of hessian H has between
    H / max_row_hessian and H / min_row_hessian rows, and at least one a bin with rows; the
    node's count is known, so each side's bounds bound the other side's too. Most candidates
    are then allowed or refused for certain. Those that may or may not keep
    ``min_samples_leaf`` rows on each side are set aside, their largest gain in
    ``best.unsure_gain``: when the node's best split may be one of them, the feature is
    searched again with its rows counted (``_node_split.settle_unsure_features``). Returns
    whether the feature varies in the node. The recorded split's ``n_left`` is unknown (-1);
    without missing values in the node, their side for unseen ones is left to the partition
    (``missing_by_majority``).
    """
    cdef const double* missing = histogram + n_bins_non_missing * 3
    cdef const double* entry
    cdef double occupied_hessian = 2.0 * context.count_bounds.hessian_noise
    cdef bint has_missing = missing[1] > occupied_hessian
    cdef double left_gradient = 0.0, left_hessian = 0.0
    cdef intp_t b, i, n_occupied = 0
    cdef unsigned char occupied[N_BINS]
    cdef BoundedScan scan
    scan.node_gradient = context.node_sums[0]
    scan.node_hessian = context.node_hessian
    scan.node_score = context.node_score
    scan.l2_regularization = context.l2_regularization
    scan.min_weight = context.min_weight_leaf
    scan.n_rows = context.node_count
    scan.min_samples_leaf = context.min_samples_leaf
    # The running sums' rounding: a few hundred additions, each entry off by the noise.
    scan.margin = 512.0 * context.count_bounds.hessian_noise
    scan.enough_hessian = ((context.min_samples_leaf - 0.75) * context.count_bounds.max_row_hessian
                           + scan.margin)
    scan.per_most = 1.0 / context.count_bounds.max_row_hessian
    scan.per_least = 1.0 / context.count_bounds.min_row_hessian
    for b in range(n_bins_non_missing):
        occupied[n_occupied] = <unsigned char>b
        n_occupied += histogram[3 * b + 1] > occupied_hessian
    if VECTOR_SCAN and scan.min_samples_leaf >= 1 and n_occupied >= VECTOR_MIN_BINS:
        vector_bounded_split(&scan, feature, histogram, occupied, n_occupied, missing,
                             has_missing, bin_thresholds, best)
        return n_occupied + has_missing > 1
    for i in range(n_occupied):
        b = occupied[i]
        entry = histogram + b * 3
        left_gradient += entry[0]
        left_hessian += entry[1]
        if i == n_occupied - 1 and not has_missing:
            break               # every row on the left
        # Missing values right, then (when there are any and rows on the right) left.
        consider_bounded(&scan, best, feature, bin_thresholds[b], b, left_gradient,
                         left_hessian, i + 1, n_occupied - i - 1 + has_missing, False,
                         not has_missing)
        if has_missing and i < n_occupied - 1:
            consider_bounded(&scan, best, feature, bin_thresholds[b], b,
                             left_gradient + missing[0], left_hessian + missing[1], i + 2,
                             n_occupied - i - 1, True, False)
    return n_occupied + has_missing > 1


cdef inline long best_of_running_sums(const SplitContext* context, const double* gradient,
                                      const double* hessian, const double* count, intp_t n,
                                      double* best_gain, int* varies) noexcept nogil:
    """``skedu_best_gain_avx2`` of the node's candidates whose left sides are the ``n`` (a
    multiple of 4) running sums given, under the node's limits."""
    return skedu_best_gain_avx2(gradient, hessian, count, n, context.node_sums[0],
                                context.node_hessian, <double>context.node_count,
                                context.node_score, context.l2_regularization,
                                context.min_weight_leaf, <double>context.min_samples_leaf,
                                best_gain, varies)


cdef inline double kept_or_zero(double value, double count) noexcept nogil:
    """``value``, or +0.0 where the bits of ``count`` are all 0 (an empty bin), without a
    branch. The bits are copied, not read through a cast pointer: a double and an integer
    may not alias."""
    cdef uint64_t bits, count_bits
    memcpy(&bits, &value, sizeof(uint64_t))
    memcpy(&count_bits, &count, sizeof(uint64_t))
    bits &= 0 - <uint64_t>(count_bits != 0)
    memcpy(&value, &bits, sizeof(uint64_t))
    return value


cdef bint vector_second_order_split(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context,
                                    SplitRecord* best) noexcept nogil:
    """``second_order_split`` with its candidates scored four at a time
    (``skedu_best_gain_avx2``) from the left side's running sums at every bin: the same sums,
    gains and choice bit for bit. An empty bin's candidate is its occupied predecessor's (the
    same sums, so the same gain, and the first of equal gains wins), or has no row on the
    left; past the last occupied bin none has rows on the right. With missing values, the
    candidates that send them left too are scored apart, and the first of the two best wins
    in the sweep's order (a bin's candidate with missing values right comes first). Needs
    ``min_samples_leaf`` >= 1."""
    # Room for the last group of four: past the bins, no candidate.
    cdef double left_gradient[N_BINS + 3]
    cdef double left_hessian[N_BINS + 3]
    cdef double left_count[N_BINS + 3]
    # With missing values: the same sides with them on the left.
    cdef double with_gradient[N_BINS + 3]
    cdef double with_hessian[N_BINS + 3]
    cdef double with_count[N_BINS + 3]
    cdef const double* missing = histogram + n_bins_non_missing * 3
    cdef double missing_count = missing[2], node_count = <double>context.node_count
    cdef double gradient = 0.0, hessian = 0.0, count = 0.0, gain, gain_with
    cdef intp_t b, n_padded = (n_bins_non_missing + 3) // 4 * 4
    cdef long at, at_with = -1
    cdef int varies, varies_with
    cdef const double* entry
    for b in range(n_bins_non_missing):
        entry = histogram + 3 * b
        # An empty bin adds nothing: a histogram made by subtraction may hold rounding
        # residues in its empty bins' sums, which the one-at-a-time sweep never reads. Their
        # bits are masked to +0.0 (empty is a count of +0.0, all bits 0), whose addition
        # leaves a sum as it was (its sign aside): no branch, whose outcome would be a coin
        # toss in nodes with a few empty bins.
        gradient += kept_or_zero(entry[0], entry[2])
        hessian += kept_or_zero(entry[1], entry[2])
        count += entry[2]
        left_gradient[b] = gradient
        left_hessian[b] = hessian
        left_count[b] = count
    for b in range(n_bins_non_missing, n_padded):
        left_gradient[b] = gradient
        left_hessian[b] = hessian
        left_count[b] = node_count
    gain = best.gain
    at = best_of_running_sums(context, left_gradient, left_hessian, left_count, n_padded,
                              &gain, &varies)
    if missing_count > 0:
        # The sweep adds the missing values to the sides of occupied bins only: before the
        # first one (no row on the left but the missing ones) there is no candidate.
        for b in range(n_padded):
            with_gradient[b] = left_gradient[b] + missing[0]
            with_hessian[b] = left_hessian[b] + missing[1]
            with_count[b] = (left_count[b] + missing_count
                             if 0.0 < left_count[b] < node_count - missing_count else -1.0)
        gain_with = best.gain
        at_with = best_of_running_sums(context, with_gradient, with_hessian, with_count,
                                       n_padded, &gain_with, &varies_with)
        if at_with >= 0 and (at < 0 or gain_with > gain or (gain_with == gain and at_with < at)):
            record_split(best, feature, gain_with, bin_thresholds[at_with], at_with,
                         <intp_t>with_count[at_with], True)
            return varies
    if at >= 0:
        record_split(best, feature, gain, bin_thresholds[at], at, <intp_t>left_count[at],
                     missing_count == 0 and 2 * <intp_t>left_count[at] > context.node_count)
    return varies


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


def bounded_split_from_histogram_for_tests(const double[:, ::1] histogram,
                                           intp_t n_bins_non_missing,
                                           const double[::1] bin_thresholds,
                                           double l2_regularization, intp_t min_samples_leaf,
                                           double min_weight_leaf, double min_row_hessian,
                                           double max_row_hessian, double hessian_noise=0.0):
    """``bounded_second_order_split`` of one feature's (N_BINS, 3) second-order histogram
    (gradient, hessian, count) with its counts left out (the node's count is their sum), as
    a dict (with ``unsure_gain`` and ``missing_by_majority``), and whether the feature varies
    in the node (test entry point)."""
    cdef SplitContext context
    cdef SplitRecord best
    node = np.asarray(histogram).sum(axis=0)
    packed_array = np.ascontiguousarray(np.vstack([np.asarray(histogram)[:n_bins_non_missing],
                                                   np.asarray(histogram)[MISSING_BIN:]]))
    packed_array[:, 2] = 0.0
    cdef const double[:, ::1] packed = packed_array
    cdef const double[::1] node_sums = np.ascontiguousarray(node[:1])
    init_context(&context, &node_sums[0], node[1], int(node[2]), 1, 1, NULL, SECOND_ORDER,
                 l2_regularization, min_samples_leaf, min_weight_leaf)
    context.count_bounds.active = True
    context.count_bounds.min_row_hessian = min_row_hessian
    context.count_bounds.max_row_hessian = max_row_hessian
    context.count_bounds.hessian_noise = hessian_noise
    best.found = False
    best.gain = -INFINITY
    best.unsure_gain = -INFINITY
    varies = bounded_second_order_split(0, &packed[0, 0], n_bins_non_missing,
                                        &bin_thresholds[0], &context, &best)
    result = split_record_as_dict(&best)
    result["unsure_gain"] = best.unsure_gain
    result["missing_by_majority"] = bool(best.missing_by_majority) if best.found else False
    return result, bool(varies)
