from libc.stdint cimport uint32_t
from ._types cimport intp_t

cdef void sort_values_with_rows(float* values, intp_t* rows, intp_t n, uint32_t* scratch_keys,
                                intp_t* scratch_rows) noexcept nogil
