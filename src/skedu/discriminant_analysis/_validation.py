"""Checks of the parameters and labels of LinearDiscriminantAnalysis."""

import warnings

import numpy as np

def check_params(estimator):
    """Raise for parameter combinations that ``_parameter_constraints`` cannot express.

    Each parameter's type and range is checked by scikit-learn's parameter validation
    (``_fit_context``); what remains are the rules that tie two parameters together.

    Parameters
    ----------
    estimator : LinearDiscriminantAnalysis
    """
    if estimator.shrinkage is not None and estimator.solver == "svd":
        raise ValueError("shrinkage is not supported with solver='svd'; use 'eigen' or 'lsqr'.")
    if estimator.covariance_estimator is not None:
        if estimator.solver == "svd":
            raise ValueError(
                "covariance_estimator is not supported with solver='svd'; use 'eigen' or 'lsqr'."
            )
        if estimator.shrinkage is not None:
            raise ValueError(
                "covariance_estimator and shrinkage are both set; only one of the two can be "
                "(shrink with the estimator itself, e.g. sklearn.covariance.ShrunkCovariance)."
            )


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
