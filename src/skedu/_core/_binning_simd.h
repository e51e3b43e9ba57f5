/* A value's bin by two compares of sixteen edges (AVX2), chosen at run time.

   ``_binning.pyx: map_rows_to_bins`` counts the edges strictly below a value (its bin) by a
   branch-free halving search: eight dependent loads and compares a value, 10-12 ns. With
   256 edges (the column's, padded with +inf) in float32, the count is two steps of sixteen
   compares: the block of sixteen edges the value falls in (how many of the blocks' last
   edges are below it), then how many of that block's edges are; each step is two vector
   compares, a mask and a population count, and the values' searches overlap.

   The edges are float64; a float32 value v is above an edge e exactly when it is above
   the largest float32 not above e (``skedu_float_below``): the next float32 is above e. So
   the counts, and the bins, are the halving search's, bit for bit. NaN: ``MISSING``. */

#ifndef SKEDU_BINNING_SIMD_H
#define SKEDU_BINNING_SIMD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* The largest float32 not above ``edge`` (-inf below every float32, FLT_MAX for edges past
   it but finite). */
static inline float skedu_float_below(double edge) {
    float rounded = (float)edge;
    if ((double)rounded > edge)
        rounded = nextafterf(rounded, -INFINITY);
    return rounded;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

static int skedu_binning_have_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

/* Bins of ``n`` values ``values[i * stride]`` into ``out[i * stride]``: the number of the
   256 ascending float32 ``edges`` strictly below each value, ``missing`` for NaN.
   ``pivots[j]`` is ``edges[16 j + 15]``, the last edge of block j. */
__attribute__((target("avx2,popcnt")))
static void skedu_find_bins_avx2(const float* values, ptrdiff_t stride, ptrdiff_t n,
                                 const float* edges, const float* pivots, uint8_t missing,
                                 uint8_t* out) {
    const __m256 pivots_low = _mm256_loadu_ps(pivots);
    const __m256 pivots_high = _mm256_loadu_ps(pivots + 8);
    ptrdiff_t i;
    for (i = 0; i < n; i++) {
        const float value = values[i * stride];
        const __m256 broadcast = _mm256_set1_ps(value);
        /* The block: how many blocks end below the value (pivots ascending). */
        const unsigned blocks =
            (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(pivots_low, broadcast, _CMP_LT_OQ))
            | ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(pivots_high, broadcast, _CMP_LT_OQ))
               << 8);
        const int block = __builtin_popcount(blocks);
        const float* first = edges + 16 * block;
        const unsigned below =
            (unsigned)_mm256_movemask_ps(
                _mm256_cmp_ps(_mm256_loadu_ps(first), broadcast, _CMP_LT_OQ))
            | ((unsigned)_mm256_movemask_ps(
                   _mm256_cmp_ps(_mm256_loadu_ps(first + 8), broadcast, _CMP_LT_OQ))
               << 8);
        out[i * stride] = value != value ? missing
                                         : (uint8_t)(16 * block + __builtin_popcount(below));
    }
}

#else

static int skedu_binning_have_avx2(void) { return 0; }

static void skedu_find_bins_avx2(const float* values, ptrdiff_t stride, ptrdiff_t n,
                                 const float* edges, const float* pivots, uint8_t missing,
                                 uint8_t* out) {
    /* Never called: skedu_binning_have_avx2() is 0 here. */
    (void)values; (void)stride; (void)n; (void)edges; (void)pivots; (void)missing; (void)out;
}

#endif

#endif
