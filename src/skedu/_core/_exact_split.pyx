"""Best split of one feature from its sorted values (the exact splitter, CART's and XGBoost's
"exact greedy"; the hist splitter uses it too, on bin indices, for nodes too small to be worth a
histogram).

The node's values are gathered with missing ones moved to the end, the rest sorted (by the
caller for raw values, by a counting sort here for bins), and a sweep
accumulates the left side's sums; every boundary between distinct values is a candidate, with
the missing values' sums tried on either side, and one more candidate puts every non-missing
value left and every missing one right.
"""

from libc.math cimport INFINITY, isnan
from libc.stdint cimport uint32_t

from ._sort cimport sort_values_with_rows
from ._types cimport GINI, MISSING_BIN, N_BINS, SQUARED_ERROR
import numpy as np

from ._absolute_error cimport best_split_sorted_absolute_error
from ._criterion cimport class_term
from ._types cimport ABSOLUTE_ERROR
from ._split cimport (FEATURE_THRESHOLD, add_row, midpoint, consider_boundary, consider_labelled_boundary, init_context,
                     record_split, split_record_as_dict)

# Binned nodes with fewer rows are sorted by comparisons (the radix sort is not reached: the
# hist splitter sends only nodes of fewer than a few hundred rows here).
cdef intp_t COUNTING_SORT_MIN_ROWS = 64

cdef inline double threshold_between(const float* sorted_values, intp_t i,
                                     bint bin_values) noexcept nogil:
    # Bins: the left bin (the caller maps it to its upper edge); values: the midpoint.
    if bin_values:
        return sorted_values[i]
    return midpoint(sorted_values[i], sorted_values[i + 1])


cdef intp_t gather_values(const X_DTYPE_C* column, intp_t stride, const intp_t* rows,
                          intp_t n_rows, float* sort_values, intp_t* sort_rows) noexcept nogil:
    """Copy the node's values of one feature, missing (NaN) ones last; return how many are not.

    Row ``r``'s value is ``column[r * stride]``: stride 1 reads a feature-major column,
    stride n_features a row-major matrix (cache-friendly for small nodes, whose rows' every
    feature then stays in cache from one feature's search to the next). ``sort_rows`` receives
    positions in ``rows`` (not row ids): the sweep then reads the node's statistics gathered
    once in node order, a small array, instead of the whole data's at random."""
    cdef intp_t i, n_non_missing = 0, back = n_rows
    cdef float value
    for i in range(n_rows):
        value = column[rows[i] * stride]
        if isnan(value):
            back -= 1
            sort_rows[back] = i
        else:
            sort_values[n_non_missing] = value
            sort_rows[n_non_missing] = i
            n_non_missing += 1
    return n_non_missing


cdef intp_t gather_bins(const BIN_DTYPE_C* column, intp_t stride, const intp_t* rows,
                        intp_t n_rows, float* sort_values, intp_t* sort_rows) noexcept nogil:
    """As ``gather_values`` for binned data, and sorted: bin indices as values, the missing bin
    last; ``stride`` as in ``gather_values``. A counting sort (two passes over the rows and two over N_BINS counters) above
    ``COUNTING_SORT_MIN_ROWS`` rows, an insertion-based sort below, where the counters would
    cost more than the rows."""
    cdef intp_t counts[N_BINS]
    cdef intp_t i, row, bin_index, position, total = 0, back = n_rows, n_non_missing = 0
    if n_rows < COUNTING_SORT_MIN_ROWS:
        for i in range(n_rows):
            row = rows[i]
            bin_index = column[row * stride]
            if bin_index == MISSING_BIN:
                back -= 1
                sort_rows[back] = row
            else:
                sort_values[n_non_missing] = bin_index
                sort_rows[n_non_missing] = row
                n_non_missing += 1
        sort_values_with_rows(sort_values, sort_rows, n_non_missing, NULL, NULL)
        return n_non_missing
    for bin_index in range(N_BINS):
        counts[bin_index] = 0
    for i in range(n_rows):
        counts[column[rows[i] * stride]] += 1
    for bin_index in range(N_BINS):
        position = counts[bin_index]
        counts[bin_index] = total
        total += position
    for i in range(n_rows):
        bin_index = column[rows[i] * stride]
        position = counts[bin_index]
        counts[bin_index] += 1
        sort_rows[position] = rows[i]
        sort_values[position] = bin_index
    return counts[MISSING_BIN - 1]


