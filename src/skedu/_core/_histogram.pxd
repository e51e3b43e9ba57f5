from ._types cimport intp_t, BIN_DTYPE_C

cdef void build_feature_histogram(const BIN_DTYPE_C* binned_feature, const intp_t* rows,
                                  intp_t n_rows, const double* ordered_gradients,
                                  const double* ordered_hessians, intp_t n_channels,
                                  double* histogram) noexcept nogil

cdef void build_feature_histogram_labels(const BIN_DTYPE_C* binned_feature, const intp_t* rows,
                                         intp_t n_rows, const intp_t* labels, intp_t n_outputs,
                                         const double* ordered_hessians, intp_t n_channels,
                                         double* histogram) noexcept nogil

cdef void subtract_histograms(double* parent, const double* child, intp_t size) noexcept nogil
