"""Importing dask for the ``*.dask`` modules, with one clear error when the extra is absent."""

import sys


def require_dask(what):
    """Import and return ``dask`` (with ``dask.delayed``), or raise an ImportError naming the extra.

    Parameters
    ----------
    what : str
        The function that needs dask, for the message.
    """
    try:
        import dask
        import dask.delayed  # noqa: F401
    except ImportError as error:  # pragma: no cover - exercised only without dask
        raise ImportError(f"{what} needs dask; install it with `pip install skedu[dask]`."
                          ) from error
    return dask


def is_dask_collection(obj):
    """Whether ``obj`` is a dask collection (False without importing dask when it is not loaded)."""
    if "dask" not in sys.modules:
        return False
    from dask.base import is_dask_collection as check

    return check(obj)
