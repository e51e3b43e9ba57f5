"""Map raw feature values to uint8 bins (the loop; the bin edges are chosen in Python)."""

from cython.parallel import prange
from libc.math cimport isnan
from libc.stdint cimport uint32_t

from ._types cimport intp_t, X_DTYPE_C, BIN_DTYPE_C, MISSING_BIN

# Fewer values than this are binned on one thread (a few milliseconds of work).
cdef intp_t MIN_PARALLEL_VALUES = 1048576
# Rows binned together, feature by feature (``map_rows_to_bins``).
cdef intp_t ROW_BLOCK = 256


cdef inline intp_t step_if(intp_t step, bint condition) noexcept nogil:
    # ``step`` if ``condition`` else 0, as a mask: written as a conditional expression, GCC
    # compiles the searches' steps to branches, which mispredict half the time (44 ns a value
    # instead of about 10).
    return step & -<intp_t>condition


cdef inline BIN_DTYPE_C find_bin(double value, const double* upper_edges,
                                 intp_t n_edges) noexcept nogil:
    # Number of edges strictly below the value: a value equal to an edge stays in the lower bin,
    # so "bin <= b" is exactly "value <= upper_edges[b]", the rule trees apply to raw values.
    # Branch-free halving: random values make a branching search mispredict at every level.
    cdef const double* base = upper_edges
    cdef intp_t half, n = n_edges
    if n == 0:
        return 0
    while n > 1:
        half = n // 2
        base = base + step_if(half, base[half - 1] < value)
        n -= half
    return <BIN_DTYPE_C>((base - upper_edges) + (base[0] < value))


cdef inline void find_bins4(const X_DTYPE_C* values, intp_t stride, const double* upper_edges,
                            intp_t n_edges, BIN_DTYPE_C* out) noexcept nogil:
    """``find_bin`` of the four values ``values[0], values[stride], ...`` into ``out[0],
    out[stride], ...`` (NaN: MISSING_BIN), the four searches in step: each halving waits on
    its load, four independent ones overlap."""
    cdef double v0 = values[0], v1 = values[stride], v2 = values[2 * stride]
    cdef double v3 = values[3 * stride]
    cdef const double* b0 = upper_edges
    cdef const double* b1 = upper_edges
    cdef const double* b2 = upper_edges
    cdef const double* b3 = upper_edges
    cdef intp_t half, n = n_edges
    if n == 0:
        out[0] = out[stride] = out[2 * stride] = out[3 * stride] = 0
    else:
        while n > 1:
            half = n // 2
            b0 = b0 + step_if(half, b0[half - 1] < v0)
            b1 = b1 + step_if(half, b1[half - 1] < v1)
            b2 = b2 + step_if(half, b2[half - 1] < v2)
            b3 = b3 + step_if(half, b3[half - 1] < v3)
            n -= half
        out[0] = <BIN_DTYPE_C>((b0 - upper_edges) + (b0[0] < v0))
        out[stride] = <BIN_DTYPE_C>((b1 - upper_edges) + (b1[0] < v1))
        out[2 * stride] = <BIN_DTYPE_C>((b2 - upper_edges) + (b2[0] < v2))
        out[3 * stride] = <BIN_DTYPE_C>((b3 - upper_edges) + (b3[0] < v3))
    if isnan(v0):
        out[0] = MISSING_BIN
    if isnan(v1):
        out[stride] = MISSING_BIN
    if isnan(v2):
        out[2 * stride] = MISSING_BIN
    if isnan(v3):
        out[3 * stride] = MISSING_BIN


