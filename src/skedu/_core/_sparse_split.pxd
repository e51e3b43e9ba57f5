from ._types cimport intp_t, SplitContext, SplitRecord
from ._workspace cimport Workspace

cdef void prepare_sparse_node(Workspace* ws, intp_t start, intp_t end) noexcept nogil

cdef bint sparse_feature_split(Workspace* ws, intp_t feature, int thread,
                               const SplitContext* context, intp_t start, intp_t end,
                               SplitRecord* record) noexcept nogil

cdef intp_t sparse_partition_rows(Workspace* ws, intp_t start, intp_t end,
                                  const SplitRecord* split) noexcept nogil

cdef void build_sparse_histogram(Workspace* ws, intp_t start, intp_t end,
                                 double* histogram) noexcept nogil
