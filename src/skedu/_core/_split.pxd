from libc.math cimport INFINITY

from ._criterion cimport class_term, label_side_score, leaf_value, side_allowed, side_score
from ._types cimport intp_t, SplitContext, SplitRecord

# Values closer than this are one value (scikit-learn's FEATURE_THRESHOLD); shared by every
# sorted sweep (exact and sparse splitters). A C constant: an assignment in a .pxd is never
# executed (the variable would read 0 in every module that cimports it).
cdef extern from *:
    """
    #define SKEDU_FEATURE_THRESHOLD 1e-7
    """
    const double FEATURE_THRESHOLD "SKEDU_FEATURE_THRESHOLD"


cdef inline void add_row(double* sums, double* hessian_sum, const double* gradients,
                         const double* hessians, intp_t row, intp_t n_channels) noexcept nogil:
    cdef intp_t k
    for k in range(n_channels):
        sums[k] += gradients[row * n_channels + k]
    hessian_sum[0] += hessians[row]


cdef inline double midpoint(float low, float high) noexcept nogil:
    # Halves first to avoid overflow; rounding can land on ``high``, which must stay right.
    cdef double threshold = low / 2.0 + high / 2.0
    if threshold == high or threshold == INFINITY or threshold == -INFINITY:
        threshold = low
    return threshold


cdef object split_record_as_dict(const SplitRecord* record)

cdef bint bounded_second_order_split(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context,
                                    SplitRecord* best) noexcept nogil

cdef bint best_split_from_histogram(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context, SplitRecord* best,
                                    double* scratch) noexcept nogil


cdef inline void init_context(SplitContext* context, const double* node_sums,
                              double node_hessian, intp_t node_count, intp_t n_channels,
                              intp_t n_outputs, const intp_t* labels,
                              int criterion, double l2_regularization, intp_t min_samples_leaf,
                              double min_weight_leaf) noexcept nogil:
    """What a split search of one node needs; ``perfect_gain`` is left unknown (inf)."""
    context.n_channels = n_channels
    context.n_outputs = n_outputs
    context.labels = labels
    context.ranks = NULL
    context.sorted_y = NULL
    context.sorted_stride = 0
    context.criterion = criterion
    context.l2_regularization = l2_regularization
    context.min_samples_leaf = min_samples_leaf
    context.min_weight_leaf = min_weight_leaf
    context.node_sums = node_sums
    context.node_hessian = node_hessian
    context.node_count = node_count
    cdef double terms = 0.0
    cdef intp_t k
    if labels != NULL:
        # As the label sweeps score their sides, so that their gains are exact differences.
        for k in range(n_channels):
            terms += class_term(node_sums[k], criterion)
        context.node_score = label_side_score(terms, node_hessian, n_outputs, criterion)
    else:
        context.node_score = side_score(node_sums, node_hessian, n_channels, criterion,
                                        l2_regularization)
    context.perfect_gain = INFINITY
    context.unit_hessians = False
    context.monotonic_cst = NULL
    context.lower_bound = -INFINITY
    context.upper_bound = INFINITY
    context.count_bounds.active = False


cdef inline void record_split(SplitRecord* best, intp_t feature, double gain, double threshold,
                              intp_t bin_threshold, intp_t n_left,
                              bint missing_go_left) noexcept nogil:
    best.found = True
    best.feature = feature
    best.gain = gain
    best.threshold = threshold
    best.bin_threshold = <unsigned char>bin_threshold
    best.n_left = n_left
    best.missing_go_left = missing_go_left
    best.missing_by_majority = False


cdef inline bint children_allowed(double left_hessian, intp_t left_count,
                                  const SplitContext* context) noexcept nogil:
    """Whether both children of a split keep the growth limits."""
    cdef intp_t right_count = context.node_count - left_count
    cdef double right_hessian = context.node_hessian - left_hessian
    if left_count < context.min_samples_leaf or right_count < context.min_samples_leaf:
        return False
    if left_hessian < context.min_weight_leaf or right_hessian < context.min_weight_leaf:
        return False
    return side_allowed(left_hessian, context.criterion) and side_allowed(right_hessian, context.criterion)


cdef inline bint consider_split(const double* left_sums, double left_hessian, intp_t left_count,
                                const SplitContext* context, double* right_sums,
                                double* gain) noexcept nogil:
    """Gain of sending ``left_*`` left and the rest of the node right; False if not allowed."""
    cdef intp_t k, n_channels = context.n_channels
    cdef double right_hessian = context.node_hessian - left_hessian
    if not children_allowed(left_hessian, left_count, context):
        return False
    for k in range(n_channels):
        right_sums[k] = context.node_sums[k] - left_sums[k]
    gain[0] = (side_score(left_sums, left_hessian, n_channels, context.criterion,
                          context.l2_regularization)
               + side_score(right_sums, right_hessian, n_channels, context.criterion,
                            context.l2_regularization)
               - context.node_score)
    return True


