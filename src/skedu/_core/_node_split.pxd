from ._types cimport intp_t, SplitContext, SplitRecord
from ._workspace cimport Workspace

# Hist splitter: nodes with fewer rows sort their bin indices instead of building a histogram
# (same candidate splits, same result). A histogram costs N_BINS entries per feature to clear,
# subtract and scan whatever the node's size, which dominates deep trees' many small nodes.
cdef enum:
    HISTOGRAM_MIN_ROWS = 256
    # A large node's rows of sparse features are added in at most this many parts, each into
    # a histogram of its own (``run_job_task``).
    MAX_SPARSE_PARTS = 8

# One histogram of a batch (``build_batch_histograms``): the rows samples[start:end], whose
# histogram goes to ``histogram``, subtracted from ``parent`` (or NULL); their gradient and
# hessian totals, summed as ``gather_statistics`` sums them, are written to ``totals``.
cdef struct HistogramJob:
    intp_t start
    intp_t end
    double* histogram
    double* parent
    double totals[2]
    intp_t first_chunk          # its first chunk of rows in the batch's gather
    intp_t first_task           # its first task in the batch's histogram tasks
    intp_t n_parts              # its sparse features' parts of rows (0: no sparse features)
    double* parts[MAX_SPARSE_PARTS]     # the histograms of parts 1 to n_parts - 1

# One node's split search in a batch (``search_jobs``): its context, rows, histogram (or
# NULL), the order its features were drawn in, and its own per-feature records.
cdef struct ScanJob:
    SplitContext context
    intp_t start
    intp_t end
    const double* histogram
    intp_t* order               # [n_tree_features]
    SplitRecord* records        # [n_features]
    unsigned char* constants    # [n_features]

cdef bint searches_drawn_at_once(const Workspace* ws) noexcept nogil
cdef void draw_feature_order(Workspace* ws, intp_t start, intp_t end, intp_t* order) noexcept nogil
cdef void search_jobs(Workspace* ws, ScanJob* jobs, intp_t n_jobs) noexcept nogil
cdef SplitRecord reduce_job(const Workspace* ws, const ScanJob* job) noexcept nogil
cdef void build_batch_histograms(Workspace* ws, HistogramJob* jobs,
                                 intp_t n_jobs) noexcept nogil
cdef void sum_batch_statistics(const Workspace* ws, const intp_t* starts, const intp_t* ends,
                               intp_t n_ranges, double* totals) noexcept nogil
cdef void gather_statistics(const Workspace* ws, const intp_t* rows, intp_t n_rows,
                            double* stats, double* totals, double* extremes=*) noexcept nogil
cdef void gather_node_statistics(Workspace* ws, intp_t start, intp_t end) noexcept nogil
cdef void build_node_histogram(Workspace* ws, intp_t start, intp_t end, double* histogram,
                               double* parent) noexcept nogil
cdef SplitRecord find_best_split(Workspace* ws, const SplitContext* context, intp_t start,
                                 intp_t end, const double* histogram) noexcept nogil
