from ._types cimport intp_t

cdef void sort_values_with_rows(float* values, intp_t* rows, intp_t n) noexcept nogil
