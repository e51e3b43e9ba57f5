from ._types cimport intp_t, SplitContext, SplitRecord, X_DTYPE_C

# A target value and its row, sorted by value to rank a node's targets.
cdef struct YRow:
    double y
    intp_t row

cdef double prepare_node(const double* targets, const double* weights, const intp_t* rows,
                         intp_t n_rows, intp_t n_outputs, intp_t* ranks, double* sorted_y,
                         intp_t sorted_stride, YRow* buffer, double* fenwick,
                         double* medians) noexcept nogil

cdef bint best_split_sorted_absolute_error(intp_t feature, intp_t n_rows,
                                           const float* sort_values, const intp_t* sort_rows,
                                           const double* targets, const double* weights,
                                           const SplitContext* context, SplitRecord* best,
                                           double* scratch, bint bin_values) noexcept nogil

cdef bint random_split_absolute_error(intp_t feature, const X_DTYPE_C* column, intp_t stride,
                                      const intp_t* rows, intp_t n_rows,
                                      const double* targets, const double* weights,
                                      const SplitContext* context, double uniform,
                                      SplitRecord* best, double* scratch) noexcept nogil
