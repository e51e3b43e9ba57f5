"""Map raw feature values to uint8 bins (the loop; the bin edges are chosen in Python), and
the scans binning needs: each column's distinct values while they are few, each bin's rows."""

from cython.parallel import prange
from libc.float cimport FLT_MAX
from libc.math cimport fabs, isnan, NAN
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcpy, memmove

from ._types cimport floating, intp_t, X_DTYPE_C, BIN_DTYPE_C, MISSING_BIN

cdef extern from "_binning_simd.h":
    int skedu_binning_have_avx2() nogil
    float skedu_float_below(double edge) nogil
    void skedu_find_bins_avx2(const float* values, intp_t stride, intp_t n, const float* edges,
                              const float* pivots, BIN_DTYPE_C missing, BIN_DTYPE_C* out) nogil

import numpy as np

# Whether ``map_rows_to_bins`` counts the edges below a value by compares of sixteen at a
# time (``_binning_simd.h``): where the processor has AVX2. Tests compare both ways.
cdef bint VECTOR_BINNING = skedu_binning_have_avx2()


def set_vector_binning_for_tests(bint enabled):
    """Let ``map_rows_to_bins`` find bins sixteen edges at a time (where the processor can:
    returns whether it will) or by halving (test entry point)."""
    global VECTOR_BINNING
    VECTOR_BINNING = enabled and skedu_binning_have_avx2()
    return bool(VECTOR_BINNING)


cdef object float_edges(const double[:, ::1] upper_edges, const intp_t[::1] n_bins_non_missing):
    """Each feature's edges for ``skedu_find_bins_avx2``: its ``n_bins_non_missing - 1``
    edges as the largest float32 not above them, padded to 256 with +inf, and every
    sixteenth (the blocks' last edges)."""
    cdef intp_t n_features = upper_edges.shape[0], f, b
    edges_array = np.full((n_features, 256), np.inf, dtype=np.float32)
    cdef float[:, ::1] edges = edges_array
    for f in range(n_features):
        for b in range(n_bins_non_missing[f] - 1):
            edges[f, b] = skedu_float_below(upper_edges[f, b])
    return edges_array, np.ascontiguousarray(edges_array[:, 15::16])

# Fewer values than this are binned on one thread: about 150 us of work (10 ns a value, from
# 2,000 x 10), against some 10 us to start the threads. 2 threads: 20,000 x 20 binned in
# 3.9 ms on one, 1.9 ms on two.
cdef intp_t MIN_PARALLEL_VALUES = 16384
# Rows binned together, feature by feature (``map_rows_to_bins``).
cdef intp_t ROW_BLOCK = 256


cdef inline intp_t step_if(intp_t step, bint condition) noexcept nogil:
    # ``step`` if ``condition`` else 0, as a mask: written as a conditional expression, GCC
    # compiles the searches' steps to branches, which mispredict half the time (44 ns a value
    # instead of about 10).
    return step & -<intp_t>condition


cdef inline intp_t count_below(floating value, const floating* sorted_values,
                               intp_t n) noexcept nogil:
    """How many of the n sorted values are strictly below ``value``, by branch-free halving:
    random values make a branching search mispredict at every level."""
    cdef const floating* base = sorted_values
    cdef intp_t half
    if n == 0:
        return 0
    while n > 1:
        half = n // 2
        base = base + step_if(half, base[half - 1] < value)
        n -= half
    return (base - sorted_values) + (base[0] < value)


