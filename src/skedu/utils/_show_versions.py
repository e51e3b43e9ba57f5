"""What a bug report needs: versions of skedu and its dependencies, and skedu's OpenMP runtime.

Modelled on :func:`sklearn.show_versions`.
"""

import ctypes
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

from threadpoolctl import threadpool_info

from .. import __version__
from .._core import _openmp
from ._threads import effective_n_threads

# Run-time dependencies first, then the tools that built or installed skedu.
_DEPENDENCIES = ["numpy", "scipy", "scikit-learn", "threadpoolctl", "pip", "setuptools", "Cython"]


def _get_sys_info():
    """Python and the machine.

    Returns
    -------
    sys_info : dict
        ``python``, ``executable`` and ``machine``.
    """
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _get_deps_info():
    """Installed versions of skedu and of the packages it runs or was built with.

    Returns
    -------
    deps_info : dict
        Distribution name to version string, None where the distribution is not installed.
    """
    deps_info = {"skedu": __version__}
    for name in _DEPENDENCIES:
        try:
            deps_info[name] = version(name)
        except PackageNotFoundError:
            deps_info[name] = None
    return deps_info


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def _linked_openmp_path():
    """File of the OpenMP runtime that skedu's kernels call, or None where it cannot be told.

    Looks ``omp_get_max_threads`` up from skedu's own extension module, so that the dynamic
    loader answers with the library that module is linked to (the copy bundled in the wheel, or
    the compiler's), even when another package has loaded a different OpenMP runtime.
    """
    if sys.platform == "win32":  # no dladdr; threadpoolctl's list is used instead
        return None
    try:
        kernel = ctypes.CDLL(_openmp.__file__)
        function = ctypes.cast(kernel.omp_get_max_threads, ctypes.c_void_p)
        dladdr = ctypes.CDLL(None).dladdr
        dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
        info = _DlInfo()
        if not dladdr(function, ctypes.byref(info)) or not info.dli_fname:
            return None
        return os.fsdecode(info.dli_fname)
    except (AttributeError, OSError):
        return None


def _get_openmp_info():
    """The OpenMP runtime skedu was built with and the threads its kernels will use now.

    Returns
    -------
    openmp_info : dict
        ``built with OpenMP`` (bool), ``runtime`` (threadpoolctl's name for it, such as
        ``libgomp``, ``libomp`` or ``vcomp``), ``version`` (None where the runtime does not
        report one, as libgomp), ``filepath``, ``threads``: what ``n_jobs=None`` gives, after
        ``OMP_NUM_THREADS`` and threadpoolctl limits, and ``CPUs``.
    """
    info = {
        "built with OpenMP": _openmp.built_with_openmp(),
        "runtime": None,
        "version": None,
        "filepath": None,
        "threads": effective_n_threads(None),
        "CPUs": os.cpu_count(),
    }
    if not info["built with OpenMP"]:
        return info
    loaded = [lib for lib in threadpool_info() if lib["user_api"] == "openmp"]
    path = _linked_openmp_path()
    if path is not None:
        same_file = [lib for lib in loaded if _same_file(lib["filepath"], path)]
        runtime = same_file[0] if same_file else {"filepath": path}
    elif len(loaded) == 1:
        runtime = loaded[0]
    else:  # several runtimes loaded and no way to ask which is skedu's
        return info
    info["runtime"] = runtime.get("prefix")
    info["version"] = runtime.get("version")
    info["filepath"] = runtime["filepath"]
    return info


def _same_file(first, second):
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def show_versions():
    """Print what a bug report needs: versions, platform and skedu's OpenMP runtime.

    Shows skedu's version; Python, its executable and the platform; the versions of numpy,
    scipy, scikit-learn, threadpoolctl and of the tools that installed skedu; whether the
    kernels were built with OpenMP, which runtime they call (file and, where the runtime
    tells, its version) and how many threads they will use.

    See Also
    --------
    sklearn.show_versions : The same report for scikit-learn.

    Examples
    --------
    >>> import skedu
    >>> skedu.show_versions()  # doctest: +SKIP
    """
    sections = [
        ("System", _get_sys_info()),
        ("Python dependencies", _get_deps_info()),
        ("OpenMP", _get_openmp_info()),
    ]
    for title, section in sections:
        print(f"\n{title}:")
        width = max(len(key) for key in section)
        for key, value in section.items():
            print(f"{key:>{width}}: {value}")
