"""The absolute-error criterion: weighted medians and absolute errors of every prefix and suffix
of a node's rows in O(n log n), as scikit-learn's MAE (>= 1.8) computes them.

Each node ranks its targets once per output (``prepare_node``, called when the node is made:
its sorted targets live in the node's slot of a workspace array, ranks are indexed by row, so
siblings do not overwrite each other). A sweep over one feature's sorted rows activates rows at
their ranks in a Fenwick tree of weights and weighted targets; the weighted median is where the
cumulative weight crosses half the total (midpoint when it lands exactly between two ranks), and
the absolute error follows from the prefix sums:
    sum_{y >= m} w (y - m) + sum_{y < m} w (m - y) = (wy_right - m w_right) + (m w_left - wy_left).
A forward and a backward pass give every split's two children; a split's raw gain is the node's
absolute error minus its children's (summed over outputs). Missing values are not supported (the
estimators refuse them, as scikit-learn).
"""

from libc.math cimport INFINITY
from libc.stdlib cimport qsort
from libc.string cimport memset

from ._split cimport FEATURE_THRESHOLD, children_allowed, record_split
from ._types cimport ABSOLUTE_ERROR


cdef int compare_targets(const void* a, const void* b) noexcept nogil:
    cdef double ya = (<const YRow*>a).y, yb = (<const YRow*>b).y
    if ya < yb:
        return -1
    if ya > yb:
        return 1
    # Equal targets: by row, so that ranks do not depend on the sort's order.
    return ((<const YRow*>a).row > (<const YRow*>b).row) - ((<const YRow*>a).row < (<const YRow*>b).row)


cdef inline intp_t highest_power_of_two(intp_t size) noexcept nogil:
    cdef intp_t p = 1
    while p <= size:
        p <<= 1
    return p >> 1


cdef inline void fenwick_add(double* tree_w, double* tree_wy, intp_t size, intp_t index,
                             double y, double weight) noexcept nogil:
    cdef intp_t i = index + 1
    cdef double weighted_y = weight * y
    while i <= size:
        tree_w[i] += weight
        tree_wy[i] += weighted_y
        i += i & -i


cdef intp_t fenwick_search(const double* tree_w, const double* tree_wy, intp_t size,
                           intp_t max_pow2, double target, double* cumulative_w,
                           double* cumulative_wy, intp_t* previous) noexcept nogil:
    """The smallest rank whose cumulative weight exceeds ``target``, with the prefix sums
    before it; when the cumulative weight reaches ``target`` exactly at an activated rank,
    ``previous`` is that rank and the returned one the next activated rank (scikit-learn's
    WeightedFenwickTree.search, step for step)."""
    cdef intp_t current = 0, next_index, previous_index, equal_bit = 0, bit = max_pow2
    cdef double weight_sum = 0.0, weighted_y_sum = 0.0, node_weight, equal_target = 0.0
    while bit != 0:
        next_index = current + bit
        if next_index <= size:
            node_weight = tree_w[next_index]
            if target == node_weight:
                equal_target = target
                equal_bit = bit
                break
            elif target > node_weight:
                target -= node_weight
                current = next_index
                weight_sum += node_weight
                weighted_y_sum += tree_wy[next_index]
        bit >>= 1
    if bit == 0:
        cumulative_w[0] = weight_sum
        cumulative_wy[0] = weighted_y_sum
        previous[0] = current
        return current
    previous_index = current
    while bit != 0:
        next_index = previous_index + bit
        if next_index <= size:
            node_weight = tree_w[next_index]
            if target > node_weight:
                target -= node_weight
                previous_index = next_index
        bit >>= 1
    bit = equal_bit
    target = equal_target
    while bit != 0:
        next_index = current + bit
        if next_index <= size:
            node_weight = tree_w[next_index]
            if target >= node_weight:
                target -= node_weight
                current = next_index
                weight_sum += node_weight
                weighted_y_sum += tree_wy[next_index]
        bit >>= 1
    cumulative_w[0] = weight_sum
    cumulative_wy[0] = weighted_y_sum
    previous[0] = previous_index
    return current


