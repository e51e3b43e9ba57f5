from ._types cimport intp_t, X_DTYPE_C, BIN_DTYPE_C, SplitContext, SplitRecord

cdef bint random_split(intp_t feature, const X_DTYPE_C* column, intp_t stride,
                       const intp_t* rows, intp_t n_rows, const double* gradients,
                       const double* hessians, const SplitContext* context, double uniform,
                       SplitRecord* best, float* values, double* scratch) noexcept nogil

# Interleaved partial sums of the left side (a power of two), and the scratch doubles per
# channel ``random_split`` needs: left and missing sums, then the lanes (whose space
# ``consider_boundary`` reuses once they are added up).
cdef enum:
    N_LANES = 4
    RANDOM_SCRATCH = 2 + N_LANES
