"""Split search, row partition and histograms on sparse data: only stored values are read.

The data are CSC columns of stored non-zero values (``GrowData.csc_*``, explicit zeros removed
by the caller); every other value is 0. A node's stored entries of one feature are found either
by scanning the column and keeping the rows whose position in ``samples`` (``row_positions``)
lies in the node, or, when the node has few rows against the column's entries, by binary
search of the node's rows (sorted once per node) in the column: scikit-learn's sparse splitter
chooses the same way. The exact splitter sorts only the stored values and sweeps them with the
block of zeros placed between the negative and positive values; the zeros' sums are the
node's sums minus the stored entries', so a node costs its stored entries, not its rows.

The hist splitter builds histograms from the rows' stored bins (CSR) and adds each feature's
zeros to the bin of 0 as the node's totals minus the stored entries' sums; small nodes sweep
the stored bins as the exact splitter sweeps values. Candidate thresholds, their order and the
missing-value rule are those of the dense kernels, so a tree grown on sparse data is the one
grown on the same data dense.
"""

from libc.math cimport INFINITY, log2
from libc.stdint cimport int32_t
from libc.stdlib cimport qsort
from libc.string cimport memcpy, memset

import numpy as np

from ._sort cimport sort_values_with_rows
from ._split cimport consider_boundary
from ._types cimport (HIST, RANDOM, MISSING_BIN, N_BINS, BIN_DTYPE_C, X_DTYPE_C, GrowData,
                      SplitContext, SplitRecord, intp_t)

# Binary search instead of a column scan when rows * log2(entries) < EXTRACT_SWITCH * entries
# (scikit-learn's EXTRACT_NNZ_SWITCH).
cdef double EXTRACT_SWITCH = 0.1

# Values closer than this are one value (as in the exact splitter).
cdef double FEATURE_THRESHOLD = 1e-7


cdef int compare_rows(const void* a, const void* b) noexcept nogil:
    cdef intp_t x = (<const intp_t*>a)[0], y = (<const intp_t*>b)[0]
    return (x > y) - (x < y)


cdef inline void sort_node_rows(Workspace* ws, intp_t start, intp_t end) noexcept nogil:
    """``sorted_rows[start:end]``: the node's rows ascending (positions are the node's own, so
    nodes waiting to be split keep theirs)."""
    memcpy(ws.sorted_rows + start, ws.samples + start, (end - start) * sizeof(intp_t))
    qsort(ws.sorted_rows + start, end - start, sizeof(intp_t), compare_rows)


cdef inline bint binary_search_pays(intp_t n_rows, intp_t n_entries,
                                    bint rows_sorted) noexcept nogil:
    # scikit-learn's rule: sorting (when needed) and a search per row against one column scan.
    cdef double cost
    if n_entries == 0:
        return False
    cost = n_rows * log2(<double>max(n_entries, 2))
    if not rows_sorted:
        cost += n_rows * log2(<double>max(n_rows, 2))
    return cost < EXTRACT_SWITCH * n_entries


cdef void prepare_sparse_node(Workspace* ws, intp_t start, intp_t end) noexcept nogil:
    """Before a node's features are searched (in parallel): sort its rows once when binary
    search pays for the densest column."""
    cdef const GrowData* data = ws.data
    cdef intp_t f, densest = 0
    for f in range(data.n_features):
        densest = max(densest, data.csc_indptr[f + 1] - data.csc_indptr[f])
    ws.node_rows_sorted = binary_search_pays(end - start, densest, False)
    if ws.node_rows_sorted:
        sort_node_rows(ws, start, end)


cdef intp_t extract_stored(const Workspace* ws, intp_t feature, intp_t start, intp_t end,
                           bint rows_sorted, intp_t* out_rows,
                           intp_t* out_entries) noexcept nogil:
    """Write the node's stored entries of ``feature`` (row, index into the column arrays);
    return their number. ``rows_sorted``: ``sorted_rows[start:end]`` is ready."""
    cdef const GrowData* data = ws.data
    cdef intp_t low = data.csc_indptr[feature], high = data.csc_indptr[feature + 1]
    cdef intp_t i, j, row, position, a, b, middle, n_found = 0
    if rows_sorted and binary_search_pays(end - start, high - low, True):
        for i in range(start, end):
            row = ws.sorted_rows[i]
            # Rows ascend, so each search starts where the previous one ended.
            a = low
            b = high
            while a < b:
                middle = (a + b) // 2
                if data.csc_rows[middle] < row:
                    a = middle + 1
                else:
                    b = middle
            low = a
            if low == high:
                break
            if data.csc_rows[low] == row:
                out_rows[n_found] = row
                out_entries[n_found] = low
                n_found += 1
                low += 1
        return n_found
    for j in range(low, high):
        row = data.csc_rows[j]
        position = ws.row_positions[row]
        if start <= position < end:
            out_rows[n_found] = row
            out_entries[n_found] = j
            n_found += 1
    return n_found


