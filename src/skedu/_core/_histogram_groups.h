/* The histogram passes over a group of up to four features of one gradient channel.

   A row's index and statistics are read once for the group, and its additions, to different
   histograms, do not wait on each other (one column at a time is bound by its row's loads and
   the chain of its adds; four together are about 1.7 times faster). Every entry adds its rows
   in row order, whatever the group: the same sums, bit for bit.

   ``_histogram.pyx`` keeps each feature's missing values in the slot after its last
   non-missing bin, and a row's slot is ``min(bin, n_bins_non_missing)``: the missing bin
   (255) lands there. A feature of 255 non-missing bins (any continuous feature binned to the
   most bins) has its missing slot at 255 itself, so its bin *is* its slot. Groups of such
   features, read from their columns or from the row-major copy, take loops without the
   clamps: four registers (the limits) and four compares a row fewer, which lets the row's
   pointers and the group's columns and histograms stay in registers (the clamped loop spills
   them to the stack). W-gbdt (500k x 28), 30 rounds, 2 threads: tree growth 0.776-0.785 ->
   0.681-0.712 s (columns); nodes of 2k-4k rows, read row-major: 3.9 -> 3.2 ns an addition.

   One loop per group size, counting and clamping, from one macro: ``n``, ``count`` and
   ``clamp`` are constants in each, so the compiler keeps only the work that applies (one loop
   testing the group's size on every row was 20% slower). The full loops and the clamped ones
   are functions of their own: in one function the limits' registers were taken from the full
   loops too, which then spilled. */

#ifndef SKEDU_HISTOGRAM_GROUPS_H
#define SKEDU_HISTOGRAM_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SKEDU_NOINLINE __attribute__((noinline))
#else
#define SKEDU_NOINLINE
#endif

/* The group's columns and histograms as locals, which the loops keep in registers (a
   feature past the group's size is never read). */
#define SKEDU_GROUP_LOCALS(entry_type)                                                       \
    const uint8_t* const column_0 = columns[0];                                              \
    const uint8_t* const column_1 = n_columns > 1 ? columns[1] : NULL;                       \
    const uint8_t* const column_2 = n_columns > 2 ? columns[2] : NULL;                       \
    const uint8_t* const column_3 = n_columns > 3 ? columns[3] : NULL;                       \
    entry_type* const base_0 = bases[0];                                                     \
    entry_type* const base_1 = n_columns > 1 ? bases[1] : NULL;                              \
    entry_type* const base_2 = n_columns > 2 ? bases[2] : NULL;                              \
    entry_type* const base_3 = n_columns > 3 ? bases[3] : NULL;                              \
    ptrdiff_t i;

/* The clamped loops' limits, as locals too. */
#define SKEDU_GROUP_LIMITS                                                                   \
    const ptrdiff_t last_0 = lasts[0];                                                       \
    const ptrdiff_t last_1 = n_columns > 1 ? lasts[1] : 0;                                   \
    const ptrdiff_t last_2 = n_columns > 2 ? lasts[2] : 0;                                   \
    const ptrdiff_t last_3 = n_columns > 3 ? lasts[3] : 0;

/* Row i's position in the columns: from the rows' indices (``indexed`` 1), or i itself
   (0: the rows are consecutive, the columns start at the first); times ``stride``, the
   row's length in a row-major copy (1 in columns). Feature k's slot for the row: its bin,
   clamped to its missing slot (``clamp`` 1) or not (0). */
