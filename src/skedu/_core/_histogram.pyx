"""Per-node histograms: for every bin of a feature, the sums of the K gradient channels, the
hessian and the row count.

Layout: one entry of ``n_channels + 2`` float64 values, ``[g_0 .. g_{K-1}, hessian, count]``,
per bin. Features are packed: feature f's entries start at ``offsets[f]`` and hold its
``n_bins_non_missing[f]`` bins, then its missing values' entry (bin ``MISSING_BIN`` maps to slot
``n_bins_non_missing[f]``). One-hot columns take 3 entries instead of ``N_BINS``, so a wide
node's histogram stays in cache and costs little to clear, subtract and scan. Boosted trees
whose rows' hessians bound their counts leave the dense features' counts out (0): a count is
a fifth of an addition's cost, and the split search bounds it from the hessians
(``_split.pyx: bounded_second_order_split``).

The grower gathers the node's gradients and hessians in row order, packed (``ordered_stats``,
``[n_rows, n_channels + 1]``), once, so these loops read them sequentially. Data are read row by
row: with row-major bins each row's features share cache lines, and consecutive additions go
to different features' entries (with one column at a time, a column whose rows mostly fall in
one bin makes every addition wait for the previous one to the same entry). Every entry adds its
rows in row order whatever the layout or the grouping of features: same sums, bit for bit.

Sparse features (most rows in one bin: one-hot columns) are read from lists of each row's
other bins, LightGBM's most-frequent-bin trick: the most frequent bin's entry is the node's
totals minus the feature's other entries, so a row costs only its few non-default bins.
"""

from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memset

from ._types cimport N_BINS
from ._workspace cimport COLUMN_GROUP

cdef extern from "_histogram_groups.h":
    # ``rows`` NULL: the rows are consecutive, from the columns' first.
    void skedu_add_column_group(const BIN_DTYPE_C** columns, double** bases, const intp_t* lasts,
                                intp_t n_columns, const intp_t* rows, intp_t n_rows,
                                intp_t stride, const double* stats, int count) nogil
    void skedu_add_packed_group(const BIN_DTYPE_C** columns, uint64_t** bases,
                                const intp_t* lasts, intp_t n_columns, const intp_t* rows,
                                intp_t n_rows, intp_t stride, const uint64_t* packed) nogil


cdef inline void add_to_entry(double* entry, double gradient, double hessian,
                              bint count) noexcept nogil:
    # ``count`` is the same for a whole loop, which the compiler unswitches: without it (unit
    # hessians) a row costs one addition of its (gradient, hessian) pair instead of two.
    entry[0] += gradient
    entry[1] += hessian
    if count:
        entry[2] += 1.0


cdef void counts_from_hessians(double* histogram, const intp_t* n_bins_non_missing,
                               const intp_t* offsets, intp_t n_features) noexcept nogil:
    """Set the counts of one-channel entries to their hessians: where every hessian is 1, a
    bin's hessian is its row count, added in the same order (the same value, bit for bit)."""
    cdef intp_t j, slot
    cdef double* entry
    for j in range(n_features):
        entry = histogram + offsets[j] * 3
        for slot in range(n_bins_non_missing[j] + 1):
            entry[3 * slot + 2] = entry[3 * slot + 1]


