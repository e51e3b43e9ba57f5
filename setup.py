"""Build script: cythonize every ``src/skedu/_core/*.pyx`` with OpenMP.

Environment variables
---------------------
SKEDU_DEBUG=1
    Build the kernels with bounds checks and index wrap-around checks on, and keep the debug
    symbols (the debug test job). Release builds leave debug information out and, on Linux, strip
    the symbol tables.
SKEDU_NO_OPENMP=1
    Build without OpenMP (serial kernels), as happens automatically when the compiler lacks it.
"""

import os
import shlex
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


def _compiler_supports_openmp(compile_flags, link_flags):
    """Return True when the C compiler links a tiny OpenMP program with these flags.

    The environment's ``CPPFLAGS``, ``CFLAGS`` and ``LDFLAGS`` take part, as they do in the
    build: that is where a macOS build names libomp's include and library folders.
    """
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    compiler = shlex.split(compiler)
    if shutil.which(compiler[0]) is None:
        return False
    environment_flags = [
        flag for name in ("CPPFLAGS", "CFLAGS", "LDFLAGS") for flag in shlex.split(os.environ.get(name, ""))
    ]
    source = "#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "check_openmp.c"
        src.write_text(source)
        command = compiler + compile_flags + environment_flags + [str(src), "-o", str(Path(tmp) / "check")]
        result = subprocess.run(command + link_flags, capture_output=True)
    return result.returncode == 0


def _openmp_flags():
    if os.environ.get("SKEDU_NO_OPENMP"):
        return [], []
    if sys.platform == "win32":
        return ["/openmp"], []
    candidates = [(["-fopenmp"], ["-fopenmp"])]
    if sys.platform == "darwin":
        # Apple's clang takes OpenMP pragmas only through its preprocessor and has no runtime of
        # its own: it links libomp (Homebrew's or conda-forge's; the wheel build bundles it).
        candidates.append((["-Xpreprocessor", "-fopenmp"], ["-lomp"]))
    for compile_flags, link_flags in candidates:
        if _compiler_supports_openmp(compile_flags, link_flags):
            return compile_flags, link_flags
    warnings.warn(
        "The C compiler does not support OpenMP: skedu's kernels are built serial. "
        "Install a compiler with OpenMP (gcc, or clang with libomp) for parallel fits."
    )
    return [], []


def _size_flags(debug):
    """Compile and link flags for debug information: kept in a debug build, left out otherwise.

    Python's own CFLAGS usually carry ``-g``; ``-g0`` after them wins. MSVC (Windows) writes no
    debug information unless asked to.
    """
    if sys.platform == "win32":
        return [], []
    if debug:
        return ["-g"], []
    if sys.platform.startswith("linux"):
        # -s: the linker drops the symbol tables too; the exported PyInit_* entry points stay
        # in the dynamic symbol table, which is all the interpreter needs.
        return ["-g0"], ["-s"]
    return ["-g0"], []


# Cython regenerates a .c file only when its .pyx (or a cimported .pxd) is newer, never because
# the compiler directives changed: without this record, a bounds-checked build after a release
# build in the same tree would silently compile the release C code (and the other way round).
BUILD_MODE_RECORD = HERE / "build" / "skedu-build-mode"


def _extensions(debug):
    compile_flags, link_flags = _openmp_flags()
    size_compile_flags, size_link_flags = _size_flags(debug)
    if sys.platform != "win32":
        # -ffp-contract=off: every product and sum rounded on its own, never fused into one
        # multiply-add where the processor has them (AVX-512, arm64): the kernels give the
        # same bits on every processor (``_exp.h``'s AVX-512 loop among them).
        compile_flags = compile_flags + ["-O3", "-ffp-contract=off"]
    compile_flags = compile_flags + size_compile_flags
    link_flags = link_flags + size_link_flags
    extensions = [
        Extension(
            f"skedu._core.{pyx.stem}",
            [str(pyx.relative_to(HERE))],
            include_dirs=[numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=compile_flags,
            extra_link_args=link_flags,
            # The C headers some modules include (a change rebuilds them).
            depends=[str(header.relative_to(HERE)) for header in sorted(CORE.glob("*.h"))],
        )
        for pyx in sorted(CORE.glob("*.pyx"))
    ]
    directives = {
        "language_level": 3,
        "boundscheck": debug,
        "wraparound": debug,
        "initializedcheck": debug,
        "cdivision": True,
        "nonecheck": False,
        "cpow": True,
    }
    mode = "debug" if debug else "release"
    previous_mode = BUILD_MODE_RECORD.read_text() if BUILD_MODE_RECORD.exists() else None
    modules = cythonize(
        extensions,
        compiler_directives=directives,
        include_path=[str(HERE / "src")],
        nthreads=os.cpu_count() or 1,
        force=previous_mode != mode,
    )
    BUILD_MODE_RECORD.parent.mkdir(exist_ok=True)
    BUILD_MODE_RECORD.write_text(mode)
    return modules


setup(
    ext_modules=_extensions(debug=bool(os.environ.get("SKEDU_DEBUG"))),
    # Compile the extensions in parallel (``build_ext -j N`` on the command line still wins).
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