cdef inline double median_and_error(const double* tree_w, const double* tree_wy, intp_t size,
                                    intp_t max_pow2, double total_w, double total_wy,
                                    const double* sorted_y, double* median) noexcept nogil:
    """Weighted median and absolute error of the activated rows."""
    cdef double w_left, wy_left, m
    cdef intp_t previous, rank
    rank = fenwick_search(tree_w, tree_wy, size, max_pow2, 0.5 * total_w, &w_left, &wy_left,
                          &previous)
    if rank != previous:
        m = (sorted_y[previous] + sorted_y[rank]) / 2
    else:
        m = sorted_y[rank]
    median[0] = m
    return ((total_wy - wy_left) - m * (total_w - w_left)) + (m * w_left - wy_left)


cdef void error_pass(const intp_t* sort_rows, intp_t n_rows, bint forward, const double* targets,
                     const double* weights, intp_t n_outputs, intp_t output, const intp_t* ranks,
                     const double* sorted_y, double* tree_w, double* tree_wy,
                     double* errors) noexcept nogil:
    """Add to ``errors[p]`` the absolute error of output ``output`` over the rows
    ``sort_rows[:p + 1]`` (forward) or ``sort_rows[p:]`` (backward)."""
    cdef intp_t step, p, row, max_pow2 = highest_power_of_two(n_rows)
    cdef double total_w = 0.0, total_wy = 0.0, y, w, median
    memset(tree_w, 0, (n_rows + 1) * sizeof(double))
    memset(tree_wy, 0, (n_rows + 1) * sizeof(double))
    p = 0 if forward else n_rows - 1
    step = 1 if forward else -1
    for _ in range(n_rows):
        row = sort_rows[p]
        y = targets[row * n_outputs + output]
        w = weights[row]
        fenwick_add(tree_w, tree_wy, n_rows, ranks[row * n_outputs + output], y, w)
        total_w += w
        total_wy += w * y
        errors[p] += median_and_error(tree_w, tree_wy, n_rows, max_pow2, total_w, total_wy,
                                      sorted_y, &median)
        p += step


cdef double prepare_node(const double* targets, const double* weights, const intp_t* rows,
                         intp_t n_rows, intp_t n_outputs, intp_t* ranks, double* sorted_y,
                         intp_t sorted_stride, YRow* buffer, double* fenwick,
                         double* medians) noexcept nogil:
    """Rank the node's targets (``ranks[row, o]``; ``sorted_y[o * sorted_stride + r]``) and
    return its absolute error summed over outputs, with each output's median in ``medians``.
    ``fenwick`` holds 2 * (n_rows + 1) doubles."""
    cdef intp_t o, i, row, max_pow2 = highest_power_of_two(n_rows)
    cdef double total_w, total_wy, error = 0.0
    cdef double* tree_w = fenwick
    cdef double* tree_wy = fenwick + n_rows + 1
    if n_rows == 0:
        return 0.0
    for o in range(n_outputs):
        for i in range(n_rows):
            buffer[i].y = targets[rows[i] * n_outputs + o]
            buffer[i].row = rows[i]
        qsort(buffer, n_rows, sizeof(YRow), compare_targets)
        memset(tree_w, 0, (n_rows + 1) * sizeof(double))
        memset(tree_wy, 0, (n_rows + 1) * sizeof(double))
        total_w = total_wy = 0.0
        for i in range(n_rows):
            row = buffer[i].row
            sorted_y[o * sorted_stride + i] = buffer[i].y
            ranks[row * n_outputs + o] = i
        # Activated in the rows' order, as scikit-learn's backward pass over the node does.
        for i in range(n_rows - 1, -1, -1):
            row = rows[i]
            fenwick_add(tree_w, tree_wy, n_rows, ranks[row * n_outputs + o],
                        targets[row * n_outputs + o], weights[row])
            total_w += weights[row]
            total_wy += weights[row] * targets[row * n_outputs + o]
        error += median_and_error(tree_w, tree_wy, n_rows, max_pow2, total_w, total_wy,
                                  sorted_y + o * sorted_stride, &medians[o])
    return error


