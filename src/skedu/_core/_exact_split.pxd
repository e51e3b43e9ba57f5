from ._types cimport intp_t, X_DTYPE_C, BIN_DTYPE_C, SplitContext, SplitRecord

cdef intp_t gather_values(const X_DTYPE_C* column, intp_t stride, const intp_t* rows,
                          intp_t n_rows, float* sort_values, intp_t* sort_rows) noexcept nogil

cdef intp_t gather_bins(const BIN_DTYPE_C* column, intp_t stride, const intp_t* rows,
                        intp_t n_rows, float* sort_values, intp_t* sort_rows) noexcept nogil

cdef bint best_split_sorted(intp_t feature, intp_t n_rows, intp_t n_non_missing,
                            const double* gradients, const double* hessians,
                            const SplitContext* context, SplitRecord* best, float* sort_values,
                            intp_t* sort_rows, double* scratch, bint bin_values) noexcept nogil
