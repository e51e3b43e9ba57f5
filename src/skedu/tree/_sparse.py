"""Sparse input of the tree models: the layouts the kernels read, never a dense copy.

Fitting reads the stored non-zero values row by row (``_core._sparse_split`` groups a node's
entries by feature) after the bin edges (hist) are chosen from CSC columns; prediction reads
CSR rows (``_core._tree``). Stored NaN values (missing values) are not supported in
sparse input: dense input takes them.
"""

import numpy as np
from scipy import sparse

from .._core._sparse_split import bin_stored_values

INT32_MAX = np.iinfo(np.int32).max


def _check_no_nan(X):
    if np.isnan(X.data).any():
        raise ValueError(
            "Sparse input with NaN stored values is not supported by skedu's trees (NaN marks "
            "a missing value only in dense input); pass a dense array, or impute the values.")


def _own_copy(converted, X):
    """``converted``, copied when it shares memory with the caller's ``X`` (about to be
    modified in place)."""
    for name in ("data", "indices", "indptr"):
        if hasattr(X, name) and np.shares_memory(getattr(converted, name), getattr(X, name)):
            return converted.copy()
    return converted


def sparse_columns(X):
    """``X`` as a canonical CSC matrix of float32 values without explicit zeros (the bin
    edges are chosen from its columns); ``X`` itself when it already is one (never modified).
    """
    csc = X.tocsc()
    if csc.dtype != np.float32:
        csc = csc.astype(np.float32)
    _check_size(csc)
    _check_no_nan(csc)
    if not csc.has_canonical_format or not np.all(csc.data):
        csc = _own_copy(csc, X)
        csc.sum_duplicates()
        csc.eliminate_zeros()
    return csc


def _check_size(X):
    if max(X.shape) > INT32_MAX or X.nnz > INT32_MAX:
        raise ValueError("Sparse input to skedu's trees holds at most 2**31 - 1 rows, features "
                         "and stored values; pass a dense array or fewer rows.")


def fit_rows(X):
    """The fit kernels' sparse arrays: the stored non-zero values row by row.

    Parameters
    ----------
    X : sparse matrix or array of shape (n_samples, n_features), float32 values

    Returns
    -------
    arrays : dict
        ``csr_indptr`` (intp), ``csr_features`` (int32, ascending in each row),
        ``csr_values`` (float32, no zeros, no NaN).
    """
    csr = X.tocsr()
    if csr.dtype != np.float32:
        csr = csr.astype(np.float32)
    _check_size(csr)
    _check_no_nan(csr)
    if not csr.has_canonical_format or not np.all(csr.data):
        csr = _own_copy(csr, X)
        csr.sum_duplicates()
        csr.eliminate_zeros()
    return {"csr_indptr": csr.indptr.astype(np.intp),
            "csr_features": csr.indices.astype(np.int32, copy=False), "csr_values": csr.data}


def sparse_rows(X):
    """``X`` as a canonical CSR matrix of float32 values, for the prediction kernels (``X``
    itself when it already is one)."""
    csr = X.tocsr()
    if csr.dtype != np.float32:
        csr = csr.astype(np.float32)
    if not csr.has_canonical_format:
        csr = _own_copy(csr, X)
        csr.sum_duplicates()
    return csr


def binned_fit_rows(csc, bin_mapper):
    """The hist splitter's sparse arrays: the stored values' bins row by row, and each
    feature's bin of 0.

    Parameters
    ----------
    csc : csc_matrix
        As :func:`sparse_columns` returns it.
    bin_mapper : BinMapper
        Fitted on ``csc``.

    Returns
    -------
    arrays : dict
        ``csr_indptr`` (intp), ``csr_features`` (int32), ``csr_bins`` (uint8), ``zero_bins``
        (one uint8 per feature).
    """
    edges, n_bins = bin_mapper.upper_edges_, bin_mapper.n_bins_non_missing_
    bins = np.empty(csc.nnz, dtype=np.uint8)
    bin_stored_values(csc.indptr.astype(np.intp), csc.data, edges, n_bins, bins)
    # The bin of 0: the number of the feature's edges below 0, as for any value.
    in_use = np.arange(edges.shape[1])[None, :] < (n_bins - 1)[:, None]
    zero_bins = ((edges < 0.0) & in_use).sum(axis=1).astype(np.uint8)
    by_row = sparse.csc_matrix((bins, csc.indices, csc.indptr), shape=csc.shape).tocsr()
    return {"csr_indptr": by_row.indptr.astype(np.intp),
            "csr_features": by_row.indices.astype(np.int32, copy=False),
            "csr_bins": by_row.data, "zero_bins": zero_bins}
