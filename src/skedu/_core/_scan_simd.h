/* The gains of a second-order split scan, four bins at a time (AVX2), chosen at run time.

   ``_split.pyx: second_order_split`` sweeps a feature's bins once, adding each occupied bin
   to the left side's running sums and scoring the split there. In mid-sized and large nodes
   the scoring is most of the sweep: two divisions and some twenty other operations a bin, one
   bin at a time. ``skedu_best_gain_avx2`` scores four bins at once from the running sums
   written beforehand, with the same operations in the same order, so that every gain is the
   scalar sweep's bit for bit; the first bin of the largest gain wins, as in the sweep.

   The kernel is compiled for AVX2 alone (its own target attribute, no FMA: a product and a
   sum stay two roundings), and called only where the processor has AVX2
   (``skedu_have_avx2``); elsewhere, and on other architectures, the scalar sweep runs. */

#ifndef SKEDU_SCAN_SIMD_H
#define SKEDU_SCAN_SIMD_H

#include <math.h>

#if defined(__GNUC__) && defined(__x86_64__)
#define SKEDU_SCAN_SIMD 1
#include <immintrin.h>

static int skedu_have_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

/* The first of the ``n`` candidates (``n`` a multiple of 4) whose gain exceeds ``*best_gain``
   and every other candidate's, or -1; its gain then replaces ``*best_gain``. Candidate b
   sends left the running sums ``left_gradient[b]``, ``left_hessian[b]``, ``left_count[b]``
   (whole numbers as doubles); the gain is
   0.5 G_L^2 / (H_L + l2) + 0.5 G_R^2 / (H_R + l2) - node_score, a side's term 0 where its
   H + l2 is not positive, and a candidate counts only when both sides have ``min_count``
   rows and ``min_hessian`` hessian. ``*varies``: whether some candidate has rows on both
   sides. */
__attribute__((target("avx2")))
static long skedu_best_gain_avx2(const double* left_gradient, const double* left_hessian,
                                 const double* left_count, long n, double node_gradient,
                                 double node_hessian, double node_count, double node_score,
                                 double l2, double min_hessian, double min_count,
                                 double* best_gain, int* varies) {
    const __m256d gradient_total = _mm256_set1_pd(node_gradient);
    const __m256d hessian_total = _mm256_set1_pd(node_hessian);
    const __m256d count_total = _mm256_set1_pd(node_count);
    const __m256d score_total = _mm256_set1_pd(node_score);
    const __m256d lambda = _mm256_set1_pd(l2);
    const __m256d least_hessian = _mm256_set1_pd(min_hessian);
    const __m256d least_count = _mm256_set1_pd(min_count);
    const __m256d half = _mm256_set1_pd(0.5);
    const __m256d zero = _mm256_setzero_pd();
    const __m256d four = _mm256_set1_pd(4.0);
    __m256d lane_best = _mm256_set1_pd(-INFINITY);
    __m256d lane_at = _mm256_set1_pd(-1.0);
    __m256d position = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
    __m256d split_somewhere = zero;
    double gains[4], positions[4];
    long b, j, at = -1;
    for (b = 0; b < n; b += 4) {
        __m256d gradient = _mm256_loadu_pd(left_gradient + b);
        __m256d hessian = _mm256_loadu_pd(left_hessian + b);
        __m256d count = _mm256_loadu_pd(left_count + b);
        __m256d right_gradient = _mm256_sub_pd(gradient_total, gradient);
        __m256d right_hessian = _mm256_sub_pd(hessian_total, hessian);
        __m256d right_count = _mm256_sub_pd(count_total, count);
        __m256d left_denominator = _mm256_add_pd(hessian, lambda);
        __m256d right_denominator = _mm256_add_pd(right_hessian, lambda);
        __m256d left_score = _mm256_div_pd(
            _mm256_mul_pd(half, _mm256_mul_pd(gradient, gradient)), left_denominator);
        __m256d right_score = _mm256_div_pd(
            _mm256_mul_pd(half, _mm256_mul_pd(right_gradient, right_gradient)),
            right_denominator);
        left_score = _mm256_and_pd(left_score,
                                   _mm256_cmp_pd(left_denominator, zero, _CMP_GT_OQ));
        right_score = _mm256_and_pd(right_score,
                                    _mm256_cmp_pd(right_denominator, zero, _CMP_GT_OQ));
        __m256d gain = _mm256_sub_pd(_mm256_add_pd(left_score, right_score), score_total);
        __m256d allowed = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(count, least_count, _CMP_GE_OQ),
                          _mm256_cmp_pd(right_count, least_count, _CMP_GE_OQ)),
            _mm256_and_pd(_mm256_cmp_pd(hessian, least_hessian, _CMP_GE_OQ),
                          _mm256_cmp_pd(right_hessian, least_hessian, _CMP_GE_OQ)));
        __m256d better = _mm256_and_pd(allowed, _mm256_cmp_pd(gain, lane_best, _CMP_GT_OQ));
        split_somewhere = _mm256_or_pd(split_somewhere, _mm256_and_pd(
            _mm256_cmp_pd(count, zero, _CMP_GT_OQ), _mm256_cmp_pd(right_count, zero, _CMP_GT_OQ)));
        lane_best = _mm256_blendv_pd(lane_best, gain, better);
        lane_at = _mm256_blendv_pd(lane_at, position, better);
        position = _mm256_add_pd(position, four);
    }
    *varies = _mm256_movemask_pd(split_somewhere) != 0;
    /* Each lane kept its first largest gain; the largest over the lanes, the first bin of it. */
    _mm256_storeu_pd(gains, lane_best);
    _mm256_storeu_pd(positions, lane_at);
    for (j = 0; j < 4; j++) {
        if (positions[j] < 0.0)
            continue;
        if (gains[j] > *best_gain || (at >= 0 && gains[j] == *best_gain && positions[j] < at)) {
            *best_gain = gains[j];
            at = (long)positions[j];
        }
    }
    return at;
}

#else
#define SKEDU_SCAN_SIMD 0

static int skedu_have_avx2(void) { return 0; }

static long skedu_best_gain_avx2(const double* left_gradient, const double* left_hessian,
                                 const double* left_count, long n, double node_gradient,
                                 double node_hessian, double node_count, double node_score,
                                 double l2, double min_hessian, double min_count,
                                 double* best_gain, int* varies) {
    /* Never called: skedu_have_avx2() is 0 here. */
    *varies = 0;
    return -1;
}
#endif

#endif
