"""Input checks that scikit-learn's validation does not already make."""

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._core._binning import float32_rows


def check_finite_targets(y, name="y"):
    """Raise ``ValueError`` when a numeric target holds NaN or infinity.

    Parameters
    ----------
    y : ndarray
        Target values after validation.
    name : str
        Name used in the error message.
    """
    if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
        raise ValueError(f"Input {name} contains NaN or infinity.")


def check_non_negative_sample_weight(sample_weight, X, dtype=np.float64):
    """Validate ``sample_weight``: right length, finite, non-negative and not all zero.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        ``None`` gives unit weights.
    X : array-like of shape (n_samples, n_features)
        The data the weights belong to.
    dtype : numpy dtype
        Dtype of the returned array.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
    """
    sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sample_weight < 0):
        raise ValueError("Negative values in sample_weight are not allowed.")
    if sample_weight.sum() <= 0:
        raise ValueError("sample_weight sums to zero: at least one sample needs a positive weight.")
    return sample_weight


def contiguous_or_sparse(X):
    """Validated X as the kernels read it: a dense array C-contiguous (a copy only when it is
    not), a sparse matrix as it is."""
    return X if issparse(X) else np.ascontiguousarray(X)


def validate_float32_data(estimator, X, y="no_validation", *, n_threads=1,
                          accept_sparse=("csr", "csc"), **kwargs):
    """``validate_data`` for kernels that read float32 X with NaN as missing values: dense X,
    float64 in particular, is converted and checked for infinities by one compiled pass on
    ``n_threads`` (scikit-learn's validation makes two passes on one thread); a sparse matrix
    is validated by scikit-learn.

    Parameters
    ----------
    estimator : estimator
        Passed to ``validate_data`` (feature names and counts).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or "no_validation", default="no_validation"
        Targets to validate with X (a fit), or none (a prediction).
    n_threads : int, default=1
    accept_sparse : str or tuple of str, default=("csr", "csc")
    **kwargs
        More ``validate_data`` arguments (e.g. ``y_numeric``, ``reset``).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float32 C-contiguous, or sparse matrix
    y : ndarray
        Only when ``y`` is given.
    """
    with_y = not (isinstance(y, str) and y == "no_validation")
    if issparse(X):
        return validate_data(estimator, X, y, accept_sparse=accept_sparse, dtype=np.float32,
                             ensure_all_finite="allow-nan", **kwargs)
    validated = validate_data(estimator, X, y, dtype=[np.float32, np.float64],
                              ensure_all_finite=False, **kwargs)
    X = validated[0] if with_y else validated
    if X.dtype == np.float64 and X.flags.c_contiguous:
        converted = np.empty(X.shape, dtype=np.float32)
        n_infinite = float32_rows(X, converted, n_threads)
    else:
        converted = np.ascontiguousarray(X, dtype=np.float32)
        n_infinite = float32_rows(converted, None, n_threads)
    if n_infinite:
        raise ValueError("Input X contains infinity or a value too large for dtype('float32').")
    return (converted, validated[1]) if with_y else converted
