"""The three LDA solvers, working from class statistics (counts, means, scatter) only.

Each function returns a dict of fitted attributes with scikit-learn's names and meanings; the
estimator sets them. Only ``shrinkage="auto"`` needs the rows themselves (Ledoit–Wolf depends on
fourth moments), and :func:`ledoit_wolf_covariance` takes them.
"""

import numpy as np
from scipy import linalg
from sklearn.covariance import ledoit_wolf
from sklearn.preprocessing import StandardScaler


def shrink(covariance, shrinkage):
    """``(1 - a) C + a tr(C) / p I``, the shrinkage of :func:`sklearn.covariance.shrunk_covariance`.

    Parameters
    ----------
    covariance : ndarray of shape (n_features, n_features)
    shrinkage : float in [0, 1] or None
        ``None`` returns ``covariance`` unchanged.

    Returns
    -------
    shrunk : ndarray of shape (n_features, n_features)
    """
    if shrinkage is None:
        return covariance
    n_features = covariance.shape[0]
    shrunk = (1.0 - shrinkage) * covariance
    shrunk.flat[:: n_features + 1] += shrinkage * np.trace(covariance) / n_features
    return shrunk


def ledoit_wolf_covariance(X):
    """Ledoit–Wolf covariance of standardised ``X``, scaled back (scikit-learn's ``"auto"``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    covariance : ndarray of shape (n_features, n_features)
    """
    scaler = StandardScaler()
    standardised = scaler.fit_transform(X)
    covariance = ledoit_wolf(standardised)[0]
    return scaler.scale_[:, np.newaxis] * covariance * scaler.scale_[np.newaxis, :]


def estimator_covariance(estimator, X):
    """``estimator.fit(X).covariance_``, checked (scikit-learn's ``covariance_estimator``).

    Parameters
    ----------
    estimator : estimator with ``fit`` and, once fitted, ``covariance_``
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    covariance : ndarray of shape (n_features, n_features)
    """
    estimator.fit(X)
    covariance = getattr(estimator, "covariance_", None)
    if covariance is None:
        raise ValueError(
            f"covariance_estimator {type(estimator).__name__} has no covariance_ attribute "
            "after fit; pass an estimator such as sklearn.covariance.OAS."
        )
    covariance = np.asarray(covariance, dtype=np.float64)
    if covariance.shape != (X.shape[1], X.shape[1]):
        raise ValueError(
            f"covariance_estimator gave a covariance_ of shape {covariance.shape}; expected "
            f"({X.shape[1]}, {X.shape[1]})."
        )
    return covariance


def within_covariance(stats, priors, shrinkage):
    """Prior-weighted sum of the (biased) class covariances, each shrunk by ``shrinkage``.

    Fixed shrinkage is linear in the covariance and the priors sum to one, so shrinking the
    weighted sum equals summing the shrunk class covariances.

    Parameters
    ----------
    stats : ClassStatistics
    priors : ndarray of shape (n_classes,)
    shrinkage : float or None

    Returns
    -------
    covariance : ndarray of shape (n_features, n_features)
    """
    if stats.per_class:
        weights = priors / stats.counts
        covariance = np.tensordot(weights, stats.scatter, axes=1)
    else:
        # Without per-class scatter the priors are the class proportions: sum_k M_k / n.
        covariance = stats.scatter / stats.n_samples
    return shrink(covariance, shrinkage)


def total_covariance(stats, shrinkage):
    """Covariance of all rows (classes pooled, biased), shrunk by ``shrinkage``.

    ``n S_t = S_w + sum_k n_k (m_k - m)(m_k - m)^T`` with ``m`` the overall mean.
    """
    n_samples = stats.n_samples
    overall_mean = stats.counts @ stats.means / n_samples
    centred_means = stats.means - overall_mean
    between = (centred_means.T * stats.counts) @ centred_means
    return shrink((stats.pooled_scatter() + between) / n_samples, shrinkage)


def _linear_rule(means, coef, priors):
    """Intercepts of the discriminant functions ``x -> coef_k x - coef_k m_k / 2 + log pi_k``."""
    return -0.5 * np.einsum("kj,kj->k", means, coef) + np.log(priors)


def solve_lsqr(within, means, priors):
    """Least-squares solver: ``coef_k = S_w^+ m_k`` (Duda, Hart & Stork, 2.6.2).

    Singular values of ``S_w`` below ``n_features * eps`` times the largest count as zero (the
    rank tolerance of :func:`numpy.linalg.matrix_rank`). LAPACK's default cut-off, ``eps``, is
    below the rounding noise of an exactly singular ``S_w`` (more features than samples), whose
    null space would then swamp the solution.

    Returns
    -------
    attributes : dict with ``coef_`` and ``intercept_``
    """
    cutoff = within.shape[0] * np.finfo(within.dtype).eps
    coef = linalg.lstsq(within, means.T, cond=cutoff)[0].T
    return {"coef_": coef, "intercept_": _linear_rule(means, coef, priors)}