cdef void sweep_sum_of_squares(intp_t feature, intp_t n_non_missing,
                               const double* gradients, const double* hessians,
                               const SplitContext* context, SplitRecord* best,
                               const float* sort_values, const intp_t* sort_rows,
                               double* left_sums, bint bin_values) noexcept nogil:
    """The sweep of ``best_split_sorted`` for Gini and squared error on a node without missing
    values and without monotonic constraints (the common case), ``consider_boundary`` inlined:
    the same checks and the same floating-point operations in the same order, so the same
    split, without the calls and the missing-value branches at every boundary."""
    cdef intp_t n_channels = context.n_channels, node_count = context.node_count
    cdef intp_t i, k, position, left_count
    cdef double left_hessian = 0.0, right_hessian, left_score, right_score, right_sum, gain
    cdef double node_hessian = context.node_hessian, node_score = context.node_score
    cdef double min_weight_leaf = context.min_weight_leaf
    cdef intp_t min_samples_leaf = context.min_samples_leaf
    cdef const double* node_sums = context.node_sums
    for i in range(n_non_missing - 1):
        position = sort_rows[i]
        for k in range(n_channels):
            left_sums[k] += gradients[position * n_channels + k]
        left_hessian += hessians[position]
        if sort_values[i + 1] <= sort_values[i] + FEATURE_THRESHOLD:
            continue
        left_count = i + 1
        if left_count < min_samples_leaf or node_count - left_count < min_samples_leaf:
            continue
        right_hessian = node_hessian - left_hessian
        if left_hessian < min_weight_leaf or right_hessian < min_weight_leaf:
            continue
        if not (left_hessian > 0.0 and right_hessian > 0.0):
            continue
        left_score = 0.0
        right_score = 0.0
        for k in range(n_channels):
            left_score += left_sums[k] * left_sums[k]
            right_sum = node_sums[k] - left_sums[k]
            right_score += right_sum * right_sum
        gain = left_score / left_hessian + right_score / right_hessian - node_score
        if gain > best.gain:
            # No missing values in the node: unseen ones follow the strict majority.
            record_split(best, feature, gain, threshold_between(sort_values, i, bin_values), 0,
                         left_count, 2 * left_count > node_count)


cdef bint best_split_sorted(intp_t feature, intp_t n_rows, intp_t n_non_missing,
                            const double* gradients, const double* hessians,
                            const SplitContext* context, SplitRecord* best, float* sort_values,
                            intp_t* sort_rows, double* scratch, bint bin_values) noexcept nogil:
    """Improve ``best`` with the best split of ``feature``; return False if it is constant.

    ``sort_values[:n_non_missing]`` (sorted) and ``sort_rows[:n_rows]`` (missing values' rows
    last) come from a gather, ``sort_rows`` indexing ``gradients`` and ``hessians``; ``scratch`` holds 4 * n_channels doubles. With ``bin_values`` the threshold recorded is the left bin
    (the caller maps it to a bin edge), else the midpoint between the two values.
    """
    cdef intp_t n_channels = context.n_channels
    cdef intp_t i, k, n_missing = n_rows - n_non_missing
    cdef double left_hessian = 0.0, missing_hessian = 0.0
    cdef double* left_sums = scratch
    cdef double* missing_sums = scratch + n_channels
    if context.criterion == ABSOLUTE_ERROR:
        # No missing values here: the estimators refuse them with this criterion.
        return best_split_sorted_absolute_error(feature, n_non_missing, sort_values, sort_rows,
                                                gradients, hessians, context, best, scratch,
                                                bin_values)
    if context.labels != NULL:
        return best_split_sorted_labels(feature, n_rows, n_non_missing, hessians, context, best,
                                        sort_values, sort_rows, scratch, bin_values)
    for k in range(n_channels):
        left_sums[k] = 0.0
        missing_sums[k] = 0.0
    for i in range(n_non_missing, n_rows):
        add_row(missing_sums, &missing_hessian, gradients, hessians, sort_rows[i], n_channels)

    if n_non_missing == 0 or (n_missing == 0 and
                              sort_values[n_non_missing - 1] <= sort_values[0] + FEATURE_THRESHOLD):
        return False

    if (n_missing == 0 and context.monotonic_cst == NULL
            and (context.criterion == GINI or context.criterion == SQUARED_ERROR)):
        sweep_sum_of_squares(feature, n_non_missing, gradients, hessians, context, best,
                             sort_values, sort_rows, left_sums, bin_values)
        return True

    for i in range(n_non_missing - 1):
        add_row(left_sums, &left_hessian, gradients, hessians, sort_rows[i], n_channels)
        if sort_values[i + 1] <= sort_values[i] + FEATURE_THRESHOLD:
            continue
        consider_boundary(best, feature, threshold_between(sort_values, i, bin_values), 0,
                          left_sums, left_hessian, i + 1, missing_sums, missing_hessian,
                          n_missing, context, scratch + 2 * n_channels)

    if n_missing > 0:
        # Every non-missing value left, every missing one right.
        add_row(left_sums, &left_hessian, gradients, hessians, sort_rows[n_non_missing - 1],
                n_channels)
        consider_boundary(best, feature, INFINITY, 0, left_sums, left_hessian, n_non_missing,
                          missing_sums, missing_hessian, n_missing, context,
                          scratch + 2 * n_channels)
    return True


