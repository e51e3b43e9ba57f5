"""Compiled kernels of skedu (Cython, nogil, OpenMP). Not a public API."""
