from libc.stdint cimport int32_t, uint64_t
from ._types cimport intp_t, GrowData, GrowParams, TreeArrays

cdef int grow_tree(const GrowData* data, const GrowParams* params, const intp_t* rows,
                   intp_t n_rows, const double* row_weights, const intp_t* features,
                   intp_t n_tree_features, uint64_t seed, int32_t* leaves,
                   TreeArrays* tree) noexcept nogil
