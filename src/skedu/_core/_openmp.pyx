"""What the OpenMP runtime allows: the only place that asks it."""

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int skedu_omp_max_threads(void) { return omp_get_max_threads(); }
    static int skedu_built_with_openmp(void) { return 1; }
    #else
    static int skedu_omp_max_threads(void) { return 1; }
    static int skedu_built_with_openmp(void) { return 0; }
    #endif
    """
    int skedu_omp_max_threads() nogil
    int skedu_built_with_openmp() nogil


def omp_max_threads():
    """Threads an OpenMP parallel region would use now.

    Reflects ``OMP_NUM_THREADS`` and limits set through ``threadpoolctl``; 1 when skedu was
    built without OpenMP.
    """
    return skedu_omp_max_threads()


def built_with_openmp():
    """True when the kernels were compiled with OpenMP."""
    return bool(skedu_built_with_openmp())