cdef inline BIN_DTYPE_C find_bin(double value, const double* upper_edges,
                                 intp_t n_edges) noexcept nogil:
    # Number of edges strictly below the value: a value equal to an edge stays in the lower bin,
    # so "bin <= b" is exactly "value <= upper_edges[b]", the rule trees apply to raw values.
    return <BIN_DTYPE_C>count_below(value, upper_edges, n_edges)


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
    in the cache. Where the processor has AVX2 a value's edges are counted sixteen at a time
    (``_binning_simd.h``; W-gbdt's 500k x 28: the binning 0.15 -> 0.07-0.10 s on 2 threads),
    else by halving: the same bins.

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
    cdef bint vector = VECTOR_BINNING and n_samples > 0 and n_features > 0
    cdef const float[:, ::1] edges
    cdef const float[:, ::1] pivots
    if transpose and (binned_columns.shape[0] != n_features
                      or binned_columns.shape[1] != n_samples):
        raise ValueError("binned_columns must have shape (n_features, n_samples).")
    if n_samples * n_features < MIN_PARALLEL_VALUES:
        n_threads = 1
    if vector:
        edges, pivots = float_edges(upper_edges, n_bins_non_missing)
    with nogil:
        # Blocks of rows, one feature at a time within a block: the feature's edges stay in the
        # L1 cache through its searches (row by row, every value reads another feature's edges
        # and each halving step waits on a cache miss), the block's values stay cached.
        for block in prange(n_blocks, schedule='static', num_threads=max(n_threads, 1)):
            first = block * ROW_BLOCK
            last = min(first + ROW_BLOCK, n_samples)
            for f in range(n_features):
                if vector:
                    skedu_find_bins_avx2(&X[first, f], n_features, last - first, &edges[f, 0],
                                         &pivots[f, 0], MISSING_BIN, &binned[first, f])
                    continue
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


# Columns scanned together for their distinct values (``few_distinct_values``): 16 float32
# values are one cache line of a row.
cdef intp_t DISTINCT_COLUMN_BLOCK = 16
# Fewer rows than this are scanned on one thread.
cdef intp_t PARALLEL_DISTINCT_ROWS = 16384


cdef void scan_distinct_block(const X_DTYPE_C* X, intp_t n_features, const intp_t* rows,
                              intp_t n_rows, intp_t first, intp_t width, intp_t max_values,
                              float* distinct, intp_t* counts) noexcept nogil:
    """``few_distinct_values`` of the ``width`` <= DISTINCT_COLUMN_BLOCK columns from
    ``first``: the block's state on the stack (no cache line shared with another thread's
    block), and the scan stops when every column of the block has too many values."""
    cdef float last_seen[16]
    cdef intp_t count[16]
    cdef intp_t i, j, at, n_open = width
    cdef const X_DTYPE_C* row_values
    cdef float value
    cdef float* column
    for j in range(width):
        # The last value seen in each column: a column's runs of one value (the zeros of a
        # one-hot column) then cost a comparison, not a search. NaN is never equal.
        last_seen[j] = NAN
        count[j] = 0
    for i in range(n_rows):
        row_values = X + (i if rows == NULL else rows[i]) * n_features + first
        for j in range(width):
            value = row_values[j]
            if value == last_seen[j] or isnan(value) or count[j] < 0:
                continue
            last_seen[j] = value
            column = distinct + (first + j) * max_values
            at = count_below(value, column, count[j])
            if at < count[j] and column[at] == value:
                continue
            if count[j] == max_values:
                count[j] = -1
                n_open -= 1
                if n_open == 0:
                    break
                continue
            memmove(&column[at + 1], &column[at], (count[j] - at) * sizeof(float))
            column[at] = value
            count[j] += 1
        if n_open == 0:
            break
    for j in range(width):
        counts[first + j] = count[j]


def few_distinct_values(const X_DTYPE_C[:, ::1] X, const intp_t[::1] rows, intp_t max_values,
                        int n_threads):
    """The sorted distinct non-NaN values of each column of ``X`` (only ``rows``; None: all)
    that has at most ``max_values`` of them, read row by row: no sort and no transposed copy.

    Most columns of real data (one-hot, counts, codes) have a few distinct values; their bin
    edges are then these values' midpoints, found here in one pass over row-major X. A column
    stops being scanned at its ``max_values + 1``-th distinct value (its edges are quantiles).

    Returns
    -------
    values : ndarray of shape (n_features, max_values), float32
        ``values[f, :counts[f]]``, increasing; 0.0 and -0.0 count as one value (the first seen).
    counts : ndarray of shape (n_features,), intp
        Distinct values of each column, -1 where there are more than ``max_values``.
    """
    import numpy as np

    cdef intp_t n_rows = X.shape[0] if rows is None else rows.shape[0]
    cdef intp_t n_features = X.shape[1], n_blocks, block, first, i
    if max_values < 1:
        raise ValueError("max_values must be positive.")
    if rows is not None:
        for i in range(n_rows):
            if not 0 <= rows[i] < X.shape[0]:
                raise ValueError("few_distinct_values: a row index is out of range.")
    values_array = np.zeros((n_features, max_values), dtype=np.float32)
    counts_array = np.zeros(n_features, dtype=np.intp)
    if n_rows == 0 or n_features == 0:
        return values_array, counts_array
    cdef float[:, ::1] distinct = values_array
    cdef intp_t[::1] counts = counts_array
    cdef const intp_t* chosen = &rows[0] if rows is not None else NULL
    n_blocks = (n_features + DISTINCT_COLUMN_BLOCK - 1) // DISTINCT_COLUMN_BLOCK
    with nogil:
        for block in prange(n_blocks, schedule='dynamic', num_threads=max(n_threads, 1),
                            use_threads_if=n_threads > 1 and n_blocks > 1
                            and n_rows >= PARALLEL_DISTINCT_ROWS):
            first = block * DISTINCT_COLUMN_BLOCK
            scan_distinct_block(&X[0, 0], n_features, chosen, n_rows, first, min(DISTINCT_COLUMN_BLOCK, n_features - first),
                                max_values, &distinct[0, 0], &counts[0])
    return values_array, counts_array


cdef void count_column_bins(const BIN_DTYPE_C* column, intp_t n_samples,
                            intp_t* counts) noexcept nogil:
    """Add each bin's rows in ``column`` to ``counts[0:256]``. Four interleaved tallies: runs
    of one bin (a one-hot column's zeros) would otherwise wait on the previous increment of
    the same counter at every row."""
    cdef intp_t tallies[4][256]
    cdef intp_t i, b
    for b in range(256):
        tallies[0][b] = tallies[1][b] = tallies[2][b] = tallies[3][b] = 0
    i = 0
    while i + 4 <= n_samples:
        tallies[0][column[i]] += 1
        tallies[1][column[i + 1]] += 1
        tallies[2][column[i + 2]] += 1
        tallies[3][column[i + 3]] += 1
        i += 4
    while i < n_samples:
        tallies[0][column[i]] += 1
        i += 1
    for b in range(256):
        counts[b] += tallies[0][b] + tallies[1][b] + tallies[2][b] + tallies[3][b]


def bin_counts(const BIN_DTYPE_C[:, ::1] binned_columns, int n_threads):
    """How many rows fall in each bin of each feature: an (n_features, 256) intp array,
    from feature-major bins (one pass per feature, features on several threads)."""
    import numpy as np

    cdef intp_t n_features = binned_columns.shape[0], n_samples = binned_columns.shape[1]
    cdef intp_t f
    counts_array = np.zeros((n_features, 256), dtype=np.intp)
    cdef intp_t[:, ::1] counts = counts_array
    if n_samples == 0:
        return counts_array
    if n_samples * n_features < MIN_PARALLEL_VALUES:
        n_threads = 1
    with nogil:
        for f in prange(n_features, schedule='static', num_threads=max(n_threads, 1)):
            count_column_bins(&binned_columns[f, 0], n_samples, &counts[f, 0])
    return counts_array


# Rows from which the sparse lists are made on several threads (a row costs a few ns a
# feature).
cdef intp_t PARALLEL_LIST_ROWS = 16384
# Rows listed together, feature by feature: each feature's part of the block is one
# contiguous run of its column.
cdef intp_t LIST_ROW_BLOCK = 2048


cdef void count_listed(const BIN_DTYPE_C* column, BIN_DTYPE_C default_bin, intp_t n,
                       intp_t* counts) noexcept nogil:
    """``counts[i] += column[i] != default_bin`` for i < n (a loop GCC vectorises; skipping
    words of default bins as ``list_column`` does was slower on adult's one-hot columns)."""
    cdef intp_t i
    for i in range(n):
        counts[i] += column[i] != default_bin


cdef void list_column(const BIN_DTYPE_C* column, intp_t first, intp_t last,
                      BIN_DTYPE_C default_bin, uint32_t first_entry, intp_t n_bins_non_missing,
                      uint32_t* entries, intp_t* positions) noexcept nogil:
    """Append the entry of each row ``first <= i < last`` whose bin is not ``default_bin``
    at ``entries[positions[i]]``. Eight rows are tested at once as one 64-bit word: most of
    a sparse column's words hold only its default bin."""
    cdef uint64_t word, defaults = <uint64_t>default_bin * <uint64_t>0x0101010101010101
    cdef intp_t i = first, k
    while i < last:
        if i + 8 <= last:
            memcpy(&word, column + i, 8)
            if word == defaults:
                i += 8
                continue
            k = i + 8
        else:
            k = last
        while i < k:
            if column[i] != default_bin:
                entries[positions[i]] = first_entry + <uint32_t>min(<intp_t>column[i],
                                                                    n_bins_non_missing)
                positions[i] += 1
            i += 1


def list_sparse_bins(const BIN_DTYPE_C[:, ::1] binned_columns,
                     const intp_t[::1] sparse_features, const BIN_DTYPE_C[::1] default_bins,
                     const intp_t[::1] offsets, const intp_t[::1] n_bins_non_missing,
                     int n_threads=1):
    """Each row's bins of the sparse features other than their most frequent ones, as packed
    histogram entries (``skedu.tree._bin_layout.sparse_layout``): returns ``row_starts``
    (n_samples + 1, intp) and ``entries`` (uint32, rows in order, features in the order of
    ``sparse_features``).

    Read from feature-major bins (n_features, n_samples) by blocks of rows, feature after
    feature: two passes (count, then fill), each a sequential read of every sparse column
    whose tests of the default bin vectorise, where a row-major read gathers one byte a
    feature. Blocks run in parallel from PARALLEL_LIST_ROWS rows.

    ``default_bins[j]`` is the most frequent bin of feature ``sparse_features[j]``;
    ``offsets`` and ``n_bins_non_missing`` are indexed by feature (the missing bin maps to
    the slot after the last non-missing one).
    """
    import numpy as np

    cdef intp_t n_samples = binned_columns.shape[1], n_sparse = sparse_features.shape[0]
    cdef intp_t i, j, f, block, first, last
    cdef intp_t n_blocks = (n_samples + LIST_ROW_BLOCK - 1) // LIST_ROW_BLOCK
    cdef bint parallel = n_threads > 1 and n_samples >= PARALLEL_LIST_ROWS
    for j in range(n_sparse):
        if not 0 <= sparse_features[j] < binned_columns.shape[0]:
            raise ValueError("list_sparse_bins: a sparse feature is out of range.")
    row_starts_array = np.zeros(n_samples + 1, dtype=np.intp)
    cdef intp_t[::1] row_starts = row_starts_array
    cdef uint32_t[::1] entries
    cdef intp_t[::1] positions
    with nogil:
        # Each row's count first (at row_starts[i + 1]), then their running sum.
        for block in prange(n_blocks, schedule='static', num_threads=max(n_threads, 1),
                            use_threads_if=parallel):
            first = block * LIST_ROW_BLOCK
            last = min(first + LIST_ROW_BLOCK, n_samples)
            for j in range(n_sparse):
                count_listed(&binned_columns[sparse_features[j], first], default_bins[j],
                             last - first, &row_starts[first + 1])
        for i in range(n_samples):
            row_starts[i + 1] += row_starts[i]
    entries_array = np.empty(row_starts[n_samples], dtype=np.uint32)
    if entries_array.shape[0] == 0:
        # Every row in its features' default bins (one row, say): nothing to list.
        return row_starts_array, entries_array
    entries = entries_array
    # Where each row's next entry goes, advanced feature by feature.
    positions_array = row_starts_array[:n_samples].copy()
    positions = positions_array
    with nogil:
        for block in prange(n_blocks, schedule='static', num_threads=max(n_threads, 1),
                            use_threads_if=parallel):
            first = block * LIST_ROW_BLOCK
            last = min(first + LIST_ROW_BLOCK, n_samples)
            for j in range(n_sparse):
                f = sparse_features[j]
                list_column(&binned_columns[f, 0], first, last, default_bins[j],
                            <uint32_t>offsets[f], n_bins_non_missing[f], &entries[0],
                            &positions[0])
    return row_starts_array, entries_array


# Rows converted together (``float32_rows``).
cdef intp_t CONVERT_ROW_BLOCK = 1024


def float32_rows(const floating[:, ::1] X, float[:, ::1] out, int n_threads):
    """Write ``X`` as float32 to ``out`` (None: X is float32 already and only checked) and
    return how many values are infinite as float32 (infinities, and float64 values past
    float32's range), in one pass over row blocks on several threads: the conversion and
    the check that scikit-learn's validation makes in two passes on one thread. NaN (a
    missing value) is left as it is."""
    import numpy as np

    cdef intp_t n_rows = X.shape[0], n_columns = X.shape[1], block, first, last, i, j
    cdef intp_t n_blocks = (n_rows + CONVERT_ROW_BLOCK - 1) // CONVERT_ROW_BLOCK
    cdef intp_t count
    cdef float value
    cdef bint write = out is not None
    if floating is double and not write:
        raise ValueError("float32_rows: float64 values need an output array.")
    if write and (out.shape[0] != n_rows or out.shape[1] != n_columns):
        raise ValueError("float32_rows: out must have the shape of X.")
    if n_rows == 0 or n_columns == 0:
        return 0
    counts_array = np.zeros(n_blocks, dtype=np.intp)
    cdef intp_t[::1] counts = counts_array
    with nogil:
        for block in prange(n_blocks, schedule='static', num_threads=max(n_threads, 1),
                            use_threads_if=n_threads > 1
                            and n_rows * n_columns >= MIN_PARALLEL_VALUES):
            first = block * CONVERT_ROW_BLOCK
            last = min(first + CONVERT_ROW_BLOCK, n_rows)
            count = 0
            for i in range(first, last):
                for j in range(n_columns):
                    value = <float>X[i, j]
                    if write:
                        out[i, j] = value
                    # Infinite: beyond the largest float32 (NaN compares false).
                    count = count + (fabs(value) > FLT_MAX)
            counts[block] = count
    return int(counts_array.sum())