cdef void build_histograms(const BIN_DTYPE_C* binned, intp_t row_stride, const intp_t* rows,
                           intp_t n_rows, const double* ordered_stats, intp_t n_channels,
                           intp_t n_features, const intp_t* n_bins_non_missing,
                           const intp_t* offsets, double* histogram,
                           int counting, bint accumulate=False) noexcept nogil:
    """Fill the histograms of ``n_features`` consecutive features from the rows ``rows``.

    Feature j of row r has bin ``binned[r * row_stride + j]`` (row-major data: ``row_stride``
    is the number of features; one column: 1). ``offsets[j]`` (entries, relative to
    ``histogram``) and ``n_bins_non_missing[j]`` describe feature j; its entries are cleared
    first. ``counting`` (one channel; several always add their counts): ``COUNT_ROWS``,
    ``COUNTS_FROM_HESSIANS`` (every row's hessian is 1: the counts are copied from the
    hessians instead of added row by row) or ``COUNTS_LEFT_OUT``. ``accumulate``: add the
    rows to the entries as they are (a block of a node's rows after the blocks before it);
    the caller clears them first and copies the counts once all blocks are added.
    """
    cdef intp_t i, j, k, slot, last_slot, stride = n_channels + 2
    cdef const BIN_DTYPE_C* row_bins
    cdef double* base
    cdef const double* stats
    cdef double* entry
    cdef double gradient, hessian
    cdef bint count = counting == COUNT_ROWS
    for j in range(n_features):
        if not accumulate:
            memset(histogram + offsets[j] * stride, 0,
                   (n_bins_non_missing[j] + 1) * stride * sizeof(double))
    if n_channels == 1 and n_features == 1:
        # One column: no inner feature loop.
        base = histogram + offsets[0] * 3
        last_slot = n_bins_non_missing[0]
        for i in range(n_rows):
            slot = min(<intp_t>binned[rows[i] * row_stride], last_slot)
            add_to_entry(base + slot * 3, ordered_stats[2 * i], ordered_stats[2 * i + 1],
                         count)
    elif n_channels == 1:
        # The common case (regression, boosting): no inner channel loop.
        for i in range(n_rows):
            row_bins = binned + rows[i] * row_stride
            gradient = ordered_stats[2 * i]
            hessian = ordered_stats[2 * i + 1]
            for j in range(n_features):
                # The missing bin (255) maps to the slot after the last non-missing bin.
                slot = min(<intp_t>row_bins[j], n_bins_non_missing[j])
                add_to_entry(histogram + (offsets[j] + slot) * 3, gradient, hessian, count)
    if n_channels == 1:
        if counting == COUNTS_FROM_HESSIANS and not accumulate:
            counts_from_hessians(histogram, n_bins_non_missing, offsets, n_features)
        return
    for i in range(n_rows):
        row_bins = binned + rows[i] * row_stride
        stats = ordered_stats + i * (n_channels + 1)
        for j in range(n_features):
            slot = min(<intp_t>row_bins[j], n_bins_non_missing[j])
            entry = histogram + (offsets[j] + slot) * stride
            for k in range(n_channels + 1):
                entry[k] += stats[k]
            entry[n_channels + 1] += 1.0


cdef void build_column_histograms(const BIN_DTYPE_C* binned, intp_t n_samples,
                                  const intp_t* features, intp_t n_columns, const intp_t* rows,
                                  intp_t n_rows, const double* ordered_stats, intp_t n_channels,
                                  const intp_t* n_bins_non_missing, const intp_t* offsets,
                                  double* histogram, int counting,
                                  bint accumulate=False, intp_t row_stride=0,
                                  bint consecutive=False) noexcept nogil:
    """Fill the histograms of ``n_columns`` features read from their columns (feature
    ``features[j]``'s bins start at ``binned + features[j] * n_samples``); ``offsets[j]`` and
    ``n_bins_non_missing[j]`` describe the j-th. ``row_stride`` > 0: row-major bins instead,
    feature ``features[j]`` of row r at ``binned[r * row_stride + features[j]]``.
    ``consecutive``: the rows are ``rows[0] + i`` (a root's, every row growing the tree): the
    group loops read them without their indices.

    Up to ``COLUMN_GROUP`` columns of one gradient channel are built in one pass over the
    rows (``_histogram_groups.h``; columns of 255 non-missing bins without clamping their
    bins). Every entry still adds its rows in row order: the same sums, bit for bit.
    ``counting`` and ``accumulate``: as ``build_histograms``.
    """
    # A row's step and a feature's step in ``binned``: column-major, or row-major.
    cdef intp_t j, stride = max(row_stride, 1)
    cdef intp_t feature_step = 1 if row_stride > 0 else n_samples
    cdef bint count = counting == COUNT_ROWS
    cdef const BIN_DTYPE_C* columns[COLUMN_GROUP]
    cdef double* bases[COLUMN_GROUP]
    cdef intp_t lasts[COLUMN_GROUP]
    if n_channels != 1 or n_columns > COLUMN_GROUP or n_columns < 2:
        for j in range(n_columns):
            build_histograms(binned + features[j] * feature_step, stride, rows, n_rows,
                             ordered_stats, n_channels, 1, n_bins_non_missing + j, offsets + j,
                             histogram, counting, accumulate)
        return
    for j in range(n_columns):
        if not accumulate:
            memset(histogram + offsets[j] * 3, 0,
                   (n_bins_non_missing[j] + 1) * 3 * sizeof(double))
        columns[j] = binned + features[j] * feature_step
        if consecutive and n_rows > 0:
            columns[j] += rows[0] * stride
        bases[j] = histogram + offsets[j] * 3
        lasts[j] = n_bins_non_missing[j]
    if consecutive:
        rows = NULL
    # The group's loops (``_histogram_groups.h``): one per size, counting and clamping.
    skedu_add_column_group(columns, bases, lasts, n_columns, rows, n_rows, stride,
                           ordered_stats, count)
    if counting == COUNTS_FROM_HESSIANS and not accumulate:
        counts_from_hessians(histogram, n_bins_non_missing, offsets, n_columns)


