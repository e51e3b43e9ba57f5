/* exp(-x) over arrays, vectorised: the sigmoid's exponentials of a boosting round.

   The C library's exp is a call a value (about 4.5 ns here, most of a binomial gradient
   pass). ``skedu_exp`` is branch-free arithmetic the compiler vectorises: x = k ln2 + r
   with k = round(x / ln2) and |r| <= ln2 / 2 (ln2 in two parts, Cody and Waite's reduction),
   exp(r) by its Taylor polynomial of degree 13 (truncation below 1e-17), times 2**k made
   from exponent bits in two factors (so that results down to the subnormals and up to the
   largest double are reached). Within 2 ulp of the exact value (tests: within 2 ulp of
   numpy's); +inf above 709.78, 0 below -745.13, NaN for NaN.

   The loop is compiled three times, for AVX-512 (eight values at a time), AVX2 (four) and
   the baseline (two, SSE2); each value takes the same operations in the same order every
   way, so the results, and the models, do not depend on the processor. AVX-512 has fused
   multiply-adds, which would round p * r + c once instead of twice: the package is built
   with -ffp-contract=off (setup.py), so the compiler does not fuse them. */

#ifndef SKEDU_EXP_H
#define SKEDU_EXP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* GCC turns a select of floating-point compares into vector blends only when the compares
   may not trap (they never do here: no exception is enabled); the values are the same. */
#if defined(__GNUC__) && !defined(__clang__)
#define SKEDU_NO_TRAPS __attribute__((optimize("no-trapping-math")))
#else
#define SKEDU_NO_TRAPS
#endif

SKEDU_NO_TRAPS
static inline double skedu_exp(double x) {
    const double round_shift = 0x1.8p52;   /* adding it rounds to an integer in the low bits */
    const double log2e = 1.4426950408889634;
    const double ln2_high = 6.93147180369123816490e-01;   /* 32 bits: k ln2_high is exact */
    const double ln2_low = 1.90821492927058770002e-10;
    double clamped = x > 710.0 ? 710.0 : (x < -746.0 ? -746.0 : x);
    double shifted, k, half_shifted, r, p, scale_1, scale_2, result;
    uint64_t shifted_bits, half_bits, shift_bits, bits_1, bits_2;
    int64_t k_int, k_1, k_2;
    /* NaN: any number here (the result is replaced below). */
    clamped = clamped == clamped ? clamped : 0.0;
    shifted = clamped * log2e + round_shift;
    k = shifted - round_shift;
    half_shifted = k * 0.5 + round_shift;
    memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
    memcpy(&half_bits, &half_shifted, sizeof half_bits);
    memcpy(&shift_bits, &round_shift, sizeof shift_bits);
    k_int = (int64_t)(shifted_bits - shift_bits);
    k_1 = (int64_t)(half_bits - shift_bits);
    k_2 = k_int - k_1;
    r = (clamped - k * ln2_high) - k * ln2_low;
    p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    bits_1 = (uint64_t)(k_1 + 1023) << 52;
    bits_2 = (uint64_t)(k_2 + 1023) << 52;
    memcpy(&scale_1, &bits_1, sizeof scale_1);
    memcpy(&scale_2, &bits_2, sizeof scale_2);
    result = (p * scale_1) * scale_2;
    result = x > 709.782712893384 ? INFINITY : result;
    result = x < -745.1332191019412 ? 0.0 : result;
    return x == x ? result : x;
}

/* ``out[i] = exp(-values[i])`` for i < n. */
SKEDU_NO_TRAPS
static void skedu_negative_exp_baseline(const double* values, double* out, ptrdiff_t n) {
    ptrdiff_t i;
    for (i = 0; i < n; i++)
        out[i] = skedu_exp(-values[i]);
}

#if defined(__GNUC__) && defined(__x86_64__)
SKEDU_NO_TRAPS __attribute__((target("avx2")))
static void skedu_negative_exp_avx2(const double* values, double* out, ptrdiff_t n) {
    ptrdiff_t i;
    for (i = 0; i < n; i++)
        out[i] = skedu_exp(-values[i]);
}

/* AVX512DQ: its conversions between doubles and 64-bit integers. */
SKEDU_NO_TRAPS __attribute__((target("avx512f,avx512dq")))
static void skedu_negative_exp_avx512(const double* values, double* out, ptrdiff_t n) {
    ptrdiff_t i;
    for (i = 0; i < n; i++)
        out[i] = skedu_exp(-values[i]);
}

/* The widest of the loops the processor runs: 8, 4 or 2 values at a time. */
static int skedu_exp_widest(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        return 8;
    return __builtin_cpu_supports("avx2") ? 4 : 2;
}
#else
static void skedu_negative_exp_avx2(const double* values, double* out, ptrdiff_t n) {
    skedu_negative_exp_baseline(values, out, n);
}

static void skedu_negative_exp_avx512(const double* values, double* out, ptrdiff_t n) {
    skedu_negative_exp_baseline(values, out, n);
}

static int skedu_exp_widest(void) { return 2; }
#endif

#endif
