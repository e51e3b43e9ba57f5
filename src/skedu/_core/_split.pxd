from ._types cimport intp_t, SplitContext, SplitRecord

cdef bint best_split_from_histogram(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context, SplitRecord* best,
                                    double* scratch) noexcept nogil

cdef bint consider_split(const double* left_sums, double left_hessian, intp_t left_count,
                         const SplitContext* context, double* right_sums,
                         double* gain) noexcept nogil