cdef void build_packed_histograms(const BIN_DTYPE_C* binned, intp_t row_stride,
                                  const intp_t* features, intp_t n_features, intp_t feature_step,
                                  const intp_t* rows, intp_t n_rows, const uint64_t* packed,
                                  const intp_t* n_bins_non_missing, const intp_t* offsets,
                                  intp_t first_offset, uint64_t* histogram,
                                  bint consecutive=False) noexcept nogil:
    """Add the rows' packed statistics to the packed histograms of ``n_features`` features:
    feature j of row r has bin ``binned[r * row_stride + features[j] * feature_step]``, its
    entries start at ``histogram + offsets[j] - first_offset``.

    Quantised boosting (``_boosting.quantize_gradients``) packs a row's integer gradient and
    hessian in one 64-bit word, ``gradient * 2**32 + hessian``: a sum of such words is the
    words of the sums (the hessians' sum stays below 2**32, the gradients' within 31 bits), so
    a row costs one integer addition a feature where a float64 entry takes a pair of them,
    and a group's entries take a third of the cache. Four features a pass, as
    ``build_column_histograms`` (``_histogram_groups.h``). Integer sums do not depend on the
    order of the rows. ``consecutive``: as ``build_column_histograms``.
    """
    cdef intp_t j, g, size
    cdef const intp_t* group_rows = rows
    cdef const BIN_DTYPE_C* columns[COLUMN_GROUP]
    cdef uint64_t* bases[COLUMN_GROUP]
    cdef intp_t lasts[COLUMN_GROUP]
    if consecutive:
        group_rows = NULL
    g = 0
    while g < n_features:
        size = min(<intp_t>COLUMN_GROUP, n_features - g)
        for j in range(size):
            columns[j] = binned + features[g + j] * feature_step
            if consecutive and n_rows > 0:
                columns[j] += rows[0] * row_stride
            bases[j] = histogram + offsets[g + j] - first_offset
            lasts[j] = n_bins_non_missing[g + j]
        skedu_add_packed_group(columns, bases, lasts, size, group_rows, n_rows, row_stride,
                               packed)
        g += size


cdef void unpack_histograms(const uint64_t* packed_histogram, intp_t first_offset,
                            intp_t n_features, const intp_t* n_bins_non_missing,
                            const intp_t* offsets, double gradient_scale,
                            double hessian_scale, bint accumulate,
                            double* histogram) noexcept nogil:
    """Write (``accumulate``: add) packed entries as float64 entries: feature j's packed
    entries start at ``packed_histogram + offsets[j] - first_offset``, its float64 ones at
    ``histogram + offsets[j] * 3``; a sum of g integers is g times ``gradient_scale`` (a
    power of two: exact, as float64 sums of the quantised values are). Counts are left at 0
    (left out, or copied from the hessians by the caller)."""
    cdef intp_t j, slot
    cdef const uint64_t* source
    cdef double* entry
    cdef double gradient, hessian
    for j in range(n_features):
        source = packed_histogram + offsets[j] - first_offset
        entry = histogram + offsets[j] * 3
        for slot in range(n_bins_non_missing[j] + 1):
            gradient = packed_gradient(source[slot], gradient_scale)
            hessian = packed_hessian(source[slot], hessian_scale)
            if accumulate:
                entry[3 * slot] += gradient
                entry[3 * slot + 1] += hessian
            else:
                entry[3 * slot] = gradient
                entry[3 * slot + 1] = hessian
                entry[3 * slot + 2] = 0.0