def map_rows_to_bins(const X_DTYPE_C[:, ::1] X, const double[:, ::1] upper_edges,
                     const intp_t[::1] n_bins_non_missing, BIN_DTYPE_C[:, ::1] binned,
                     int n_threads, BIN_DTYPE_C[:, ::1] binned_columns=None):
    """Write ``binned[i, f]``, the bin of ``X[i, f]`` (MISSING_BIN for NaN), row-major as
    the user passes X: no transposed copy of X. With ``binned_columns`` (n_features,
    n_samples), the same bins feature-major too, each block of rows transposed while it is
    in the cache.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32
    upper_edges : ndarray of shape (n_features, MISSING_BIN), float64
        ``upper_edges[f, b]`` is the largest value of bin b; only the first
        ``n_bins_non_missing[f] - 1`` are read (the last bin is unbounded).
    n_bins_non_missing : ndarray of shape (n_features,), intp
    binned : ndarray of shape (n_samples, n_features), uint8, written
    n_threads : int
    """
    cdef intp_t n_samples = X.shape[0], n_features = X.shape[1], f, i, block, first, last
    cdef intp_t n_blocks = (n_samples + ROW_BLOCK - 1) // ROW_BLOCK
    cdef X_DTYPE_C value
    cdef bint transpose = binned_columns is not None
    if transpose and (binned_columns.shape[0] != n_features
                      or binned_columns.shape[1] != n_samples):
        raise ValueError("binned_columns must have shape (n_features, n_samples).")
    if n_samples * n_features < MIN_PARALLEL_VALUES:
        n_threads = 1
    with nogil:
        # Blocks of rows, one feature at a time within a block: the feature's edges stay in the
        # L1 cache through its searches (row by row, every value reads another feature's edges
        # and each halving step waits on a cache miss), the block's values stay cached.
        for block in prange(n_blocks, schedule='static', num_threads=max(n_threads, 1)):
            first = block * ROW_BLOCK
            last = min(first + ROW_BLOCK, n_samples)
            for f in range(n_features):
                i = first
                while i + 4 <= last:
                    find_bins4(&X[i, f], n_features, &upper_edges[f, 0],
                               n_bins_non_missing[f] - 1, &binned[i, f])
                    i = i + 4
                while i < last:
                    value = X[i, f]
                    if isnan(value):
                        binned[i, f] = MISSING_BIN
                    else:
                        binned[i, f] = find_bin(value, &upper_edges[f, 0],
                                                n_bins_non_missing[f] - 1)
                    i = i + 1
            if transpose:
                for f in range(n_features):
                    for i in range(first, last):
                        binned_columns[f, i] = binned[i, f]


def bin_counts(const BIN_DTYPE_C[:, ::1] binned_columns, int n_threads):
    """How many rows fall in each bin of each feature: an (n_features, 256) intp array,
    from feature-major bins (one pass per feature, features on several threads)."""
    import numpy as np

    cdef intp_t n_features = binned_columns.shape[0], n_samples = binned_columns.shape[1]
    cdef intp_t f, i
    counts_array = np.zeros((n_features, 256), dtype=np.intp)
    cdef intp_t[:, ::1] counts = counts_array
    if n_samples * n_features < MIN_PARALLEL_VALUES:
        n_threads = 1
    with nogil:
        for f in prange(n_features, schedule='static', num_threads=max(n_threads, 1)):
            for i in range(n_samples):
                counts[f, binned_columns[f, i]] += 1
    return counts_array


# Rows from which the sparse lists are made on several threads (a row costs a few ns a
# feature).
cdef intp_t PARALLEL_LIST_ROWS = 16384


def list_sparse_bins(const BIN_DTYPE_C[:, ::1] binned_rows, const intp_t[::1] sparse_features,
                     const BIN_DTYPE_C[::1] default_bins, const intp_t[::1] offsets,
                     const intp_t[::1] n_bins_non_missing, int n_threads=1):
    """Each row's bins of the sparse features other than their most frequent ones, as packed
    histogram entries (``skedu.tree._bin_layout.sparse_layout``): returns ``row_starts``
    (n_samples + 1, intp) and ``entries`` (uint32, rows in order, features in the order of
    ``sparse_features``). Two passes over the rows (count, then fill), each in parallel over
    rows from PARALLEL_LIST_ROWS rows, no temporaries.

    ``default_bins[j]`` is the most frequent bin of feature ``sparse_features[j]``;
    ``offsets`` and ``n_bins_non_missing`` are indexed by feature (the missing bin maps to
    the slot after the last non-missing one).
    """
    import numpy as np

    cdef intp_t n_samples = binned_rows.shape[0], n_sparse = sparse_features.shape[0]
    cdef intp_t i, j, f, count, position
    cdef BIN_DTYPE_C bin_index
    cdef bint parallel = n_threads > 1 and n_samples >= PARALLEL_LIST_ROWS
    row_starts_array = np.zeros(n_samples + 1, dtype=np.intp)
    cdef intp_t[::1] row_starts = row_starts_array
    cdef uint32_t[::1] entries
    with nogil:
        # Each row's count first (at row_starts[i + 1]), then their running sum.
        for i in prange(n_samples, schedule='static', num_threads=max(n_threads, 1),
                        use_threads_if=parallel):
            count = 0
            for j in range(n_sparse):
                count = count + (binned_rows[i, sparse_features[j]] != default_bins[j])
            row_starts[i + 1] = count
        for i in range(n_samples):
            row_starts[i + 1] += row_starts[i]
    entries_array = np.empty(row_starts[n_samples], dtype=np.uint32)
    entries = entries_array
    with nogil:
        for i in prange(n_samples, schedule='static', num_threads=max(n_threads, 1),
                        use_threads_if=parallel):
            position = row_starts[i]
            for j in range(n_sparse):
                f = sparse_features[j]
                bin_index = binned_rows[i, f]
                if bin_index != default_bins[j]:
                    entries[position] = <uint32_t>(offsets[f] + min(<intp_t>bin_index,
                                                                    n_bins_non_missing[f]))
                    position = position + 1
    return row_starts_array, entries_array