cdef bint best_split_sorted_absolute_error(intp_t feature, intp_t n_rows,
                                           const float* sort_values, const intp_t* sort_rows,
                                           const double* targets, const double* weights,
                                           const SplitContext* context, SplitRecord* best,
                                           double* scratch, bint bin_values) noexcept nogil:
    """Improve ``best`` with the best split of ``feature`` by absolute error (no missing
    values); ``scratch`` holds 4 * (n_rows + 1) doubles."""
    cdef intp_t i, o, n_outputs = context.n_outputs
    cdef double left_hessian = 0.0, gain, threshold
    cdef double* left_errors = scratch
    cdef double* right_errors = scratch + n_rows
    cdef double* tree_w = scratch + 2 * n_rows
    cdef double* tree_wy = scratch + 3 * n_rows + 1
    if n_rows == 0 or sort_values[n_rows - 1] <= sort_values[0] + FEATURE_THRESHOLD:
        return False
    memset(scratch, 0, 2 * n_rows * sizeof(double))
    for o in range(n_outputs):
        error_pass(sort_rows, n_rows, True, targets, weights, n_outputs, o, context.ranks,
                   context.sorted_y + o * context.sorted_stride, tree_w, tree_wy, left_errors)
        error_pass(sort_rows, n_rows, False, targets, weights, n_outputs, o, context.ranks,
                   context.sorted_y + o * context.sorted_stride, tree_w, tree_wy, right_errors)
    for i in range(n_rows - 1):
        left_hessian += weights[sort_rows[i]]
        if sort_values[i + 1] <= sort_values[i] + FEATURE_THRESHOLD:
            continue
        if not children_allowed(left_hessian, i + 1, context):
            continue
        gain = context.node_score - left_errors[i] - right_errors[i + 1]
        if gain > best.gain:
            if bin_values:
                threshold = sort_values[i]
            else:
                threshold = sort_values[i] / 2.0 + sort_values[i + 1] / 2.0
                if threshold == sort_values[i + 1] or threshold == INFINITY or threshold == -INFINITY:
                    threshold = sort_values[i]
            record_split(best, feature, gain, threshold, 0, i + 1,
                         2 * (i + 1) > context.node_count)
    return True


cdef double side_error(const intp_t* rows, intp_t n_rows, const X_DTYPE_C* column, intp_t stride,
                       double threshold, bint left, const double* targets, const double* weights,
                       const SplitContext* context, double* scratch) noexcept nogil:
    """Absolute error (summed over outputs) of the node's rows on one side of ``threshold``."""
    cdef intp_t i, o, row, n_outputs = context.n_outputs, size = context.node_count
    cdef intp_t max_pow2 = highest_power_of_two(size)
    cdef double total_w, total_wy, error = 0.0, median, y
    cdef double* tree_w = scratch
    cdef double* tree_wy = scratch + size + 1
    for o in range(n_outputs):
        memset(scratch, 0, 2 * (size + 1) * sizeof(double))
        total_w = total_wy = 0.0
        for i in range(n_rows):
            row = rows[i]
            if (column[row * stride] <= threshold) != left:
                continue
            y = targets[row * n_outputs + o]
            fenwick_add(tree_w, tree_wy, size, context.ranks[row * n_outputs + o], y,
                        weights[row])
            total_w += weights[row]
            total_wy += weights[row] * y
        if total_w > 0.0:
            error += median_and_error(tree_w, tree_wy, size, max_pow2, total_w, total_wy,
                                      context.sorted_y + o * context.sorted_stride, &median)
    return error


cdef bint random_split_absolute_error(intp_t feature, const X_DTYPE_C* column, intp_t stride,
                                      const intp_t* rows, intp_t n_rows,
                                      const double* targets, const double* weights,
                                      const SplitContext* context, double uniform,
                                      SplitRecord* best, double* scratch) noexcept nogil:
    """The random splitter's split of ``feature`` by absolute error (no missing values):
    the threshold drawn uniformly between the node's extremes; ``scratch`` holds
    2 * (n_rows + 1) doubles."""
    cdef intp_t i, n_left = 0
    cdef double low = INFINITY, high = -INFINITY, threshold, value, left_hessian = 0.0, gain
    for i in range(n_rows):
        value = column[rows[i] * stride]
        low = min(low, value)
        high = max(high, value)
    if high <= low + FEATURE_THRESHOLD:
        return False
    threshold = low + (high - low) * uniform
    if threshold >= high:
        threshold = low
    for i in range(n_rows):
        if column[rows[i] * stride] <= threshold:
            n_left += 1
            left_hessian += weights[rows[i]]
    if 0 < n_left < n_rows and children_allowed(left_hessian, n_left, context):
        gain = (context.node_score
                - side_error(rows, n_rows, column, stride, threshold, True, targets, weights,
                             context, scratch)
                - side_error(rows, n_rows, column, stride, threshold, False, targets, weights,
                             context, scratch))
        if gain > best.gain:
            record_split(best, feature, gain, threshold, 0, n_left, 2 * n_left > n_rows)
    return True


