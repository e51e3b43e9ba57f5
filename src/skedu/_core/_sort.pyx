"""Sorting float32 values carrying their row indices (the exact splitter's per-node sort).

Large arrays use an LSD radix sort on the values' bits (linear time, no comparisons to
mispredict); small ones an introsort.
"""

import numpy as np

from libc.math cimport log2
from libc.string cimport memcpy, memset

# Below this many values an introsort beats the radix sort's fixed cost (its 4 x 256
# counters). Measured on W-rf (continuous values, 50k rows): 512 -> 128 takes 17% off a random
# forest's fit; on adult (one-hot columns, where the three-way introsort shines) no change.
cdef intp_t RADIX_MIN_SIZE = 128


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


cdef inline uint32_t float_to_key(float value) noexcept nogil:
    # Order-preserving map of IEEE floats to unsigned ints: flip every bit of negatives, only
    # the sign bit of positives. -0.0 and 0.0 get neighbouring keys; both compare equal later.
    # memcpy, not a pointer cast: reading a float's bytes as an int through a cast breaks C's
    # strict-aliasing rule, which the optimiser may exploit; memcpy compiles to one move.
    cdef uint32_t bits
    memcpy(&bits, &value, sizeof(bits))
    return bits ^ (<uint32_t>0xFFFFFFFF if bits >> 31 else <uint32_t>0x80000000)


cdef inline float key_to_float(uint32_t key) noexcept nogil:
    cdef uint32_t bits = key ^ (<uint32_t>0x80000000 if key >> 31 else <uint32_t>0xFFFFFFFF)
    cdef float value
    memcpy(&value, &bits, sizeof(value))
    return value


cdef bint two_key_sort(uint32_t* keys, intp_t* rows, intp_t n, uint32_t low, uint32_t high,
                       uint32_t* scratch_keys, intp_t* scratch_rows) noexcept nogil:
    """Stable sort of keys that are all ``low`` or ``high`` in one partition pass, the order
    the radix sort's passes would give; False (nothing changed) if another key is present."""
    cdef intp_t i, n_low = 0, next_low = 0, next_high, position
    cdef uint32_t key
    cdef bint is_low
    for i in range(n):
        key = keys[i]
        if key != low and key != high:
            return False  # (many values: found at once; two values: never taken)
        n_low += key == low
    next_high = n_low
    for i in range(n):
        key = keys[i]
        is_low = key == low
        # No branch on the key: a one-hot column's zeros and ones come in no order.
        position = next_low if is_low else next_high
        scratch_keys[position] = key
        scratch_rows[position] = rows[i]
        next_low += is_low
        next_high += not is_low
    memcpy(keys, scratch_keys, n * sizeof(uint32_t))
    memcpy(rows, scratch_rows, n * sizeof(intp_t))
    return True


cdef void radix_sort(float* values, intp_t* rows, intp_t n, uint32_t* scratch_keys,
                     intp_t* scratch_rows) noexcept nogil:
    """Stable counting passes over the key's four bytes, skipping those every key shares
    (narrow value ranges and few distinct values need fewer); keys of only two values (one-hot
    columns) are partitioned in one pass instead."""
    cdef uint32_t* keys = <uint32_t*>values  # the values' buffer holds the keys meanwhile
    cdef uint32_t* source_keys = keys
    cdef uint32_t* target_keys = scratch_keys
    cdef intp_t* source_rows = rows
    cdef intp_t* target_rows = scratch_rows
    cdef intp_t counts[4][256]
    cdef intp_t* byte_counts
    cdef intp_t i, digit, total, count
    cdef uint32_t key
    cdef int byte, shift
    cdef uint32_t low = 0xFFFFFFFF, high = 0
    for i in range(n):
        key = float_to_key(values[i])
        keys[i] = key
        low = key if key < low else low
        high = key if key > high else high
    if low == high or two_key_sort(keys, rows, n, low, high, scratch_keys, scratch_rows):
        for i in range(n):
            values[i] = key_to_float(keys[i])
        return
    # The byte counts in a pass of their own: in the pass above they would wait on each other
    # wherever neighbouring keys share digits (few distinct values), for nothing when the keys
    # turn out to be two.
    memset(counts, 0, sizeof(counts))
    for i in range(n):
        key = keys[i]
        counts[0][key & 0xFF] += 1
        counts[1][(key >> 8) & 0xFF] += 1
        counts[2][(key >> 16) & 0xFF] += 1
        counts[3][key >> 24] += 1
    for byte in range(4):
        shift = 8 * byte
        byte_counts = counts[byte]
        if byte_counts[(source_keys[0] >> shift) & 0xFF] == n:
            continue
        total = 0
        for digit in range(256):
            count = byte_counts[digit]
            byte_counts[digit] = total
            total += count
        for i in range(n):
            digit = (source_keys[i] >> shift) & 0xFF
            target_keys[byte_counts[digit]] = source_keys[i]
            target_rows[byte_counts[digit]] = source_rows[i]
            byte_counts[digit] += 1
        source_keys, target_keys = target_keys, source_keys
        source_rows, target_rows = target_rows, source_rows
    if source_keys != keys:
        memcpy(keys, source_keys, n * sizeof(uint32_t))
        memcpy(rows, source_rows, n * sizeof(intp_t))
    for i in range(n):
        values[i] = key_to_float(keys[i])


cdef void sort_values_with_rows(float* values, intp_t* rows, intp_t n, uint32_t* scratch_keys,
                                intp_t* scratch_rows) noexcept nogil:
    """Sort ``values[:n]`` ascending (no NaN) and permute ``rows[:n]`` alongside.

    ``scratch_keys`` and ``scratch_rows`` hold ``n`` entries each (NULL: the introsort only).
    """
    if n >= RADIX_MIN_SIZE and scratch_keys != NULL and scratch_rows != NULL:
        radix_sort(values, rows, n, scratch_keys, scratch_rows)
    elif n > 1:
        introsort(values, rows, n, 2 * <int>log2(n))


def sort_for_tests(float[::1] values, intp_t[::1] rows):
    """Sort in place (test entry point of the kernel)."""
    cdef uint32_t[::1] scratch_keys = np.empty(max(values.shape[0], 1), dtype=np.uint32)
    cdef intp_t[::1] scratch_rows = np.empty(max(values.shape[0], 1), dtype=np.intp)
    sort_values_with_rows(&values[0], &rows[0], values.shape[0], &scratch_keys[0], &scratch_rows[0])
