"""Inputs of FP-growth as item ids in CSR form, whatever their type.

Four kinds of input are accepted: a list (or other iterable) of transactions of hashable items,
a dense 2-D array, a scipy sparse matrix, and a pandas DataFrame (dense or sparse columns); in
the last three the non-zero entries of a row are its items (mlxtend's functions require 0/1).
Arrays, matrices and frames go through scikit-learn's ``validate_data`` so that
NaN, infinity, wrong dimensions and empty input get its usual messages; sparse input is never
densified.
"""

from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils.validation import validate_data

from .._core._fp_encode import encode_transactions


def is_dataframe(X):
    """True for a pandas DataFrame, checked without importing pandas."""
    return type(X).__module__.split(".")[0] == "pandas" and hasattr(X, "columns")


def is_matrix_input(X):
    """True when ``X`` is read as an (n_transactions, n_items) matrix rather than transactions.

    A pandas Series (say a column of baskets) is a sequence of transactions.
    """
    if type(X).__module__.split(".")[0] == "pandas" and getattr(X, "ndim", 2) == 1:
        return False
    if isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype == object:
        return False  # a 1-D object array of baskets, e.g. a DataFrame column's values
    return (sparse.issparse(X) or is_dataframe(X)
            or (hasattr(X, "__array__") and not isinstance(X, (list, tuple))))


ZERO_ONE_MESSAGE = "The allowed values for a DataFrame are True, False, 0, 1. Found value {!r}."
NAMES_HINT = (
    " A table of item names (as pandas reads a basket CSV, one basket per row) is a list of "
    "transactions: pass [[item for item in row if not pandas.isna(item)] for row in "
    "df.itertuples(index=False)] to FPGrowth, or one-hot encode it first (e.g. mlxtend's "
    "TransactionEncoder) for fpgrowth."
)


def _check_zero_one(values, what):
    if values.dtype == bool:
        return
    wrong = (values != 0) & (values != 1)
    if np.any(wrong):
        raise ValueError(
            f"{what} must hold only 0 and 1 (one-hot transactions): "
            + ZERO_ONE_MESSAGE.format(values[wrong][0].item())
        )


def check_numeric_values(X):
    """Refuse a matrix of non-numbers (item names) with mlxtend's message and a hint.

    Parameters
    ----------
    X : DataFrame or array-like (not sparse)
    """
    if is_dataframe(X):
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        non_numeric = [j for j, dtype in enumerate(X.dtypes)
                       if not (is_bool_dtype(dtype) or is_numeric_dtype(dtype))]
        if not non_numeric:
            return
        values = X.iloc[:, non_numeric[0]].to_numpy(dtype=object)
    else:
        array = np.asarray(X)
        if array.dtype == bool or np.issubdtype(array.dtype, np.number):
            return
        values = array.ravel().astype(object)
    try:
        np.asarray(values, dtype=np.float64)
        return  # numbers stored as objects: validated as numbers downstream
    except (TypeError, ValueError):
        pass
    for value in values:
        if not isinstance(value, (str, bytes)):
            continue
        raise ValueError(ZERO_ONE_MESSAGE.format(value) + NAMES_HINT)


def _csr_from_matrix(X, zero_one):
    """(indptr int64, ids int32): the columns of the non-zero entries of each row."""
    if sparse.issparse(X):
        X = sparse.csr_matrix(X, copy=True)
        X.sum_duplicates()
        if zero_one:
            _check_zero_one(X.data, "The sparse matrix")
        X.eliminate_zeros()
        return X.indptr.astype(np.int64), X.indices.astype(np.int32)
    if zero_one:
        _check_zero_one(X, "The array")
    rows, columns = np.nonzero(X)
    indptr = np.zeros(X.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=X.shape[0]), out=indptr[1:])
    return indptr, columns.astype(np.int32)


def transactions_to_ids(estimator, X, reset, zero_one=False):
    """Read any accepted input as item ids.

    Parameters
    ----------
    estimator : BaseEstimator
        Passed to ``validate_data`` for matrix input (records or checks ``n_features_in_``).
    X : list of iterables, ndarray, sparse matrix or DataFrame
        The transactions.
    reset : bool
        True in ``fit``; False when the input must match the fitted one.
    zero_one : bool
        Require a matrix to hold only 0 and 1 (mlxtend's rule); otherwise every non-zero entry
        marks an item present, so that counts (e.g. from ``CountVectorizer``) work as they are.

    Returns
    -------
    indptr : ndarray of shape (n_transactions + 1,), int64
    ids : ndarray of shape (n_entries,), int32
        Items of each transaction as ids, without repeats.
    labels : list
        The item of each id: column names of a DataFrame, column indices of an array, the items
        themselves for transactions.
    """
    if is_matrix_input(X):
        labels = list(X.columns) if is_dataframe(X) else None
        if not sparse.issparse(X):
            check_numeric_values(X)
        X = validate_data(estimator, X, accept_sparse="csr", dtype="numeric", reset=reset)
        indptr, ids = _csr_from_matrix(X, zero_one)
        if labels is None:
            labels = list(range(X.shape[1]))
        return indptr, ids, labels
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise TypeError(
            "X must be a list of transactions (iterables of hashable items), a 0/1 array, a "
            f"sparse matrix or a one-hot DataFrame; got {type(X).__name__}."
        )
    indptr, ids, labels = encode_transactions(X)
    if indptr.shape[0] == 1:
        raise ValueError("X holds no transactions: at least one is required.")
    return indptr, ids, labels


def min_support_count(min_support, n_transactions, allow_count):
    """The smallest number of transactions that meets ``min_support``.

    Parameters
    ----------
    min_support : float or int
        A fraction in (0, 1], or, when ``allow_count``, an integer count of at least 1.
    n_transactions : int
    allow_count : bool
        Whether an integer means an absolute count (the estimator) or a fraction (mlxtend).

    Returns
    -------
    min_count : int
        At least 1. A fraction ``f`` gives the least ``c`` with ``c / n_transactions >= f``,
        the comparison mlxtend makes.
    """
    if isinstance(min_support, (bool, np.bool_)) or not isinstance(min_support, Real):
        raise TypeError(f"min_support must be a number, got {min_support!r}.")
    if allow_count and isinstance(min_support, Integral):
        if min_support < 1:
            raise ValueError(
                f"min_support as a count of transactions must be at least 1, got {min_support}."
            )
        return int(min_support)
    fraction = float(min_support)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(
            f"min_support as a fraction of transactions must be in (0, 1], got {min_support!r}."
        )
    count = max(1, int(np.ceil(fraction * n_transactions)))
    while count > 1 and (count - 1) / float(n_transactions) >= fraction:
        count -= 1
    while count / float(n_transactions) < fraction:
        count += 1
    return count