def solve_eigen(within, total, means, priors, max_components):
    """Generalised eigenproblem ``S_b w = lambda S_w w`` with ``S_b = S_t - S_w``.

    Raises
    ------
    numpy.linalg.LinAlgError
        When ``S_w`` is not positive definite (singular within-class scatter).
    """
    try:
        eigenvalues, eigenvectors = linalg.eigh(total - within, within)
    except linalg.LinAlgError as error:
        raise linalg.LinAlgError(
            "The within-class covariance is singular (for instance duplicated features, or "
            "more features than samples), so solver='eigen' cannot solve S_b w = l S_w w. "
            "Use shrinkage (e.g. shrinkage='auto') or solver='svd'."
        ) from error
    descending = np.argsort(eigenvalues)[::-1]
    eigenvectors = eigenvectors[:, descending]
    # The eigenvectors are S_w-orthonormal, so V V^T = S_w^{-1} and coef_ = means S_w^{-1}.
    coef = (means @ eigenvectors) @ eigenvectors.T
    # Ratios sorted after dividing, as scikit-learn does: with unequal shrinkage of S_t and S_w,
    # S_b is indefinite and the eigenvalues may sum to a negative number.
    explained = np.sort(eigenvalues / eigenvalues.sum())[::-1]
    return {
        "explained_variance_ratio_": explained[:max_components],
        "scalings_": eigenvectors,
        "coef_": coef,
        "intercept_": _linear_rule(means, coef, priors),
    }


_NO_SPREAD = (
    "Every feature is constant within each class: the within-class scatter is zero and "
    "solver='svd' finds no direction to keep (lower tol, or check the data)."
)


def solve_svd(stats, priors, tol, max_components):
    """SVD solver, from the class statistics alone.

    scikit-learn takes the SVD of the class-centred rows scaled by their within-class standard
    deviations and by ``1/sqrt(n)``. Its right singular vectors and singular values are the
    eigenvectors and the square roots of the eigenvalues of that matrix's Gram matrix, which is
    the within-class scatter scaled the same way: ``D^-1 S_w D^-1 / n``. A ``p x p`` symmetric
    eigenproblem therefore replaces an ``n x p`` SVD.

    Returns
    -------
    attributes : dict with ``xbar_``, ``scalings_``, ``explained_variance_ratio_``, ``coef_``,
        ``intercept_``
    """
    n_samples = stats.n_samples
    scatter = stats.pooled_scatter()
    std = np.sqrt(np.clip(np.diag(scatter), 0.0, None) / n_samples)
    std[std == 0] = 1.0

    # 1) Whiten the within-class scatter.
    scaled_scatter = scatter / n_samples / np.outer(std, std)
    eigenvalues, eigenvectors = linalg.eigh(scaled_scatter)
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    singular_values = np.sqrt(np.clip(eigenvalues, 0.0, None))
    rank = int(np.sum(singular_values > tol))
    if rank == 0:
        raise ValueError(_NO_SPREAD)
    whitening = (eigenvectors[:, :rank] / std[:, np.newaxis]) / singular_values[:rank]
    return _between_class_directions(
        stats.means, priors, n_samples, whitening, tol, max_components
    )


def solve_svd_from_rows(X, codes, means, priors, tol, max_components):
    """SVD solver on the rows themselves, scikit-learn's route, for data wider than long.

    With more features than rows the SVD of the ``n x p`` centred rows costs ``O(n^2 p)`` and
    needs no ``p x p`` matrix, while the statistics would cost ``O(n p^2)`` and ``p^2`` memory.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    codes : ndarray of shape (n_samples,)
        Class index of each row.
    means : ndarray of shape (n_classes, n_features)
    priors : ndarray of shape (n_classes,)
    tol : float
    max_components : int

    Returns
    -------
    attributes : dict, as :func:`solve_svd`
    """
    n_samples = X.shape[0]
    centred = X - means[codes]
    std = centred.std(axis=0)
    std[std == 0] = 1.0
    centred *= 1.0 / (np.sqrt(n_samples) * std)
    _, singular_values, right_vectors = linalg.svd(centred, full_matrices=False)
    rank = int(np.sum(singular_values > tol))
    if rank == 0:
        raise ValueError(_NO_SPREAD)
    whitening = (right_vectors[:rank].T / std[:, np.newaxis]) / singular_values[:rank]
    return _between_class_directions(means, priors, n_samples, whitening, tol, max_components)


def _between_class_directions(means, priors, n_samples, whitening, tol, max_components):
    """Second stage of the SVD solver: the directions of largest between-class variance in the
    whitened space, and the linear decision rule they give."""
    n_classes = means.shape[0]
    xbar = priors @ means
    scale = np.sqrt(n_samples * priors / (n_classes - 1))
    between = (scale[:, np.newaxis] * (means - xbar)) @ whitening
    _, between_singular, between_vt = linalg.svd(between, full_matrices=False)
    total_between = np.sum(between_singular**2)
    if total_between == 0:  # every class has the same mean
        explained = np.zeros_like(between_singular)
        between_rank = 0
    else:
        explained = between_singular**2 / total_between
        between_rank = int(np.sum(between_singular > tol * between_singular[0]))
    scalings = whitening @ between_vt.T[:, :between_rank]

    coef = (means - xbar) @ scalings
    intercept = -0.5 * np.sum(coef**2, axis=1) + np.log(priors)
    coef = coef @ scalings.T
    intercept -= xbar @ coef.T
    return {
        "xbar_": xbar,
        "scalings_": scalings,
        "explained_variance_ratio_": explained[:max_components],
        "coef_": coef,
        "intercept_": intercept,
    }
