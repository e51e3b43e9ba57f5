from ._types cimport intp_t, SplitContext, SplitRecord
from ._workspace cimport Workspace

# Hist splitter: nodes with fewer rows sort their bin indices instead of building a histogram
# (same candidate splits, same result). A histogram costs N_BINS entries per feature to clear,
# subtract and scan whatever the node's size, which dominates deep trees' many small nodes.
cdef enum:
    HISTOGRAM_MIN_ROWS = 256

# One histogram of a batch (``build_batch_histograms``): the rows samples[start:end], whose
# histogram goes to ``histogram``, subtracted from ``parent`` (or NULL); their gradient and
# hessian totals, in row order, are written to ``totals``.
cdef struct HistogramJob:
    intp_t start
    intp_t end
    double* histogram
    double* parent
    double totals[2]

cdef void build_batch_histograms(Workspace* ws, HistogramJob* jobs,
                                 intp_t n_jobs) noexcept nogil
cdef void gather_node_statistics(Workspace* ws, intp_t start, intp_t end) noexcept nogil
cdef void build_node_histogram(Workspace* ws, intp_t start, intp_t end, double* histogram,
                               double* parent) noexcept nogil
cdef SplitRecord find_best_split(Workspace* ws, const SplitContext* context, intp_t start,
                                 intp_t end, const double* histogram) noexcept nogil