cdef void clear_sparse_histograms(intp_t n_channels, intp_t n_sparse,
                                  const intp_t* sparse_features,
                                  const intp_t* n_bins_non_missing, const intp_t* offsets,
                                  double* histogram) noexcept nogil:
    """Zero the entries of the features ``sparse_features[:n_sparse]``."""
    cdef intp_t j, f, stride = n_channels + 2
    for j in range(n_sparse):
        f = sparse_features[j]
        memset(histogram + offsets[f] * stride, 0,
               (n_bins_non_missing[f] + 1) * stride * sizeof(double))


cdef void add_sparse_rows(const intp_t* row_starts, const uint32_t* entries,
                          const intp_t* rows, intp_t n_rows, const double* ordered_stats,
                          intp_t n_channels, double* histogram) noexcept nogil:
    """Add the rows' listed (non-default) bins to their entries, rows in order."""
    cdef intp_t i, k, e, n_stats = n_channels + 1, stride = n_channels + 2
    cdef const double* stats
    cdef double* entry
    cdef double gradient, hessian
    if n_channels == 1:
        # Boosting's case: the row's statistics in registers, no loop over channels.
        for i in range(n_rows):
            gradient = ordered_stats[2 * i]
            hessian = ordered_stats[2 * i + 1]
            for e in range(row_starts[rows[i]], row_starts[rows[i] + 1]):
                entry = histogram + <intp_t>entries[e] * 3
                entry[0] += gradient
                entry[1] += hessian
                entry[2] += 1.0
    else:
        for i in range(n_rows):
            stats = ordered_stats + i * n_stats
            for e in range(row_starts[rows[i]], row_starts[rows[i] + 1]):
                entry = histogram + entries[e] * stride
                for k in range(n_stats):
                    entry[k] += stats[k]
                entry[n_stats] += 1.0


cdef void add_packed_sparse_rows(const intp_t* row_starts, const uint32_t* entries,
                                 const intp_t* rows, intp_t n_rows, const uint64_t* packed,
                                 double gradient_scale, double hessian_scale,
                                 double* histogram) noexcept nogil:
    """``add_sparse_rows`` of one channel from the rows' packed words (``packed[i]`` is row
    ``rows[i]``'s), each unpacked once: the same float64 values, hence the same sums."""
    cdef intp_t i, e
    cdef double* entry
    cdef double gradient, hessian
    for i in range(n_rows):
        gradient = packed_gradient(packed[i], gradient_scale)
        hessian = packed_hessian(packed[i], hessian_scale)
        for e in range(row_starts[rows[i]], row_starts[rows[i] + 1]):
            entry = histogram + <intp_t>entries[e] * 3
            entry[0] += gradient
            entry[1] += hessian
            entry[2] += 1.0


cdef void fill_sparse_defaults(intp_t n_rows, const double* totals, intp_t n_channels,
                               intp_t n_sparse, const intp_t* sparse_features,
                               const intp_t* default_slots, const intp_t* n_bins_non_missing,
                               const intp_t* offsets, double* histogram) noexcept nogil:
    """Each sparse feature's most frequent bin: the node's totals (and ``n_rows``) minus the
    feature's other entries."""
    cdef intp_t j, k, f, slot, n_stats = n_channels + 1, stride = n_channels + 2
    cdef double* entry
    cdef double* default_entry
    for j in range(n_sparse):
        f = sparse_features[j]
        default_entry = histogram + (offsets[f] + default_slots[j]) * stride
        for k in range(n_stats):
            default_entry[k] = totals[k]
        default_entry[n_stats] = <double>n_rows
        for slot in range(n_bins_non_missing[f] + 1):
            if slot != default_slots[j]:
                entry = histogram + (offsets[f] + slot) * stride
                for k in range(stride):
                    default_entry[k] -= entry[k]


cdef void count_column_rows(const BIN_DTYPE_C* column, const intp_t* rows, intp_t n_rows,
                            intp_t n_bins_non_missing, double* histogram) noexcept nogil:
    """Set the counts of one feature's one-channel entries (``n_bins_non_missing + 1``) to its
    rows' counts, from its column of bins: hessian-bounded histograms left them out, and a
    search the bounds leave undecided needs them."""
    cdef intp_t i
    for i in range(n_bins_non_missing + 1):
        histogram[3 * i + 2] = 0.0
    for i in range(n_rows):
        histogram[3 * min(<intp_t>column[rows[i]], n_bins_non_missing) + 2] += 1.0