cdef inline void add_row(double* sums, double* hessian_sum, const double* gradients,
                         const double* hessians, intp_t row, intp_t n_channels) noexcept nogil:
    cdef intp_t k
    for k in range(n_channels):
        sums[k] += gradients[row * n_channels + k]
    hessian_sum[0] += hessians[row]


cdef inline double midpoint(float low, float high) noexcept nogil:
    # As the exact splitter: halves first; rounding onto ``high`` falls back to ``low``.
    cdef double threshold = low / 2.0 + high / 2.0
    if threshold == high or threshold == INFINITY or threshold == -INFINITY:
        threshold = low
    return threshold


cdef void zero_block_sums(const Workspace* ws, const SplitContext* context,
                          const intp_t* rows, intp_t n_stored, double* zero_sums,
                          double* zero_hessian) noexcept nogil:
    """Sums of the node's rows without a stored entry: the node's minus the stored rows'."""
    cdef intp_t i, k, n_channels = context.n_channels
    zero_hessian[0] = 0.0
    for k in range(n_channels):
        zero_sums[k] = 0.0
    for i in range(n_stored):
        add_row(zero_sums, zero_hessian, ws.gradients, ws.hessians, rows[i], n_channels)
    for k in range(n_channels):
        zero_sums[k] = context.node_sums[k] - zero_sums[k]
    zero_hessian[0] = context.node_hessian - zero_hessian[0]


cdef bint sweep_with_zeros(const Workspace* ws, intp_t feature, intp_t n_rows, intp_t n_stored,
                           float zero_value, const float* values, const intp_t* rows,
                           const SplitContext* context, SplitRecord* best, double* scratch,
                           bint bin_values) noexcept nogil:
    """The exact splitter's sweep over the sorted sequence (stored values <= zero_value, the
    block of ``n_rows - n_stored`` zeros, the stored values above): every boundary between
    distinct values is a candidate, in ascending order. There are no missing values.
    ``scratch`` holds 4 * n_channels doubles; returns False if the feature is constant."""
    cdef intp_t n_channels = context.n_channels, n_zeros = n_rows - n_stored
    cdef intp_t i, k, n_below = 0, left_count = 0
    cdef double* left_sums = scratch
    cdef double* zero_sums = scratch + n_channels
    cdef double* boundary_scratch = scratch + 2 * n_channels
    cdef double left_hessian = 0.0, zero_hessian = 0.0
    cdef float low, high, previous = 0.0, value
    cdef bint has_previous = False
    # Constant feature: the whole sequence within FEATURE_THRESHOLD.
    low = values[0] if n_stored > 0 else zero_value
    high = values[n_stored - 1] if n_stored > 0 else zero_value
    if n_zeros > 0:
        low = min(low, zero_value)
        high = max(high, zero_value)
    if high <= low + FEATURE_THRESHOLD:
        return False
    zero_block_sums(ws, context, rows, n_stored, zero_sums, &zero_hessian)
    for k in range(n_channels):
        left_sums[k] = 0.0
    while n_below < n_stored and values[n_below] <= zero_value:
        n_below += 1
    for i in range(n_stored + (1 if n_zeros > 0 else 0)):
        # Position i of the sequence: stored values below the zeros, the zeros, the rest.
        if n_zeros > 0 and i == n_below:
            value = zero_value
        else:
            value = values[i if (n_zeros == 0 or i < n_below) else i - 1]
        if has_previous and value > previous + FEATURE_THRESHOLD:
            consider_boundary(best, feature,
                              previous if bin_values else midpoint(previous, value), 0,
                              left_sums, left_hessian, left_count, zero_sums, 0.0, 0, context,
                              boundary_scratch)
        if n_zeros > 0 and i == n_below:
            for k in range(n_channels):
                left_sums[k] += zero_sums[k]
            left_hessian += zero_hessian
            left_count += n_zeros
        else:
            add_row(left_sums, &left_hessian, ws.gradients, ws.hessians,
                    rows[i if (n_zeros == 0 or i < n_below) else i - 1], n_channels)
            left_count += 1
        previous = value
        has_previous = True
    return True


