"""Checks of the parameters and labels of LinearDiscriminantAnalysis."""

import warnings
from numbers import Integral, Real

import numpy as np

from ..utils import effective_n_threads

SOLVERS = ("svd", "eigen", "lsqr")


def check_params(estimator):
    """Raise ``ValueError`` or ``TypeError`` for a parameter outside its domain.

    Parameters
    ----------
    estimator : LinearDiscriminantAnalysis
    """
    solver, shrinkage = estimator.solver, estimator.shrinkage
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}.")
    if isinstance(shrinkage, str):
        if shrinkage != "auto":
            raise ValueError(f"shrinkage must be None, 'auto' or a float, got {shrinkage!r}.")
    elif shrinkage is not None:
        if not isinstance(shrinkage, Real) or isinstance(shrinkage, bool):
            raise TypeError(f"shrinkage must be None, 'auto' or a float, got {shrinkage!r}.")
        if not 0.0 <= shrinkage <= 1.0:
            raise ValueError(f"shrinkage must be in [0, 1], got {shrinkage!r}.")
    if shrinkage is not None and solver == "svd":
        raise ValueError("shrinkage is not supported with solver='svd'; use 'eigen' or 'lsqr'.")
    n_components = estimator.n_components
    if n_components is not None:
        if not isinstance(n_components, Integral) or isinstance(n_components, bool):
            raise TypeError(f"n_components must be an int or None, got {n_components!r}.")
        if n_components < 1:
            raise ValueError(f"n_components must be at least 1, got {n_components}.")
    tol = estimator.tol
    if not isinstance(tol, Real) or isinstance(tol, bool):
        raise TypeError(f"tol must be a float, got {tol!r}.")
    if not tol >= 0:
        raise ValueError(f"tol must be non-negative, got {tol!r}.")
    if not isinstance(estimator.store_covariance, (bool, np.bool_)):
        raise TypeError(
            f"store_covariance must be a bool, got {estimator.store_covariance!r}."
        )
    effective_n_threads(estimator.n_jobs)  # raises on a bad n_jobs


def user_priors(priors, n_classes):
    """The ``priors`` parameter validated and normalised, or None for the class proportions.

    Parameters
    ----------
    priors : array-like of shape (n_classes,) or None
    n_classes : int

    Returns
    -------
    priors : ndarray of shape (n_classes,) or None
    """
    if priors is None:
        return None
    priors = np.asarray(priors, dtype=np.float64)
    if priors.shape != (n_classes,):
        raise ValueError(
            f"priors has shape {priors.shape}; expected ({n_classes},), one per class."
        )
    if not np.all(np.isfinite(priors)) or np.any(priors < 0):
        raise ValueError("priors must be finite and non-negative.")
    if abs(priors.sum() - 1.0) > 1e-5:
        warnings.warn("The priors do not sum to 1. Renormalizing", UserWarning)
        priors = priors / priors.sum()
    return priors


def max_components(n_components, n_classes, n_features):
    """Number of components ``transform`` keeps: ``n_components`` or ``min(K - 1, p)``.

    Raises
    ------
    ValueError
        When ``n_components`` is above ``min(n_classes - 1, n_features)``.
    """
    largest = min(n_classes - 1, n_features)
    if n_components is None:
        return largest
    if n_components > largest:
        raise ValueError(
            f"n_components={n_components} cannot be larger than "
            f"min(n_features, n_classes - 1) = {largest}."
        )
    return n_components


def check_at_least_two_classes(classes):
    """Raise ``ValueError`` unless ``classes`` holds two labels or more."""
    if classes.shape[0] < 2:
        raise ValueError(
            "LinearDiscriminantAnalysis needs samples of at least 2 classes; "
            f"got only class {classes.tolist()}."
        )


def encode_labels(y, classes):
    """Index of each label of ``y`` in the sorted ``classes``; ``ValueError`` for unknown labels."""
    codes = np.searchsorted(classes, y)
    codes = np.clip(codes, 0, classes.shape[0] - 1)
    unknown = classes[codes] != y
    if np.any(unknown):
        raise ValueError(
            f"y contains labels not in classes: {np.unique(np.asarray(y)[unknown]).tolist()}."
        )
    return codes