cdef void build_feature_histogram_labels(const BIN_DTYPE_C* binned_feature, const intp_t* rows,
                                         intp_t n_rows, const intp_t* labels, intp_t n_outputs,
                                         const double* ordered_hessians, intp_t n_channels,
                                         intp_t n_bins_non_missing,
                                         double* histogram) noexcept nogil:
    """One feature's packed histogram (``n_bins_non_missing + 1`` entries) for rows given as
    labels (``labels[row, o]`` the channel of the row's class in output o): each row adds its
    weight to its classes' channels."""
    cdef intp_t i, o, row, slot, stride = n_channels + 2
    cdef double* entry
    memset(histogram, 0, (n_bins_non_missing + 1) * stride * sizeof(double))
    for i in range(n_rows):
        row = rows[i]
        slot = min(<intp_t>binned_feature[row], n_bins_non_missing)
        entry = histogram + slot * stride
        for o in range(n_outputs):
            entry[labels[row * n_outputs + o]] += ordered_hessians[i]
        entry[n_channels] += ordered_hessians[i]
        entry[n_channels + 1] += 1.0


cdef void subtract_histograms(double* parent, const double* child, intp_t size) noexcept nogil:
    """``parent -= child``: the larger child's histogram is the parent's minus the smaller's."""
    cdef intp_t i
    for i in range(size):
        parent[i] -= child[i]


cdef int test_counting(bint unit_hessians, bint count_rows):
    if not count_rows:
        return COUNTS_LEFT_OUT
    return COUNTS_FROM_HESSIANS if unit_hessians else COUNT_ROWS


def build_histograms_for_tests(const BIN_DTYPE_C[:, ::1] binned_rows, const intp_t[::1] rows,
                               const double[:, ::1] ordered_gradients,
                               const double[::1] ordered_hessians,
                               const intp_t[::1] n_bins_non_missing, bint unit_hessians=False,
                               bint count_rows=True):
    """Packed histograms of every feature of row-major bins, as one (n_entries, K + 2) array
    with feature f's entries from ``sum(n_bins_non_missing[:f] + 1)`` on (test entry point);
    ``count_rows`` False: one channel's counts left out (0)."""
    import numpy as np

    cdef intp_t n_channels = ordered_gradients.shape[1]
    cdef intp_t n_features = binned_rows.shape[1]
    offsets_array = np.concatenate([[0], np.cumsum(np.asarray(n_bins_non_missing) + 1)])
    offsets_array = offsets_array.astype(np.intp)
    cdef const intp_t[::1] offsets = offsets_array
    stats = np.ascontiguousarray(np.hstack([ordered_gradients, np.asarray(ordered_hessians)[:, None]]))
    cdef const double[:, ::1] stats_view = stats
    histogram = np.full((offsets_array[n_features], n_channels + 2), np.nan)
    cdef double[:, ::1] view = histogram
    if rows.shape[0] > 0:
        build_histograms(&binned_rows[0, 0], n_features, &rows[0], rows.shape[0],
                         &stats_view[0, 0], n_channels, n_features, &n_bins_non_missing[0],
                         &offsets[0], &view[0, 0], test_counting(unit_hessians, count_rows))
    else:
        histogram[:] = 0.0
    return histogram


