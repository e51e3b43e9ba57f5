"""Linear discriminant analysis fitted on dask arrays.

The model needs only the class counts, means and within-class scatter of the rows
(:mod:`skedu.discriminant_analysis._stats`). :func:`fit` gathers them on the workers, one set
per row chunk of ``X``, merges them on the client in chunk order (Chan, Golub & LeVeque's
pairwise update, as ``partial_fit`` does) and runs the local solver: the model equals
``LinearDiscriminantAnalysis.fit`` on the computed arrays up to floating-point rounding. Only
``n_classes * n_features**2`` numbers per chunk travel to the client, never the rows.
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from ..utils._cluster import task_threads
from ..utils._dask import is_dask_collection, require_dask
from ._lda import LinearDiscriminantAnalysis, _rescaled, _solve_threads, _streams, feature_scale
from ._stats import ClassStatistics
from ._validation import (check_at_least_two_classes, check_params, encode_labels,
                          max_components, user_priors)

__all__ = ["fit"]


def _chunk_statistics(X, y, classes, scale, per_class, n_jobs):
    """Class statistics of one chunk of rows (runs on a worker)."""
    X = _rescaled(np.asarray(X), scale)
    statistics = ClassStatistics(classes.shape[0], X.shape[1], per_class)
    if X.shape[0]:
        statistics.update(X, encode_labels(np.asarray(y), classes), task_threads(n_jobs))
    return statistics


def merge_statistics(total, part):
    """Add the statistics ``part`` of other rows into ``total`` (in place) and return it."""
    for k in np.flatnonzero(part.counts):
        scatter = part.scatter[k] if part.per_class else np.zeros_like(total.scatter)
        total._merge(k, int(part.counts[k]), part.means[k], scatter)
    if not part.per_class:
        total.scatter += part.scatter
    return total


def _as_dask_arrays(X, y):
    import dask.array as da

    if not is_dask_collection(X) or not isinstance(X, da.Array):
        raise TypeError(f"X must be a dask array, got {type(X).__name__}; fit a numpy array "
                        "with LinearDiscriminantAnalysis.fit.")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got {X.ndim} dimensions.")
    if any(np.isnan(size) for size in X.shape):
        raise ValueError("X has chunks of unknown size; call X.compute_chunk_sizes() first.")
    if not (is_dask_collection(y) and isinstance(y, da.Array)):
        y = da.from_array(np.asarray(y))
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    # One chunk per row block holding every feature, and y cut along the same rows.
    X = X.rechunk({1: -1})
    return X, y.rechunk((X.chunks[0],))


def fit(estimator, X, y):
    """Fit a :class:`LinearDiscriminantAnalysis` on dask arrays, chunk by chunk on the workers.

    Two passes over the data: the classes and per-feature extremes, then the class statistics
    of every row chunk (computed where the chunk lives); the client merges them in chunk order
    and solves. Equal to ``estimator.fit(X.compute(), y.compute())`` up to rounding (1e-8
    relative in the tests); afterwards ``partial_fit`` may go on from the merged statistics.

    Parameters
    ----------
    estimator : LinearDiscriminantAnalysis
        Fitted in place. Its ``shrinkage="auto"`` and ``covariance_estimator`` need the rows and
        are refused, as with ``partial_fit``; ``n_jobs`` bounds the threads of each chunk's task.
    X : dask.array.Array of shape (n_samples, n_features)
        Rows in chunks of rows (column chunks are joined); float32 is kept, other dtypes are
        converted to float64.
    y : dask.array.Array or array-like of shape (n_samples,)
        Class labels.

    Returns
    -------
    estimator : LinearDiscriminantAnalysis
        The fitted estimator.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import load_iris
    >>> from skedu.discriminant_analysis import LinearDiscriminantAnalysis
    >>> from skedu.discriminant_analysis.dask import fit
    >>> X, y = load_iris(return_X_y=True)
    >>> lda = fit(LinearDiscriminantAnalysis(), da.from_array(X, chunks=50),
    ...           da.from_array(y, chunks=50))
    >>> lda.predict(X[:2])
    array([0, 0])
    """
    dask = require_dask("skedu.discriminant_analysis.dask.fit")
    if not isinstance(estimator, LinearDiscriminantAnalysis):
        raise TypeError("estimator must be a skedu LinearDiscriminantAnalysis, got "
                        f"{type(estimator).__name__}.")
    estimator._validate_params()
    check_params(estimator)
    try:
        _streams(estimator)
    except AttributeError as error:
        raise ValueError(str(error).replace("partial_fit", "fitting on dask arrays", 1)) from None
    X, y = _as_dask_arrays(X, y)
    n_samples, n_features = X.shape
    classes, largest, smallest = dask.compute(
        dask.array.unique(y), X.max(axis=0), X.min(axis=0))
    check_classification_targets(classes)
    check_at_least_two_classes(classes)
    if n_samples <= classes.shape[0]:
        raise ValueError("The number of samples must be more than the number of classes.")
    given_priors = user_priors(estimator.priors, classes.shape[0])
    kept_components = max_components(estimator.n_components, classes.shape[0], n_features)
    scale = feature_scale(np.vstack([largest, smallest]))
    per_class = estimator._needs_class_scatter()
    parts = [dask.delayed(_chunk_statistics)(x_chunk, y_chunk, classes, scale, per_class,
                                             estimator.n_jobs)
             for x_chunk, y_chunk in zip(X.to_delayed()[:, 0], y.to_delayed())]
    statistics = ClassStatistics(classes.shape[0], n_features, per_class)
    for part in dask.compute(*parts):
        merge_statistics(statistics, part)

    for name in ("_statistics", "feature_names_in_"):
        estimator.__dict__.pop(name, None)
    estimator.n_features_in_ = n_features
    estimator._scale = scale
    estimator.classes_ = classes
    with _solve_threads(n_features):
        estimator._solve(statistics, given_priors, kept_components, dtype=X.dtype)
    estimator._statistics = statistics
    return estimator
