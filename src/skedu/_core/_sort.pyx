"""Introsort of float32 keys carrying their row indices (the exact splitter's per-node sort)."""

from libc.math cimport log2


cdef inline void swap(float* values, intp_t* rows, intp_t i, intp_t j) noexcept nogil:
    values[i], values[j] = values[j], values[i]
    rows[i], rows[j] = rows[j], rows[i]


cdef inline float median_of_three(float* values, intp_t n) noexcept nogil:
    cdef float a = values[0], b = values[n // 2], c = values[n - 1]
    if a < b:
        if b < c:
            return b
        return c if a < c else a
    if b < c:
        return c if a >= c else a
    return b


cdef void insertion_sort(float* values, intp_t* rows, intp_t n) noexcept nogil:
    cdef intp_t i, j, row
    cdef float value
    for i in range(1, n):
        value = values[i]
        row = rows[i]
        j = i
        while j > 0 and values[j - 1] > value:
            values[j] = values[j - 1]
            rows[j] = rows[j - 1]
            j -= 1
        values[j] = value
        rows[j] = row


cdef void sift_down(float* values, intp_t* rows, intp_t start, intp_t end) noexcept nogil:
    cdef intp_t child, root = start
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and values[child] < values[child + 1]:
            child += 1
        if values[root] < values[child]:
            swap(values, rows, root, child)
            root = child
        else:
            return


cdef void heapsort(float* values, intp_t* rows, intp_t n) noexcept nogil:
    cdef intp_t start, end
    start = (n - 2) // 2
    while start >= 0:
        sift_down(values, rows, start, n)
        start -= 1
    end = n - 1
    while end > 0:
        swap(values, rows, 0, end)
        sift_down(values, rows, 0, end)
        end -= 1


cdef void introsort(float* values, intp_t* rows, intp_t n, int max_depth) noexcept nogil:
    # Three-way partition: runs of equal values (frequent in real data) are placed once.
    cdef float pivot
    cdef intp_t i, low, high
    while n > 16:
        if max_depth <= 0:
            heapsort(values, rows, n)
            return
        max_depth -= 1
        pivot = median_of_three(values, n)
        i = low = 0
        high = n
        while i < high:
            if values[i] < pivot:
                swap(values, rows, i, low)
                i += 1
                low += 1
            elif values[i] > pivot:
                high -= 1
                swap(values, rows, i, high)
            else:
                i += 1
        introsort(values, rows, low, max_depth)
        values += high
        rows += high
        n -= high
    insertion_sort(values, rows, n)


cdef void sort_values_with_rows(float* values, intp_t* rows, intp_t n) noexcept nogil:
    """Sort ``values[:n]`` ascending (no NaN) and permute ``rows[:n]`` alongside."""
    if n > 1:
        introsort(values, rows, n, 2 * <int>log2(n))


def sort_for_tests(float[::1] values, intp_t[::1] rows):
    """Sort in place (test entry point of the kernel)."""
    sort_values_with_rows(&values[0], &rows[0], values.shape[0])
