"""Per-node histograms: for every bin of a feature, the sums of the K gradient channels, the
hessian and the row count.

Layout: one entry of ``n_channels + 2`` float64 values, ``[g_0 .. g_{K-1}, hessian, count]``,
per bin. Features are packed: feature f's entries start at ``offsets[f]`` and hold its
``n_bins_non_missing[f]`` bins, then its missing values' entry (bin ``MISSING_BIN`` maps to slot
``n_bins_non_missing[f]``). One-hot columns take 3 entries instead of ``N_BINS``, so a wide
node's histogram stays in cache and costs little to clear, subtract and scan.

The grower gathers the node's gradients and hessians in row order, packed (``ordered_stats``,
``[n_rows, n_channels + 1]``), once, so these loops read them sequentially. Data are read row by
row: with row-major bins each row's features share cache lines, and consecutive additions go
to different features' entries (with one column at a time, a column whose rows mostly fall in
one bin makes every addition wait for the previous one to the same entry). Every entry adds its
rows in row order whatever the layout or the grouping of features: same sums, bit for bit.
"""

from libc.string cimport memset

from ._types cimport N_BINS


cdef void build_histograms(const BIN_DTYPE_C* binned, intp_t row_stride, const intp_t* rows,
                           intp_t n_rows, const double* ordered_stats, intp_t n_channels,
                           intp_t n_features, const intp_t* n_bins_non_missing,
                           const intp_t* offsets, double* histogram) noexcept nogil:
    """Fill the histograms of ``n_features`` consecutive features from the rows ``rows``.

    Feature j of row r has bin ``binned[r * row_stride + j]`` (row-major data: ``row_stride``
    is the number of features; one column: 1). ``offsets[j]`` (entries, relative to
    ``histogram``) and ``n_bins_non_missing[j]`` describe feature j; its entries are cleared
    first, and must follow each other from ``offsets[0]`` on.
    """
    cdef intp_t i, j, k, slot, stride = n_channels + 2
    cdef intp_t last = n_features - 1
    cdef const BIN_DTYPE_C* row_bins
    cdef const double* stats
    cdef double* entry
    cdef double gradient, hessian
    memset(histogram + offsets[0] * stride, 0,
           (offsets[last] + n_bins_non_missing[last] + 1 - offsets[0]) * stride * sizeof(double))
    if n_channels == 1:
        # The common case (regression, boosting): no inner channel loop.
        for i in range(n_rows):
            row_bins = binned + rows[i] * row_stride
            gradient = ordered_stats[2 * i]
            hessian = ordered_stats[2 * i + 1]
            for j in range(n_features):
                # The missing bin (255) maps to the slot after the last non-missing bin.
                slot = min(<intp_t>row_bins[j], n_bins_non_missing[j])
                entry = histogram + (offsets[j] + slot) * 3
                entry[0] += gradient
                entry[1] += hessian
                entry[2] += 1.0
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


cdef void subtract_histograms(double* parent, const double* child, intp_t size) noexcept nogil:
    """``parent -= child``: the larger child's histogram is the parent's minus the smaller's."""
    cdef intp_t i
    for i in range(size):
        parent[i] -= child[i]


def build_histograms_for_tests(const BIN_DTYPE_C[:, ::1] binned_rows, const intp_t[::1] rows,
                               const double[:, ::1] ordered_gradients,
                               const double[::1] ordered_hessians,
                               const intp_t[::1] n_bins_non_missing):
    """Packed histograms of every feature of row-major bins, as one (n_entries, K + 2) array
    with feature f's entries from ``sum(n_bins_non_missing[:f] + 1)`` on (test entry point)."""
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
                         &offsets[0], &view[0, 0])
    else:
        histogram[:] = 0.0
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
