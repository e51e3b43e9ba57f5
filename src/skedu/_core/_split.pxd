from ._types cimport intp_t, SplitContext, SplitRecord

cdef bint best_split_from_histogram(intp_t feature, const double* histogram,
                                    intp_t n_bins_non_missing, const double* bin_thresholds,
                                    const SplitContext* context, SplitRecord* best,
                                    double* scratch) noexcept nogil

cdef bint consider_split(const double* left_sums, double left_hessian, intp_t left_count,
                         const SplitContext* context, double* right_sums,
                         double* gain) noexcept nogil


cdef inline void record_split(SplitRecord* best, intp_t feature, double gain, double threshold,
                              intp_t bin_threshold, intp_t n_left,
                              bint missing_go_left) noexcept nogil:
    best.found = True
    best.feature = feature
    best.gain = gain
    best.threshold = threshold
    best.bin_threshold = <unsigned char>bin_threshold
    best.n_left = n_left
    best.missing_go_left = missing_go_left