#define SKEDU_ROW_1 rows[i] * stride
#define SKEDU_ROW_0 i * stride
#define SKEDU_ROW(indexed) SKEDU_ROW_##indexed
#define SKEDU_SLOT_0(k) ((ptrdiff_t)column_##k[row])
#define SKEDU_SLOT_1(k)                                                                      \
    ((ptrdiff_t)column_##k[row] > last_##k ? last_##k : (ptrdiff_t)column_##k[row])
#define SKEDU_SLOT(k, clamp) SKEDU_SLOT_##clamp(k)

/* Rows read from their indices ask for the bins of the row SKEDU_PREFETCH_ROWS ahead: a
   small node's rows lie one to a cache line (of each column, or of the row-major copy), which
   the processor's prefetchers do not foresee. W-gbdt, 30 rounds, 2 threads, histograms of
   nodes of 2k-4k rows (row-major): 3.2 -> 2.1 ns an addition, 4k-8k: 2.3 -> 2.1, 16k-32k:
   0.97 -> 0.88; larger nodes unchanged (16 rows ahead: 2.1, 2.1, 0.92; 64: 2.0, 2.2, 0.92).
   Consecutive rows need none. */
#define SKEDU_PREFETCH_ROWS 32
#define SKEDU_PREFETCH_0(n)
#define SKEDU_PREFETCH_1(n)                                                                  \
    if (i + SKEDU_PREFETCH_ROWS < n_rows) {                                                  \
        const ptrdiff_t ahead_ = rows[i + SKEDU_PREFETCH_ROWS] * stride;                     \
        __builtin_prefetch(column_0 + ahead_);                                               \
        if (n > 1)                                                                           \
            __builtin_prefetch(column_1 + ahead_);                                           \
        if (n > 2)                                                                           \
            __builtin_prefetch(column_2 + ahead_);                                           \
        if (n > 3)                                                                           \
            __builtin_prefetch(column_3 + ahead_);                                           \
    }

/* Feature k of the group adds the row's (gradient, hessian) (and 1 to its count) to the
   entry of its slot. */
#define SKEDU_ADD(k, n, count, clamp)                                                        \
    if (n > k) {                                                                             \
        double* entry_ = base_##k + 3 * SKEDU_SLOT(k, clamp);                                \
        entry_[0] += gradient;                                                               \
        entry_[1] += hessian;                                                                \
        if (count)                                                                           \
            entry_[2] += 1.0;                                                                \
    }

#define SKEDU_LOOP(n, count, clamp, indexed)                                                 \
    for (i = 0; i < n_rows; i++) {                                                           \
        const ptrdiff_t row = SKEDU_ROW(indexed);                                            \
        SKEDU_PREFETCH_##indexed(n)                                                          \
        const double gradient = stats[2 * i], hessian = stats[2 * i + 1];                    \
        SKEDU_ADD(0, n, count, clamp)                                                        \
        SKEDU_ADD(1, n, count, clamp)                                                        \
        SKEDU_ADD(2, n, count, clamp)                                                        \
        SKEDU_ADD(3, n, count, clamp)                                                        \
    }

/* The loops of a group of 2 to 4 features, with or without counts. */
#define SKEDU_LOOPS(clamp, indexed)                                                          \
    if (count) {                                                                             \
        if (n_columns == 4) {                                                                \
            SKEDU_LOOP(4, 1, clamp, indexed)                                                 \
        } else if (n_columns == 3) {                                                         \
            SKEDU_LOOP(3, 1, clamp, indexed)                                                 \
        } else {                                                                             \
            SKEDU_LOOP(2, 1, clamp, indexed)                                                 \
        }                                                                                    \
    } else {                                                                                 \
        if (n_columns == 4) {                                                                \
            SKEDU_LOOP(4, 0, clamp, indexed)                                                 \
        } else if (n_columns == 3) {                                                         \
            SKEDU_LOOP(3, 0, clamp, indexed)                                                 \
        } else {                                                                             \
            SKEDU_LOOP(2, 0, clamp, indexed)                                                 \
        }                                                                                    \
    }

/* Feature k of the group adds the row's packed word to the entry of its slot. */
#define SKEDU_PACKED_ADD(k, n, clamp)                                                        \
    if (n > k)                                                                               \
        base_##k[SKEDU_SLOT(k, clamp)] += value;

#define SKEDU_PACKED_LOOP(n, clamp, indexed)                                                 \
    for (i = 0; i < n_rows; i++) {                                                           \
        const ptrdiff_t row = SKEDU_ROW(indexed);                                            \
        SKEDU_PREFETCH_##indexed(n)                                                          \
        const uint64_t value = packed[i];                                                    \
        SKEDU_PACKED_ADD(0, n, clamp)                                                        \
        SKEDU_PACKED_ADD(1, n, clamp)                                                        \
        SKEDU_PACKED_ADD(2, n, clamp)                                                        \
        SKEDU_PACKED_ADD(3, n, clamp)                                                        \
    }

/* The packed loops of a group of 1 to 4 features. */
#define SKEDU_PACKED_LOOPS(clamp, indexed)                                                   \
    if (n_columns == 4) {                                                                    \
        SKEDU_PACKED_LOOP(4, clamp, indexed)                                                 \
    } else if (n_columns == 3) {                                                             \
        SKEDU_PACKED_LOOP(3, clamp, indexed)                                                 \
    } else if (n_columns == 2) {                                                             \
        SKEDU_PACKED_LOOP(2, clamp, indexed)                                                 \
    } else {                                                                                 \
        SKEDU_PACKED_LOOP(1, clamp, indexed)                                                 \
    }

/* Whether the group's bins need no clamping: every feature of 255 non-missing bins. */
static inline int skedu_group_full(const ptrdiff_t* lasts, ptrdiff_t n_columns) {
    ptrdiff_t j;
    for (j = 0; j < n_columns; j++)
        if (lasts[j] != 255)
            return 0;
    return 1;
}

/* The loops as functions of their own: full or clamped, float64 entries or packed words,
   the rows from their indices (suffix ``_indexed``) or consecutive (``_consecutive``: rows
   ``0 .. n_rows - 1`` of columns that start at the first; a root's rows when every row
   grows the tree, read without their indices, about a quarter faster). */
#define SKEDU_GROUP_FUNCTIONS(suffix, indexed)                                               \
    SKEDU_NOINLINE                                                                           \
    static void skedu_full_column_group##suffix(                                             \
            const uint8_t* const* columns, double* const* bases, ptrdiff_t n_columns,        \
            const ptrdiff_t* rows, ptrdiff_t n_rows, ptrdiff_t stride, const double* stats,  \
            int count) {                                                                     \
        SKEDU_GROUP_LOCALS(double)                                                           \
        (void)rows;                                                                          \
        SKEDU_LOOPS(0, indexed)                                                              \
    }                                                                                        \
                                                                                             \
    SKEDU_NOINLINE                                                                           \
    static void skedu_clamped_column_group##suffix(                                          \
            const uint8_t* const* columns, double* const* bases, const ptrdiff_t* lasts,     \
            ptrdiff_t n_columns, const ptrdiff_t* rows, ptrdiff_t n_rows, ptrdiff_t stride,  \
            const double* stats, int count) {                                                \
        SKEDU_GROUP_LOCALS(double)                                                           \
        SKEDU_GROUP_LIMITS                                                                   \
        (void)rows;                                                                          \
        SKEDU_LOOPS(1, indexed)                                                              \
    }                                                                                        \
                                                                                             \
    SKEDU_NOINLINE                                                                           \
    static void skedu_full_packed_group##suffix(                                             \
            const uint8_t* const* columns, uint64_t* const* bases, ptrdiff_t n_columns,      \
            const ptrdiff_t* rows, ptrdiff_t n_rows, ptrdiff_t stride,                       \
            const uint64_t* packed) {                                                        \
        SKEDU_GROUP_LOCALS(uint64_t)                                                         \
        (void)rows;                                                                          \
        SKEDU_PACKED_LOOPS(0, indexed)                                                       \
    }                                                                                        \
                                                                                             \
    SKEDU_NOINLINE                                                                           \
    static void skedu_clamped_packed_group##suffix(                                          \
            const uint8_t* const* columns, uint64_t* const* bases, const ptrdiff_t* lasts,   \
            ptrdiff_t n_columns, const ptrdiff_t* rows, ptrdiff_t n_rows, ptrdiff_t stride,  \
            const uint64_t* packed) {                                                        \
        SKEDU_GROUP_LOCALS(uint64_t)                                                         \
        SKEDU_GROUP_LIMITS                                                                   \
        (void)rows;                                                                          \
        SKEDU_PACKED_LOOPS(1, indexed)                                                       \
    }