def build_column_histograms_for_tests(const BIN_DTYPE_C[:, ::1] binned_columns,
                                      const intp_t[::1] features, const intp_t[::1] rows,
                                      const double[:, ::1] ordered_gradients,
                                      const double[::1] ordered_hessians,
                                      const intp_t[::1] n_bins_non_missing,
                                      bint unit_hessians=False, bint count_rows=True,
                                      bint row_major=False, bint consecutive=False):
    """Packed histograms of the columns ``binned_columns[features]`` (feature-major bins, one
    row per feature), built in one call, as one (n_entries, K + 2) array; ``n_bins_non_missing``
    describes the selected features; ``count_rows``: as ``build_histograms_for_tests``;
    ``row_major``: read from a row-major copy of the bins; ``consecutive``: the rows are
    ``rows[0] + i``, read without their indices (test entry point)."""
    if consecutive and not rows_are_consecutive(rows):
        raise ValueError("consecutive rows must be rows[0] + i")
    import numpy as np

    cdef intp_t n_channels = ordered_gradients.shape[1]
    offsets_array = np.concatenate([[0], np.cumsum(np.asarray(n_bins_non_missing) + 1)])
    offsets_array = offsets_array.astype(np.intp)
    cdef const intp_t[::1] offsets = offsets_array
    stats = np.ascontiguousarray(np.hstack([ordered_gradients, np.asarray(ordered_hessians)[:, None]]))
    cdef const double[:, ::1] stats_view = stats
    histogram = np.full((offsets_array[features.shape[0]], n_channels + 2), np.nan)
    cdef double[:, ::1] view = histogram
    cdef const BIN_DTYPE_C[:, ::1] binned_rows
    if row_major:
        binned_rows = np.ascontiguousarray(np.asarray(binned_columns).T)
        build_column_histograms(&binned_rows[0, 0], 0, &features[0], features.shape[0],
                                &rows[0], rows.shape[0], &stats_view[0, 0], n_channels,
                                &n_bins_non_missing[0], &offsets[0], &view[0, 0],
                                test_counting(unit_hessians, count_rows), False,
                                binned_rows.shape[1], consecutive)
        return histogram
    build_column_histograms(&binned_columns[0, 0], binned_columns.shape[1], &features[0],
                            features.shape[0], &rows[0], rows.shape[0], &stats_view[0, 0],
                            n_channels, &n_bins_non_missing[0], &offsets[0], &view[0, 0],
                            test_counting(unit_hessians, count_rows), False, 0, consecutive)
    return histogram


cdef bint rows_are_consecutive(const intp_t[::1] rows):
    """Whether ``rows[i] == rows[0] + i`` for every i."""
    cdef intp_t i
    for i in range(rows.shape[0]):
        if rows[i] != rows[0] + i:
            return False
    return True


def build_column_histograms_in_blocks_for_tests(const BIN_DTYPE_C[:, ::1] binned_columns,
                                                const intp_t[::1] features,
                                                const intp_t[::1] rows,
                                                const double[::1] ordered_gradients,
                                                const double[::1] ordered_hessians,
                                                const intp_t[::1] n_bins_non_missing,
                                                intp_t block, bint unit_hessians=False):
    """``build_column_histograms_for_tests`` of one gradient channel, the rows added
    ``block`` at a time to cleared entries (``accumulate``), the counts copied at the end
    (test entry point)."""
    import numpy as np

    offsets_array = np.concatenate([[0], np.cumsum(np.asarray(n_bins_non_missing) + 1)])
    offsets_array = offsets_array.astype(np.intp)
    cdef const intp_t[::1] offsets = offsets_array
    stats = np.ascontiguousarray(np.column_stack([ordered_gradients, ordered_hessians]))
    cdef const double[:, ::1] stats_view = stats
    histogram = np.zeros((offsets_array[features.shape[0]], 3))
    cdef double[:, ::1] view = histogram
    cdef intp_t first, n_rows = rows.shape[0]
    for first in range(0, n_rows, block):
        build_column_histograms(&binned_columns[0, 0], binned_columns.shape[1], &features[0],
                                features.shape[0], &rows[first], min(block, n_rows - first),
                                &stats_view[first, 0], 1, &n_bins_non_missing[0],
                                &offsets[0], &view[0, 0], test_counting(unit_hessians, True), True)
    if unit_hessians:
        counts_from_hessians(&view[0, 0], &n_bins_non_missing[0], &offsets[0],
                             features.shape[0])
    return histogram


def build_histogram_for_tests(const BIN_DTYPE_C[::1] binned_feature, const intp_t[::1] rows,
                              const double[:, ::1] ordered_gradients,
                              const double[::1] ordered_hessians):
    """Histogram of one feature as a (N_BINS, K + 2) array (test entry point): with 255
    non-missing bins the packed layout is the full one."""
    import numpy as np

    return build_histograms_for_tests(np.asarray(binned_feature)[:, None], rows,
                                      ordered_gradients, ordered_hessians,
                                      np.array([N_BINS - 1], dtype=np.intp))


