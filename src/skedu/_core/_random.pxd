# A small counter-free generator (splitmix64) with its state passed explicitly, so each tree owns
# its stream and results never depend on thread scheduling.

from libc.stdint cimport uint64_t
from ._types cimport intp_t


cdef inline uint64_t next_random(uint64_t* state) noexcept nogil:
    cdef uint64_t z
    state[0] += <uint64_t>0x9E3779B97F4A7C15
    z = state[0]
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef inline intp_t random_below(uint64_t* state, intp_t bound) noexcept nogil:
    """Uniform integer in [0, bound) (bound > 0); the modulo bias is below 2**-40 here."""
    return <intp_t>(next_random(state) % <uint64_t>bound)


cdef inline double random_uniform(uint64_t* state) noexcept nogil:
    """Uniform double in [0, 1) from the top 53 bits."""
    return (next_random(state) >> 11) * (1.0 / 9007199254740992.0)
