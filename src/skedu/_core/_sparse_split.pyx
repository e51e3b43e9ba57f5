"""Split search, row partition and histograms on sparse data: only stored values are read.

The data are CSR rows of stored non-zero values (``GrowData.csr_*``, explicit zeros removed and
features ascending by the caller); every other value is 0. Before a node's features are
searched without a histogram, one pass over its rows' stored entries groups them by feature
(a counting sort, in the node's row order): the node's own CSC columns, at a cost of its stored
entries plus one counter per feature, where reading the data's columns would cost each
column's entries (a scan) or a search per row and feature. The exact splitter then sorts only
a feature's stored values and sweeps them with the block of zeros placed between the negative
and positive values, as scikit-learn's sparse splitter does; the zeros' sums are the node's
sums minus the stored entries', so a feature costs its stored entries in the node, not the
node's rows.

The hist splitter builds histograms from the rows' stored bins and adds each feature's zeros
to the bin of 0 as the node's totals minus the stored entries' sums; small nodes sweep the
stored bins as the exact splitter sweeps values. Candidate thresholds, their order and the
missing-value rule are those of the dense kernels, so a tree grown on sparse data is the one
grown on the same data dense.
"""

from libc.math cimport INFINITY
from libc.stdint cimport int32_t
from libc.string cimport memset

from ._sort cimport sort_values_with_rows
from ._split cimport FEATURE_THRESHOLD, add_row, consider_boundary, midpoint
from ._types cimport (HIST, RANDOM, MISSING_BIN, N_BINS, BIN_DTYPE_C, X_DTYPE_C, GrowData,
                      SplitContext, SplitRecord, intp_t)


cdef void prepare_sparse_node(Workspace* ws, intp_t start, intp_t end) noexcept nogil:
    """Group the stored entries of the rows ``samples[start:end]`` by feature, in row order:
    feature f's are ``node_rows`` / ``node_values`` from ``node_offsets[f]`` to
    ``node_offsets[f + 1]`` (values, or bins for the hist splitter)."""
    cdef const GrowData* data = ws.data
    cdef intp_t i, j, f, row, position, total = 0, count
    cdef bint hist = ws.params.splitter == HIST
    for f in range(data.n_features):
        ws.node_cursor[f] = 0
    for i in range(start, end):
        row = ws.samples[i]
        for j in range(data.csr_indptr[row], data.csr_indptr[row + 1]):
            ws.node_cursor[data.csr_features[j]] += 1
    for f in range(data.n_features):
        count = ws.node_cursor[f]
        ws.node_offsets[f] = total
        ws.node_cursor[f] = total
        total += count
    ws.node_offsets[data.n_features] = total
    for i in range(start, end):
        row = ws.samples[i]
        for j in range(data.csr_indptr[row], data.csr_indptr[row + 1]):
            f = data.csr_features[j]
            position = ws.node_cursor[f]
            ws.node_cursor[f] = position + 1
            ws.node_rows[position] = row
            ws.node_values[position] = data.csr_bins[j] if hist else data.csr_values[j]


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
    (prepared by ``prepare_sparse_node``) without a histogram; return False if the feature is
    constant there. Only this call touches the feature's entries: threads sort them in place."""
    cdef const GrowData* data = ws.data
    cdef intp_t first = ws.node_offsets[feature]
    cdef intp_t n_stored = ws.node_offsets[feature + 1] - first
    cdef float* values = ws.node_values + first
    cdef intp_t* rows = ws.node_rows + first
    cdef double* scratch = ws.scratch + thread * ws.scratch_stride
    cdef intp_t bin_threshold
    cdef bint varies, hist = ws.params.splitter == HIST
    if ws.params.splitter == RANDOM:
        return sparse_random_split(ws, feature, end - start, n_stored, values, rows, context,
                                   ws.feature_uniforms[feature], record, scratch)
    sort_values_with_rows(values, rows, n_stored, ws.scratch_keys + thread * ws.n_rows,
                          ws.scratch_rows + thread * ws.n_rows)
    varies = sweep_with_zeros(ws, feature, end - start, n_stored,
                              data.zero_bins[feature] if hist else 0.0, values, rows, context,
                              record, scratch, hist)
    if hist and record.found:
        # The sweep recorded the left bin; the threshold is that bin's upper edge.
        bin_threshold = <intp_t>record.threshold
        record.bin_threshold = <unsigned char>bin_threshold
        record.threshold = data.bin_thresholds[feature * MISSING_BIN + bin_threshold]
    return varies


cdef inline bint sparse_goes_left(const GrowData* data, const SplitRecord* split, intp_t row,
                                  bint hist, bint zero_left) noexcept nogil:
    """Where the split sends ``row``: its stored entry of the feature, found by binary search
    in the row's ascending features, or 0's side when it has none."""
    cdef intp_t low = data.csr_indptr[row], high = data.csr_indptr[row + 1], middle
    cdef int32_t feature = <int32_t>split.feature
    while low < high:
        middle = (low + high) // 2
        if data.csr_features[middle] < feature:
            low = middle + 1
        else:
            high = middle
    if low == data.csr_indptr[row + 1] or data.csr_features[low] != feature:
        return zero_left
    if hist:
        return data.csr_bins[low] <= split.bin_threshold
    return data.csr_values[low] <= split.threshold


cdef intp_t sparse_partition_rows(Workspace* ws, intp_t start, intp_t end,
                                  const SplitRecord* split) noexcept nogil:
    """Reorder ``samples[start:end]`` so the left child's rows come first, in the order of the
    dense partition; return the middle."""
    cdef const GrowData* data = ws.data
    cdef intp_t low = start, high = end - 1
    cdef bint hist = ws.params.splitter == HIST, zero_left
    if hist:
        zero_left = data.zero_bins[split.feature] <= split.bin_threshold
    else:
        zero_left = 0.0 <= split.threshold
    while low <= high:
        if sparse_goes_left(data, split, ws.samples[low], hist, zero_left):
            low += 1
        else:
            ws.samples[low], ws.samples[high] = ws.samples[high], ws.samples[low]
            high -= 1
    return low


cdef void build_sparse_histogram(Workspace* ws, intp_t start, intp_t end,
                                 double* histogram) noexcept nogil:
    """The node's histogram from its rows' stored bins (CSR); each feature's bin of 0 gets
    the node's totals minus the feature's stored entries. Same packed layout as the dense one."""
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
            # Packed layout: the missing bin (255) maps to the slot after the last bin.
            f = data.csr_features[j]
            entry = histogram + (ws.histogram_offsets[f]
                                 + min(<intp_t>data.csr_bins[j], data.n_bins_non_missing[f])) * stride
            for k in range(n_channels):
                entry[k] += gradient[k]
            entry[n_channels] += hessian
            entry[n_channels + 1] += 1.0
    node_totals[n_channels + 1] = end - start
    for f in range(data.n_features):
        feature_histogram = histogram + ws.histogram_offsets[f] * stride
        for k in range(stride):
            stored[k] = 0.0
        for b in range(data.n_bins_non_missing[f] + 1):
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