cdef bint sparse_random_split(const Workspace* ws, intp_t feature, intp_t n_rows,
                              intp_t n_stored, const float* values, const intp_t* rows,
                              const SplitContext* context, double uniform, SplitRecord* best,
                              double* scratch) noexcept nogil:
    """The random splitter on the stored values and the node's zeros (``random_split``'s
    threshold rule)."""
    cdef intp_t n_channels = context.n_channels, n_zeros = n_rows - n_stored
    cdef intp_t i, k, n_left = 0
    cdef double low = INFINITY, high = -INFINITY, threshold
    cdef double left_hessian = 0.0, zero_hessian = 0.0
    cdef double* left_sums = scratch
    cdef double* zero_sums = scratch + n_channels
    for i in range(n_stored):
        low = min(low, <double>values[i])
        high = max(high, <double>values[i])
    if n_zeros > 0:
        low = min(low, 0.0)
        high = max(high, 0.0)
    if high <= low + FEATURE_THRESHOLD:
        return False
    threshold = low + (high - low) * uniform
    if threshold >= high:
        threshold = low
    zero_block_sums(ws, context, rows, n_stored, zero_sums, &zero_hessian)
    for k in range(n_channels):
        left_sums[k] = 0.0
    for i in range(n_stored):
        if values[i] <= threshold:
            add_row(left_sums, &left_hessian, ws.gradients, ws.hessians, rows[i], n_channels)
            n_left += 1
    if n_zeros > 0 and 0.0 <= threshold:
        for k in range(n_channels):
            left_sums[k] += zero_sums[k]
        left_hessian += zero_hessian
        n_left += n_zeros
    consider_boundary(best, feature, threshold, 0, left_sums, left_hessian, n_left, zero_sums,
                      0.0, 0, context, scratch + 2 * n_channels)
    return True


cdef bint sparse_feature_split(Workspace* ws, intp_t feature, int thread,
                               const SplitContext* context, intp_t start, intp_t end,
                               SplitRecord* record) noexcept nogil:
    """Improve ``record`` with the best split of ``feature`` in the node ``samples[start:end]``
    without a histogram; return False if the feature is constant there."""
    cdef const GrowData* data = ws.data
    cdef float* values = ws.sort_values + thread * ws.n_rows
    cdef intp_t* rows = ws.sort_rows + thread * ws.n_rows
    cdef intp_t* entries = ws.scratch_rows + thread * ws.n_rows
    cdef double* scratch = ws.scratch + thread * ws.scratch_stride
    cdef intp_t i, n_stored, bin_threshold
    cdef bint varies, hist = ws.params.splitter == HIST
    n_stored = extract_stored(ws, feature, start, end, ws.node_rows_sorted, rows, entries)
    for i in range(n_stored):
        values[i] = data.csc_bins[entries[i]] if hist else data.csc_values[entries[i]]
    if ws.params.splitter == RANDOM:
        return sparse_random_split(ws, feature, end - start, n_stored, values, rows, context,
                                   ws.feature_uniforms[feature], record, scratch)
    # ``entries`` is the radix sort's scratch from here on.
    sort_values_with_rows(values, rows, n_stored, ws.scratch_keys + thread * ws.n_rows, entries)
    varies = sweep_with_zeros(ws, feature, end - start, n_stored,
                              data.zero_bins[feature] if hist else 0.0, values, rows, context,
                              record, scratch, hist)
    if hist and record.found:
        # The sweep recorded the left bin; the threshold is that bin's upper edge.
        bin_threshold = <intp_t>record.threshold
        record.bin_threshold = <unsigned char>bin_threshold
        record.threshold = data.bin_thresholds[feature * MISSING_BIN + bin_threshold]
    return varies


