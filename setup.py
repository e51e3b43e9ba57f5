"""Build script: cythonize every ``src/skedu/_core/*.pyx`` with OpenMP.

Environment variables
---------------------
SKEDU_DEBUG=1
    Build the kernels with bounds checks and index wrap-around checks on (the debug test job).
SKEDU_NO_OPENMP=1
    Build without OpenMP (serial kernels), as happens automatically when the compiler lacks it.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = Path(__file__).parent
CORE = HERE / "src" / "skedu" / "_core"


def _compiler_supports_openmp():
    """Return True when the C compiler links a tiny OpenMP program with ``-fopenmp``."""
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    compiler = compiler.split()[0]
    if shutil.which(compiler) is None:
        return False
    source = "#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "check_openmp.c"
        src.write_text(source)
        result = subprocess.run(
            [compiler, "-fopenmp", str(src), "-o", str(Path(tmp) / "check_openmp")],
            capture_output=True,
        )
    return result.returncode == 0


def _openmp_flags():
    if os.environ.get("SKEDU_NO_OPENMP"):
        return [], []
    if sys.platform == "win32":
        return ["/openmp"], []
    if _compiler_supports_openmp():
        return ["-fopenmp"], ["-fopenmp"]
    warnings.warn(
        "The C compiler does not support OpenMP: skedu's kernels are built serial. "
        "Install a compiler with OpenMP (gcc, or clang with libomp) for parallel fits."
    )
    return [], []


def _extensions():
    compile_flags, link_flags = _openmp_flags()
    if sys.platform != "win32":
        compile_flags = compile_flags + ["-O3"]
    extensions = [
        Extension(
            f"skedu._core.{pyx.stem}",
            [str(pyx.relative_to(HERE))],
            include_dirs=[numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=compile_flags,
            extra_link_args=link_flags,
        )
        for pyx in sorted(CORE.glob("*.pyx"))
    ]
    debug = bool(os.environ.get("SKEDU_DEBUG"))
    directives = {
        "language_level": 3,
        "boundscheck": debug,
        "wraparound": debug,
        "initializedcheck": debug,
        "cdivision": True,
        "nonecheck": False,
        "cpow": True,
    }
    return cythonize(
        extensions,
        compiler_directives=directives,
        include_path=[str(HERE / "src")],
        nthreads=os.cpu_count() or 1,
    )


setup(ext_modules=_extensions())