cdef inline void add_labelled_row(double* left, const double* missing, const double* node,
                                  double* terms, const intp_t* labels, double weight,
                                  intp_t n_outputs, bint has_missing,
                                  int criterion) noexcept nogil:
    """Move a row of weight ``weight`` to the left side: its class count in every output, and
    the four running ``class_term`` sums ``terms`` (left, right, left with the missing values,
    right without them) of ``best_split_sorted_labels``."""
    cdef intp_t o, c
    cdef double l, m, n
    for o in range(n_outputs):
        c = labels[o]
        l = left[c]
        n = node[c]
        terms[0] += class_term(l + weight, criterion) - class_term(l, criterion)
        terms[1] += class_term(n - l - weight, criterion) - class_term(n - l, criterion)
        if has_missing:
            m = missing[c]
            terms[2] += class_term(l + m + weight, criterion) - class_term(l + m, criterion)
            terms[3] += (class_term(n - m - l - weight, criterion)
                         - class_term(n - m - l, criterion))
        left[c] = l + weight


# Up to this many channels (classes over all outputs), a feature of few distinct values is
# swept by adding a row's weight to its class count only and scoring each boundary from the
# counts (scikit-learn's way): most of its rows are not at a boundary. Measured for every
# feature: adult's forest 9% faster, W-rf's 5% slower (continuous values, nearly every row a
# boundary, where the running sums win), hence ``many_ties``.
cdef intp_t FEW_CHANNELS = 4


cdef inline bint many_ties(const float* sort_values, intp_t n) noexcept nogil:
    """Whether the sorted values tie at a quarter, half and three quarters (few distinct
    values, as one-hot or small integer columns)."""
    cdef intp_t a = n // 4, b = n // 2, c = 3 * n // 4
    return (n >= 16 and sort_values[a + 1] <= sort_values[a] + FEATURE_THRESHOLD
            and sort_values[b + 1] <= sort_values[b] + FEATURE_THRESHOLD
            and sort_values[c + 1] <= sort_values[c] + FEATURE_THRESHOLD)


cdef inline double start_label_sweep(double* left, double* missing, intp_t n_channels,
                                     intp_t n_outputs, const intp_t* labels,
                                     const double* hessians, const intp_t* sort_rows,
                                     intp_t n_non_missing, intp_t n_rows) noexcept nogil:
    """Empty the left class counts and count the missing rows' classes (the rows after
    ``n_non_missing``); return the missing rows' weight."""
    cdef intp_t i, k, o, row
    cdef double missing_hessian = 0.0
    for k in range(n_channels):
        left[k] = 0.0
        missing[k] = 0.0
    for i in range(n_non_missing, n_rows):
        row = sort_rows[i]
        for o in range(n_outputs):
            missing[labels[row * n_outputs + o]] += hessians[row]
        missing_hessian += hessians[row]
    return missing_hessian