def node_error_for_tests(const double[:, ::1] targets, const double[::1] weights):
    """Medians (per output) and absolute error (summed over outputs) of all rows, by
    ``prepare_node`` (test entry point)."""
    import numpy as np

    cdef intp_t n_rows = targets.shape[0], n_outputs = targets.shape[1]
    rows = np.arange(n_rows, dtype=np.intp)
    ranks = np.empty(n_rows * n_outputs, dtype=np.intp)
    sorted_y = np.empty(n_rows * n_outputs)
    buffer = np.empty(n_rows * sizeof(YRow), dtype=np.uint8)
    fenwick = np.empty(2 * (n_rows + 1))
    medians = np.empty(n_outputs)
    cdef const intp_t[::1] rows_view = rows
    cdef intp_t[::1] ranks_view = ranks
    cdef double[::1] sorted_view = sorted_y, fenwick_view = fenwick, medians_view = medians
    cdef unsigned char[::1] buffer_view = buffer
    error = prepare_node(&targets[0, 0], &weights[0], &rows_view[0], n_rows, n_outputs,
                         &ranks_view[0], &sorted_view[0], n_rows, <YRow*>&buffer_view[0],
                         &fenwick_view[0], &medians_view[0])
    return medians, error


def best_split_for_tests(const float[::1] values, const double[:, ::1] targets,
                         const double[::1] weights, intp_t min_samples_leaf=1):
    """Best absolute-error split of one feature (no missing values) over all rows: (gain,
    threshold, n_left) or None (test entry point)."""
    import numpy as np

    cdef intp_t n_rows = targets.shape[0], n_outputs = targets.shape[1]
    cdef SplitContext context
    cdef SplitRecord best
    medians, error = node_error_for_tests(targets, weights)
    rows = np.arange(n_rows, dtype=np.intp)
    ranks = np.empty(n_rows * n_outputs, dtype=np.intp)
    sorted_y = np.empty(n_rows * n_outputs)
    buffer = np.empty(n_rows * sizeof(YRow), dtype=np.uint8)
    fenwick = np.empty(2 * (n_rows + 1))
    cdef const intp_t[::1] rows_view = rows
    cdef intp_t[::1] ranks_view = ranks
    cdef double[::1] sorted_view = sorted_y, fenwick_view = fenwick, medians_view = medians
    cdef unsigned char[::1] buffer_view = buffer
    prepare_node(&targets[0, 0], &weights[0], &rows_view[0], n_rows, n_outputs, &ranks_view[0],
                 &sorted_view[0], n_rows, <YRow*>&buffer_view[0], &fenwick_view[0],
                 &medians_view[0])
    order = np.argsort(np.asarray(values), kind="stable")
    sort_values = np.ascontiguousarray(np.asarray(values)[order], dtype=np.float32)
    sort_rows = np.ascontiguousarray(order, dtype=np.intp)
    scratch = np.zeros(4 * (n_rows + 1))
    cdef const float[::1] sort_values_view = sort_values
    cdef const intp_t[::1] sort_rows_view = sort_rows
    cdef double[::1] scratch_view = scratch
    context.n_channels = n_outputs
    context.n_outputs = n_outputs
    context.labels = NULL
    context.criterion = ABSOLUTE_ERROR
    context.min_samples_leaf = min_samples_leaf
    context.min_weight_leaf = 0.0
    context.node_hessian = float(np.sum(weights))
    context.node_count = n_rows
    context.node_score = error
    context.ranks = &ranks_view[0]
    context.sorted_y = &sorted_view[0]
    context.sorted_stride = n_rows
    best.found = False
    best.gain = -INFINITY
    best_split_sorted_absolute_error(0, n_rows, &sort_values_view[0], &sort_rows_view[0],
                                     &targets[0, 0], &weights[0], &context, &best,
                                     &scratch_view[0], False)
    if not best.found:
        return None
    return best.gain, best.threshold, best.n_left
