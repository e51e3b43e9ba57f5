from libc.stdint cimport int64_t, uint32_t, uint64_t
from ._types cimport intp_t, BIN_DTYPE_C

# How the dense histograms' row counts (an entry's last value, one channel) are made: added
# row by row; copied from the hessians when every hessian is 1; or left out (0), when the
# split search bounds them from the hessians (``CountBounds``).
cdef enum:
    COUNT_ROWS = 0
    COUNTS_FROM_HESSIANS = 1
    COUNTS_LEFT_OUT = 2

cdef void build_histograms(const BIN_DTYPE_C* binned, intp_t row_stride, const intp_t* rows,
                           intp_t n_rows, const double* ordered_stats, intp_t n_channels,
                           intp_t n_features, const intp_t* n_bins_non_missing,
                           const intp_t* offsets, double* histogram,
                           int counting, bint accumulate=*) noexcept nogil

cdef void build_column_histograms(const BIN_DTYPE_C* binned, intp_t n_samples,
                                  const intp_t* features, intp_t n_columns, const intp_t* rows,
                                  intp_t n_rows, const double* ordered_stats, intp_t n_channels,
                                  const intp_t* n_bins_non_missing, const intp_t* offsets,
                                  double* histogram, int counting,
                                  bint accumulate=*, intp_t row_stride=*,
                                  bint consecutive=*) noexcept nogil

cdef void counts_from_hessians(double* histogram, const intp_t* n_bins_non_missing,
                               const intp_t* offsets, intp_t n_features) noexcept nogil

cdef void count_column_rows(const BIN_DTYPE_C* column, const intp_t* rows, intp_t n_rows,
                            intp_t n_bins_non_missing, double* histogram) noexcept nogil

cdef void clear_sparse_histograms(intp_t n_channels, intp_t n_sparse,
                                  const intp_t* sparse_features,
                                  const intp_t* n_bins_non_missing, const intp_t* offsets,
                                  double* histogram) noexcept nogil

cdef void add_sparse_rows(const intp_t* row_starts, const uint32_t* entries,
                          const intp_t* rows, intp_t n_rows, const double* ordered_stats,
                          intp_t n_channels, double* histogram) noexcept nogil

cdef void add_packed_sparse_rows(const intp_t* row_starts, const uint32_t* entries,
                                 const intp_t* rows, intp_t n_rows, const uint64_t* packed,
                                 double gradient_scale, double hessian_scale,
                                 double* histogram) noexcept nogil

cdef void fill_sparse_defaults(intp_t n_rows, const double* totals, intp_t n_channels,
                               intp_t n_sparse, const intp_t* sparse_features,
                               const intp_t* default_slots, const intp_t* n_bins_non_missing,
                               const intp_t* offsets, double* histogram) noexcept nogil

cdef void build_feature_histogram_labels(const BIN_DTYPE_C* binned_feature, const intp_t* rows,
                                         intp_t n_rows, const intp_t* labels, intp_t n_outputs,
                                         const double* ordered_hessians, intp_t n_channels,
                                         intp_t n_bins_non_missing,
                                         double* histogram) noexcept nogil

cdef void subtract_histograms(double* parent, const double* child, intp_t size) noexcept nogil

# Quantised boosting's rows: an integer gradient and a non-negative integer hessian in one
# 64-bit word, ``gradient * 2**32 + hessian``. Words add as the pairs do while the hessians'
# sum stays below 2**32 and the gradients' within 31 bits (``_boosting.quantize_gradients``).
cdef inline uint64_t pack_statistics(int64_t gradient_units,
                                     int64_t hessian_units) noexcept nogil:
    return (<uint64_t>gradient_units << 32) + <uint64_t>hessian_units


cdef inline uint64_t packed_hessian_units(uint64_t word) noexcept nogil:
    return word & 0xFFFFFFFFu


cdef inline double packed_gradient(uint64_t word, double scale) noexcept nogil:
    """A word's (or a sum of words') gradient, times its scale (a power of two: exact)."""
    return <double>((<int64_t>(word - packed_hessian_units(word))) >> 32) * scale


cdef inline double packed_hessian(uint64_t word, double scale) noexcept nogil:
    return <double>packed_hessian_units(word) * scale


cdef void build_packed_histograms(const BIN_DTYPE_C* binned, intp_t row_stride,
                                  const intp_t* features, intp_t n_features, intp_t feature_step,
                                  const intp_t* rows, intp_t n_rows, const uint64_t* packed,
                                  const intp_t* n_bins_non_missing, const intp_t* offsets,
                                  intp_t first_offset, uint64_t* histogram,
                                  bint consecutive=*) noexcept nogil

cdef void unpack_histograms(const uint64_t* packed_histogram, intp_t first_offset,
                            intp_t n_features, const intp_t* n_bins_non_missing,
                            const intp_t* offsets, double gradient_scale,
                            double hessian_scale, bint accumulate,
                            double* histogram) noexcept nogil