cdef intp_t sparse_partition_rows(Workspace* ws, intp_t start, intp_t end,
                                  const SplitRecord* split) noexcept nogil:
    """Reorder ``samples[start:end]`` so the left child's rows come first (the dense
    partition's order); return the middle. Rows without a stored entry go where 0 goes, the
    others are marked when they go the other way; positions are updated for the children."""
    cdef const GrowData* data = ws.data
    cdef intp_t feature = split.feature, i, n_stored, row, low = start, high = end - 1
    cdef bint hist = ws.params.splitter == HIST, zero_left, left
    cdef bint rows_sorted = binary_search_pays(
        end - start, data.csc_indptr[feature + 1] - data.csc_indptr[feature], False)
    if hist:
        zero_left = data.zero_bins[feature] <= split.bin_threshold
    else:
        zero_left = 0.0 <= split.threshold
    if rows_sorted:
        sort_node_rows(ws, start, end)
    n_stored = extract_stored(ws, feature, start, end, rows_sorted, ws.sort_rows,
                              ws.scratch_rows)
    for i in range(n_stored):
        if hist:
            left = data.csc_bins[ws.scratch_rows[i]] <= split.bin_threshold
        else:
            left = data.csc_values[ws.scratch_rows[i]] <= split.threshold
        if left != zero_left:
            ws.row_marks[ws.sort_rows[i]] = 1
    while low <= high:
        if zero_left != ws.row_marks[ws.samples[low]]:
            low += 1
        else:
            ws.samples[low], ws.samples[high] = ws.samples[high], ws.samples[low]
            high -= 1
    for i in range(start, end):
        row = ws.samples[i]
        ws.row_marks[row] = 0
        ws.row_positions[row] = i
    return low


cdef void build_sparse_histogram(Workspace* ws, intp_t start, intp_t end,
                                 double* histogram) noexcept nogil:
    """The node's histogram from its rows' stored bins (CSR); each feature's bin of 0 gets
    the node's totals minus the feature's stored entries. Same layout as the dense one."""
    cdef const GrowData* data = ws.data
    cdef intp_t n_channels = data.n_channels, stride = n_channels + 2
    cdef intp_t i, j, k, b, f, row
    cdef const double* gradient
    cdef double hessian
    cdef double* node_totals = ws.scratch          # [n_channels + 2]
    cdef double* stored = ws.scratch + stride      # [n_channels + 2]; scratch has 4K + 8
    cdef double* entry
    cdef double* feature_histogram
    memset(histogram, 0, ws.histogram_size * sizeof(double))
    for k in range(stride):
        node_totals[k] = 0.0
    for i in range(start, end):
        row = ws.samples[i]
        gradient = ws.gradients + row * n_channels
        hessian = ws.hessians[row]
        for k in range(n_channels):
            node_totals[k] += gradient[k]
        node_totals[n_channels] += hessian
        for j in range(data.csr_indptr[row], data.csr_indptr[row + 1]):
            entry = histogram + (data.csr_features[j] * N_BINS + data.csr_bins[j]) * stride
            for k in range(n_channels):
                entry[k] += gradient[k]
            entry[n_channels] += hessian
            entry[n_channels + 1] += 1.0
    node_totals[n_channels + 1] = end - start
    for f in range(data.n_features):
        feature_histogram = histogram + f * N_BINS * stride
        for k in range(stride):
            stored[k] = 0.0
        for b in range(N_BINS):
            for k in range(stride):
                stored[k] += feature_histogram[b * stride + k]
        if stored[n_channels + 1] < node_totals[n_channels + 1]:
            entry = feature_histogram + data.zero_bins[f] * stride
            for k in range(stride):
                entry[k] += node_totals[k] - stored[k]


def bin_stored_values(const intp_t[::1] indptr, const X_DTYPE_C[::1] values,
                      const double[:, ::1] upper_edges, const intp_t[::1] n_bins_non_missing,
                      BIN_DTYPE_C[::1] bins):
    """``bins[j]``: the bin of the stored value ``values[j]`` of its CSC column, the rule of
    ``_binning.map_rows_to_bins`` (the number of the column's edges below the value).

    Parameters
    ----------
    indptr : ndarray of shape (n_features + 1,), intp
    values : ndarray of shape (n_stored,), float32, without NaN
    upper_edges : ndarray of shape (n_features, MISSING_BIN), float64
    n_bins_non_missing : ndarray of shape (n_features,), intp
    bins : ndarray of shape (n_stored,), uint8, written
    """
    cdef intp_t f, j, a, b, middle
    cdef double value
    with nogil:
        for f in range(indptr.shape[0] - 1):
            for j in range(indptr[f], indptr[f + 1]):
                value = values[j]
                a = 0
                b = n_bins_non_missing[f] - 1
                while a < b:
                    middle = (a + b) // 2
                    if upper_edges[f, middle] < value:
                        a = middle + 1
                    else:
                        b = middle
                bins[j] = <BIN_DTYPE_C>a
