from ._types cimport intp_t, X_DTYPE_C, BIN_DTYPE_C, SplitContext, SplitRecord

cdef bint random_split(intp_t feature, const X_DTYPE_C* column, intp_t stride,
                       const intp_t* rows, intp_t n_rows, const double* gradients,
                       const double* hessians, const SplitContext* context, double uniform,
                       SplitRecord* best, float* values, double* scratch) noexcept nogil