cdef inline bint respects_monotonicity(const SplitContext* context, intp_t feature,
                                      const double* left_sums, double left_hessian,
                                      const double* right_sums) noexcept nogil:
    """scikit-learn's monotonic constraint on a split of ``feature`` (``check_monotonicity``):
    the children's channel-0 values stay within the node's bounds and are ordered as the
    constraint says (left <= right for +1, left >= right for -1); unconstrained features pass.
    Bounds come from the ancestors' splits (``_grower``), so the whole tree is monotone."""
    cdef int constraint
    cdef double left_value, right_value
    if context.monotonic_cst == NULL or context.monotonic_cst[feature] == 0:
        return True
    constraint = context.monotonic_cst[feature]
    left_value = leaf_value(left_sums[0], left_hessian, context.criterion,
                            context.l2_regularization)
    right_value = leaf_value(right_sums[0], context.node_hessian - left_hessian,
                             context.criterion, context.l2_regularization)
    return (context.lower_bound <= left_value <= context.upper_bound
            and context.lower_bound <= right_value <= context.upper_bound
            and (left_value - right_value) * constraint <= 0.0)


cdef inline void consider_boundary(SplitRecord* best, intp_t feature, double threshold,
                                   intp_t bin_threshold, const double* left_sums,
                                   double left_hessian, intp_t left_count,
                                   const double* missing_sums, double missing_hessian,
                                   intp_t missing_count, const SplitContext* context,
                                   double* scratch) noexcept nogil:
    """The missing-values rule of every splitter, at one threshold: the node's missing values
    go right, and (when there are any) left; without missing values in the node, unseen
    missing values follow the strict majority (right on a tie, as in scikit-learn).
    ``scratch`` holds 2 * n_channels doubles."""
    cdef intp_t k, n_channels = context.n_channels
    cdef double gain
    cdef double* right_sums = scratch
    cdef double* with_missing = scratch + n_channels
    if 0 < left_count < context.node_count:
        if consider_split(left_sums, left_hessian, left_count, context, right_sums, &gain):
            if gain > best.gain and respects_monotonicity(context, feature, left_sums,
                                                          left_hessian, right_sums):
                record_split(best, feature, gain, threshold, bin_threshold, left_count,
                             missing_count == 0 and 2 * left_count > context.node_count)
    if missing_count > 0 and left_count + missing_count < context.node_count:
        for k in range(n_channels):
            with_missing[k] = left_sums[k] + missing_sums[k]
        if consider_split(with_missing, left_hessian + missing_hessian,
                          left_count + missing_count, context, right_sums, &gain):
            if gain > best.gain and respects_monotonicity(context, feature, with_missing,
                                                          left_hessian + missing_hessian,
                                                          right_sums):
                record_split(best, feature, gain, threshold, bin_threshold,
                             left_count + missing_count, True)


cdef inline void consider_labelled_boundary(SplitRecord* best, intp_t feature, double threshold,
                                            intp_t bin_threshold, double left_hessian,
                                            intp_t left_count, double left_terms,
                                            double right_terms, double missing_hessian,
                                            intp_t missing_count, double left_missing_terms,
                                            double right_missing_terms,
                                            const SplitContext* context) noexcept nogil:
    """``consider_boundary`` for the label sweeps, from the running ``class_term`` sums of the
    left and right sides with the missing values right (``left_terms``, ``right_terms``) and
    left (``left_missing_terms``, ``right_missing_terms``)."""
    cdef double gain
    cdef intp_t n_outputs = context.n_outputs
    cdef int criterion = context.criterion
    if 0 < left_count < context.node_count and children_allowed(left_hessian, left_count, context):
        gain = (label_side_score(left_terms, left_hessian, n_outputs, criterion)
                + label_side_score(right_terms, context.node_hessian - left_hessian, n_outputs,
                                   criterion)
                - context.node_score)
        if gain > best.gain:
            record_split(best, feature, gain, threshold, bin_threshold, left_count,
                         missing_count == 0 and 2 * left_count > context.node_count)
    left_count += missing_count
    left_hessian += missing_hessian
    if (missing_count > 0 and left_count < context.node_count
            and children_allowed(left_hessian, left_count, context)):
        gain = (label_side_score(left_missing_terms, left_hessian, n_outputs, criterion)
                + label_side_score(right_missing_terms, context.node_hessian - left_hessian,
                                   n_outputs, criterion)
                - context.node_score)
        if gain > best.gain:
            record_split(best, feature, gain, threshold, bin_threshold, left_count, True)