cdef bint best_split_sorted_labels(intp_t feature, intp_t n_rows, intp_t n_non_missing,
                                   const double* hessians, const SplitContext* context,
                                   SplitRecord* best, const float* sort_values,
                                   const intp_t* sort_rows, double* scratch,
                                   bint bin_values) noexcept nogil:
    """``best_split_sorted`` for rows given as labels (gini, entropy): each row moves its weight
    between class counts, and the sides' scores follow from running sums of ``class_term``, so
    a candidate costs O(1) instead of O(n_classes) (scikit-learn's cost). With few channels
    and few distinct values, the boundaries' terms are summed from the counts instead
    (``FEW_CHANNELS``)."""
    cdef intp_t n_channels = context.n_channels, n_outputs = context.n_outputs
    cdef intp_t i, k, o, row, n_missing = n_rows - n_non_missing
    if n_channels <= FEW_CHANNELS and many_ties(sort_values, n_non_missing):
        return best_split_sorted_few_labels(feature, n_rows, n_non_missing, hessians, context,
                                            best, sort_values, sort_rows, scratch, bin_values)
    cdef int criterion = context.criterion
    cdef const intp_t* labels = context.labels
    cdef const double* node = context.node_sums
    cdef double left_hessian = 0.0, missing_hessian = 0.0
    cdef double* left = scratch
    cdef double* missing = scratch + n_channels
    cdef double terms[4]
    missing_hessian = start_label_sweep(left, missing, n_channels, n_outputs, labels, hessians,
                                        sort_rows, n_non_missing, n_rows)

    if n_non_missing == 0 or (n_missing == 0 and
                              sort_values[n_non_missing - 1] <= sort_values[0] + FEATURE_THRESHOLD):
        return False

    # Left empty: left, right (the whole node), left with the missing values, the rest.
    terms[0] = terms[1] = terms[2] = terms[3] = 0.0
    for k in range(n_channels):
        terms[1] += class_term(node[k], criterion)
        if n_missing > 0:
            terms[2] += class_term(missing[k], criterion)
            terms[3] += class_term(node[k] - missing[k], criterion)

    for i in range(n_non_missing - 1):
        row = sort_rows[i]
        add_labelled_row(left, missing, node, terms, labels + row * n_outputs, hessians[row],
                         n_outputs, n_missing > 0, criterion)
        left_hessian += hessians[row]
        if sort_values[i + 1] <= sort_values[i] + FEATURE_THRESHOLD:
            continue
        consider_labelled_boundary(best, feature, threshold_between(sort_values, i, bin_values),
                                   0, left_hessian, i + 1, terms[0], terms[1], missing_hessian,
                                   n_missing, terms[2], terms[3], context)

    if n_missing > 0:
        # Every non-missing value left, every missing one right.
        row = sort_rows[n_non_missing - 1]
        add_labelled_row(left, missing, node, terms, labels + row * n_outputs, hessians[row],
                         n_outputs, True, criterion)
        left_hessian += hessians[row]
        consider_labelled_boundary(best, feature, INFINITY, 0, left_hessian, n_non_missing,
                                   terms[0], terms[1], missing_hessian, n_missing, terms[2],
                                   terms[3], context)
    return True


cdef inline void labelled_terms(const double* left, const double* missing, const double* node,
                                intp_t n_channels, bint has_missing, int criterion,
                                double* terms) noexcept nogil:
    """The four ``class_term`` sums of ``best_split_sorted_labels`` from the class counts."""
    cdef intp_t k
    terms[0] = terms[1] = terms[2] = terms[3] = 0.0
    for k in range(n_channels):
        terms[0] += class_term(left[k], criterion)
        terms[1] += class_term(node[k] - left[k], criterion)
        if has_missing:
            terms[2] += class_term(left[k] + missing[k], criterion)
            terms[3] += class_term(node[k] - missing[k] - left[k], criterion)