SKEDU_GROUP_FUNCTIONS(_indexed, 1)
SKEDU_GROUP_FUNCTIONS(_consecutive, 0)

/* Add rows ``rows[:n_rows]`` (their statistics ``stats[2 i]``, ``stats[2 i + 1]``) to the
   histograms of ``n_columns`` (2 to 4) features: feature k's bin of row r is
   ``columns[k][r * stride]`` (columns: stride 1; a row-major copy: the row's length), its
   slot ``min(bin, lasts[k])``, its entries (gradient, hessian, count) start at ``bases[k]``;
   ``count``: also add 1 to the entries' counts. ``rows`` NULL: the rows are 0 .. n_rows - 1
   (the caller moves the columns to its first row). */
static void skedu_add_column_group(const uint8_t* const* columns, double* const* bases,
                                   const ptrdiff_t* lasts, ptrdiff_t n_columns,
                                   const ptrdiff_t* rows, ptrdiff_t n_rows, ptrdiff_t stride,
                                   const double* stats, int count) {
    int full = skedu_group_full(lasts, n_columns);
    if (full && rows != NULL)
        skedu_full_column_group_indexed(columns, bases, n_columns, rows, n_rows, stride, stats,
                                        count);
    else if (full)
        skedu_full_column_group_consecutive(columns, bases, n_columns, rows, n_rows, stride,
                                            stats, count);
    else if (rows != NULL)
        skedu_clamped_column_group_indexed(columns, bases, lasts, n_columns, rows, n_rows,
                                           stride, stats, count);
    else
        skedu_clamped_column_group_consecutive(columns, bases, lasts, n_columns, rows, n_rows,
                                               stride, stats, count);
}

/* ``skedu_add_column_group`` for packed statistics (``_histogram.pyx:
   build_packed_histograms``), groups of 1 to 4 features: each row adds its word
   ``packed[i]`` to feature k's entry of its slot, at ``bases[k]``. */
static void skedu_add_packed_group(const uint8_t* const* columns, uint64_t* const* bases,
                                   const ptrdiff_t* lasts, ptrdiff_t n_columns,
                                   const ptrdiff_t* rows, ptrdiff_t n_rows, ptrdiff_t stride,
                                   const uint64_t* packed) {
    int full = skedu_group_full(lasts, n_columns);
    if (full && rows != NULL)
        skedu_full_packed_group_indexed(columns, bases, n_columns, rows, n_rows, stride, packed);
    else if (full)
        skedu_full_packed_group_consecutive(columns, bases, n_columns, rows, n_rows, stride,
                                            packed);
    else if (rows != NULL)
        skedu_clamped_packed_group_indexed(columns, bases, lasts, n_columns, rows, n_rows,
                                           stride, packed);
    else
        skedu_clamped_packed_group_consecutive(columns, bases, lasts, n_columns, rows, n_rows,
                                               stride, packed);
}

#endif