def build_sparse_histograms_for_tests(const intp_t[::1] row_starts, const uint32_t[::1] entries,
                                      const intp_t[::1] rows, const double[:, ::1] ordered_stats,
                                      const intp_t[::1] sparse_features,
                                      const intp_t[::1] default_slots,
                                      const intp_t[::1] n_bins_non_missing):
    """Packed histograms (all features' entries, NaN for dense features) from the lists of
    rows' non-default entries; ``ordered_stats`` is (n_rows, K + 1) (test entry point)."""
    import numpy as np

    cdef intp_t n_stats = ordered_stats.shape[1]
    offsets_array = np.concatenate([[0], np.cumsum(np.asarray(n_bins_non_missing) + 1)])
    cdef const intp_t[::1] offsets = offsets_array.astype(np.intp)
    totals_array = np.zeros(n_stats)
    for i in range(rows.shape[0]):
        totals_array += ordered_stats[i]
    cdef const double[::1] totals = totals_array
    histogram = np.full((offsets_array[n_bins_non_missing.shape[0]], n_stats + 1), np.nan)
    cdef double[:, ::1] view = histogram
    # The engine's steps (``_node_split.run_job_task``, ``finish_sparse``), in one part.
    clear_sparse_histograms(n_stats - 1, sparse_features.shape[0], &sparse_features[0],
                            &n_bins_non_missing[0], &offsets[0], &view[0, 0])
    add_sparse_rows(&row_starts[0], &entries[0] if entries.shape[0] else NULL,
                    &rows[0] if rows.shape[0] else NULL, rows.shape[0],
                    &ordered_stats[0, 0] if rows.shape[0] else NULL, n_stats - 1, &view[0, 0])
    fill_sparse_defaults(rows.shape[0], &totals[0], n_stats - 1, sparse_features.shape[0],
                         &sparse_features[0], &default_slots[0], &n_bins_non_missing[0],
                         &offsets[0], &view[0, 0])
    return histogram


def build_packed_histograms_for_tests(const BIN_DTYPE_C[:, ::1] binned_columns,
                                      const intp_t[::1] features, const intp_t[::1] rows,
                                      const int64_t[::1] gradient_units,
                                      const int64_t[::1] hessian_units,
                                      const intp_t[::1] n_bins_non_missing,
                                      double gradient_scale=1.0, double hessian_scale=1.0,
                                      bint row_major=False, bint consecutive=False):
    """Float64 histograms (counts 0) of the columns ``binned_columns[features]`` built from
    the rows' packed integers ``gradient_units[i] * 2**32 + hessian_units[i]`` (statistics
    in row order, as gathered), then unpacked with the scales; ``row_major``: read from a
    row-major copy of the bins; ``consecutive``: as ``build_column_histograms_for_tests``
    (test entry point)."""
    import numpy as np

    if consecutive and not rows_are_consecutive(rows):
        raise ValueError("consecutive rows must be rows[0] + i")
    cdef intp_t n_features = features.shape[0]
    offsets_array = np.concatenate([[0], np.cumsum(np.asarray(n_bins_non_missing) + 1)])
    offsets_array = offsets_array.astype(np.intp)
    cdef const intp_t[::1] offsets = offsets_array
    packed_rows = ((np.asarray(gradient_units).astype(np.uint64) << np.uint64(32))
                   + np.asarray(hessian_units).astype(np.uint64))
    cdef const uint64_t[::1] packed = packed_rows
    packed_histogram_array = np.zeros(offsets_array[n_features], dtype=np.uint64)
    cdef uint64_t[::1] packed_histogram = packed_histogram_array
    histogram = np.full((offsets_array[n_features], 3), np.nan)
    cdef double[:, ::1] view = histogram
    cdef const BIN_DTYPE_C[:, ::1] binned_rows
    if row_major:
        binned_rows = np.ascontiguousarray(np.asarray(binned_columns).T)
        build_packed_histograms(&binned_rows[0, 0], binned_rows.shape[1], &features[0],
                                n_features, 1, &rows[0], rows.shape[0], &packed[0],
                                &n_bins_non_missing[0], &offsets[0], 0, &packed_histogram[0],
                                consecutive)
    else:
        build_packed_histograms(&binned_columns[0, 0], 1, &features[0], n_features,
                                binned_columns.shape[1], &rows[0], rows.shape[0], &packed[0],
                                &n_bins_non_missing[0], &offsets[0], 0, &packed_histogram[0],
                                consecutive)
    unpack_histograms(&packed_histogram[0], 0, n_features, &n_bins_non_missing[0], &offsets[0],
                      gradient_scale, hessian_scale, False, &view[0, 0])
    return histogram