cdef bint best_split_sorted_few_labels(intp_t feature, intp_t n_rows, intp_t n_non_missing,
                                       const double* hessians, const SplitContext* context,
                                       SplitRecord* best, const float* sort_values,
                                       const intp_t* sort_rows, double* scratch,
                                       bint bin_values) noexcept nogil:
    """``best_split_sorted_labels`` for at most ``FEW_CHANNELS`` channels: a row costs one
    addition to its class count, a boundary O(n_channels)."""
    cdef intp_t n_channels = context.n_channels, n_outputs = context.n_outputs
    cdef intp_t i, k, o, row, n_missing = n_rows - n_non_missing
    cdef int criterion = context.criterion
    cdef const intp_t* labels = context.labels
    cdef const double* node = context.node_sums
    cdef double left_hessian = 0.0, missing_hessian = 0.0, weight
    cdef double* left = scratch
    cdef double* missing = scratch + n_channels
    cdef double terms[4]
    missing_hessian = start_label_sweep(left, missing, n_channels, n_outputs, labels, hessians,
                                        sort_rows, n_non_missing, n_rows)

    if n_non_missing == 0 or (n_missing == 0 and
                              sort_values[n_non_missing - 1] <= sort_values[0] + FEATURE_THRESHOLD):
        return False

    for i in range(n_non_missing - 1):
        row = sort_rows[i]
        weight = hessians[row]
        for o in range(n_outputs):
            left[labels[row * n_outputs + o]] += weight
        left_hessian += weight
        if sort_values[i + 1] <= sort_values[i] + FEATURE_THRESHOLD:
            continue
        labelled_terms(left, missing, node, n_channels, n_missing > 0, criterion, terms)
        consider_labelled_boundary(best, feature, threshold_between(sort_values, i, bin_values),
                                   0, left_hessian, i + 1, terms[0], terms[1], missing_hessian,
                                   n_missing, terms[2], terms[3], context)

    if n_missing > 0:
        # Every non-missing value left, every missing one right.
        row = sort_rows[n_non_missing - 1]
        for o in range(n_outputs):
            left[labels[row * n_outputs + o]] += hessians[row]
        left_hessian += hessians[row]
        labelled_terms(left, missing, node, n_channels, True, criterion, terms)
        consider_labelled_boundary(best, feature, INFINITY, 0, left_hessian, n_non_missing,
                                   terms[0], terms[1], missing_hessian, n_missing, terms[2],
                                   terms[3], context)
    return True


def best_split_sorted_for_tests(const X_DTYPE_C[::1] values, const double[:, ::1] gradients,
                                const double[::1] hessians, int criterion,
                                double l2_regularization=0.0, intp_t min_samples_leaf=1,
                                double min_weight_leaf=0.0, bint bin_values=False,
                                const intp_t[:, ::1] labels=None):
    """Best split of one feature over all rows (NaN missing), as a dict, and whether the feature
    varies (test entry point). With ``bin_values`` the values are bin indices (0..254, 255
    missing) sorted by the counting sort, and the threshold returned is the left bin. With
    ``labels`` (the channel of each row's class per output; ``gradients`` then only give the
    node's sums) the label sweep searches."""
    cdef intp_t n_rows = values.shape[0], n_channels = gradients.shape[1], n_non_missing, i
    cdef SplitContext context
    cdef SplitRecord best
    node_sums_array = np.ascontiguousarray(np.asarray(gradients).sum(axis=0))
    cdef const double[::1] node_sums = node_sums_array
    rows = np.arange(n_rows, dtype=np.intp)
    cdef const intp_t[::1] rows_view = rows
    sort_values = np.empty(n_rows, dtype=np.float32)
    sort_rows = np.empty(n_rows, dtype=np.intp)
    scratch = np.zeros(4 * n_channels)
    cdef float[::1] sort_values_view = sort_values
    cdef intp_t[::1] sort_rows_view = sort_rows
    cdef double[::1] scratch_view = scratch
    cdef const BIN_DTYPE_C[::1] bins
    cdef uint32_t[::1] scratch_keys = np.empty(max(n_rows, 1), dtype=np.uint32)
    cdef intp_t[::1] scratch_rows = np.empty(max(n_rows, 1), dtype=np.intp)
    if criterion == ABSOLUTE_ERROR:
        raise ValueError("absolute error is not scored from sums (see _absolute_error)")
    init_context(&context, &node_sums[0], np.asarray(hessians).sum(), n_rows, n_channels,
                 1 if labels is None else labels.shape[1],
                 NULL if labels is None else &labels[0, 0],
                 criterion, l2_regularization, min_samples_leaf, min_weight_leaf)
    best.found = False
    best.gain = -INFINITY
    if bin_values:
        bins = np.asarray(values).astype(np.uint8)
        n_non_missing = gather_bins(&bins[0], 1, &rows_view[0], n_rows, &sort_values_view[0],
                                    &sort_rows_view[0])
    else:
        n_non_missing = gather_values(&values[0], 1, &rows_view[0], n_rows,
                                      &sort_values_view[0], &sort_rows_view[0])
        sort_values_with_rows(&sort_values_view[0], &sort_rows_view[0], n_non_missing,
                              &scratch_keys[0], &scratch_rows[0])
    varies = best_split_sorted(0, n_rows, n_non_missing, &gradients[0, 0], &hessians[0], &context,
                               &best, &sort_values_view[0], &sort_rows_view[0], &scratch_view[0],
                               bin_values)
    return split_record_as_dict(&best), bool(varies)
