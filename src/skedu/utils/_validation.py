"""Input checks that scikit-learn's validation does not already make."""

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.validation import _check_sample_weight


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
