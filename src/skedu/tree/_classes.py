"""CART decision trees on skedu's shared tree engine."""

from numbers import Integral, Real

import numpy as np
from scipy.special import xlogy
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import Bunch, check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._core._types import Criterion, Splitter
from ..utils import (check_finite_targets, check_non_negative_sample_weight,
                     contiguous_or_sparse, effective_n_threads)
from . import _engine
from ._binning import MAX_BINS
from ._flat_tree import FlatTree, tree_n_classes
from ._sparse import sparse_rows

CRITERIA_CLASSIFICATION = {"gini": Criterion.GINI, "entropy": Criterion.ENTROPY,
                           "log_loss": Criterion.ENTROPY}
CRITERIA_REGRESSION = {"squared_error": Criterion.SQUARED_ERROR,
                       "friedman_mse": Criterion.FRIEDMAN_MSE, "poisson": Criterion.POISSON,
                       "absolute_error": Criterion.ABSOLUTE_ERROR}
SPLITTERS = {"best": Splitter.EXACT, "hist": Splitter.HIST, "random": Splitter.RANDOM}


def resolve_max_features(max_features, n_features):
    """Number of features drawn per split for a ``max_features`` parameter (already validated)."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, Integral):
        return int(max_features)  # above n_features: every feature (scikit-learn's rule)
    return max(1, int(max_features * n_features))


def resolve_count(value, n_samples, minimum):
    """A count parameter given as an int or as a fraction of ``n_samples``."""
    if isinstance(value, Integral):
        return int(value)
    return max(minimum, int(np.ceil(value * n_samples)))


def classification_statistics(y, sample_weight, class_weight=None):
    """Encode the class labels of every output and make the engine's statistics of a
    classification fit: each row's class channel per output (output o's classes are the block
    of channels after those of outputs 0 .. o-1) and its weight.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
    class_weight : dict, list of dicts, "balanced" or None
        Multiplied into ``sample_weight`` (over several outputs: the product of each output's
        class weight, as scikit-learn).

    Returns
    -------
    classes : list of ndarray
        The sorted classes of each output (a single class is allowed).
    y_encoded : ndarray of shape (n_samples, n_outputs), intp
        Class indices within each output.
    sample_weight : ndarray of shape (n_samples,)
        With ``class_weight`` multiplied in.
    labels : ndarray of shape (n_samples, n_outputs), intp
        ``y_encoded`` shifted by each output's first channel: the channel each row adds its
        weight to, in every output (the engine's ``labels``).
    """
    check_classification_targets(y)
    y2d = y.reshape(len(y), -1)
    classes, y_encoded = [], np.empty(y2d.shape, dtype=np.intp)
    for output in range(y2d.shape[1]):
        output_classes, y_encoded[:, output] = np.unique(y2d[:, output], return_inverse=True)
        classes.append(output_classes)
    if class_weight is not None:
        sample_weight = sample_weight * compute_sample_weight(class_weight, y)
    offsets = np.cumsum([0] + [len(c) for c in classes[:-1]])
    labels = np.ascontiguousarray(y_encoded + offsets, dtype=np.intp)
    return classes, y_encoded, sample_weight, labels


def poisson_check(y):
    """scikit-learn's Poisson target rules (same messages)."""
    if np.any(y < 0):
        raise ValueError("Some value(s) of y are negative which is not allowed for Poisson "
                         "regression.")
    if np.sum(y) <= 0:
        raise ValueError("Sum of y is not positive which is necessary for Poisson regression.")


def check_no_missing_for(criterion, X):
    """Absolute error has no rule for missing values (scikit-learn refuses them too), and no
    sparse split search."""
    if criterion != "absolute_error":
        return
    if issparse(X):
        raise ValueError("Sparse X is not supported with criterion='absolute_error'; use a "
                         "dense array (X.toarray()) or another criterion.")
    if np.isnan(X).any():
        raise ValueError("Input X contains NaN. criterion='absolute_error' does not support "
                         "missing values.")


def regression_statistics(y, sample_weight, criterion="squared_error"):
    """The engine's statistics of a (multi-output) regression fit.

    Returns
    -------
    y2d : ndarray of shape (n_samples, n_outputs), float64
    gradients : ndarray of shape (n_samples, n_outputs)
        ``w_i y_ik``: sums are weighted target sums.
        (absolute error: ``y_ik`` itself, whose splitters rank the targets).
    squares : ndarray of shape (n_samples,) or None
        The impurity's row term: ``w_i sum_k y_ik**2`` (squared error, Friedman's), or
        ``w_i sum_k y_ik log(y_ik)`` (Poisson); None for absolute error.
    """
    y = np.asarray(y, dtype=np.float64)
    check_finite_targets(y)
    y2d = y.reshape(len(y), -1)
    if criterion == "absolute_error":
        return y2d, np.ascontiguousarray(y2d), None
    gradients = np.ascontiguousarray(y2d * sample_weight[:, None])
    if criterion == "poisson":
        poisson_check(y2d)
        squares = np.ascontiguousarray(xlogy(y2d, y2d).sum(axis=1) * sample_weight)
    else:
        squares = np.ascontiguousarray((y2d**2).sum(axis=1) * sample_weight)
    return y2d, gradients, squares


def split_outputs(values, n_classes, n_outputs):
    """Class probabilities as scikit-learn gives them: one array, or a list of one array per
    output (``values`` holds the outputs' class columns one block after the other)."""
    if n_outputs == 1:
        return values
    bounds = np.cumsum([0] + list(n_classes))
    return [values[:, bounds[k]:bounds[k + 1]] for k in range(n_outputs)]


def predict_classes(proba, classes, n_outputs):
    """The most probable class of each sample in each output."""
    if n_outputs == 1:
        return classes[np.argmax(proba, axis=1)]
    predictions = np.empty((len(proba[0]), n_outputs), dtype=classes[0].dtype)
    for k in range(n_outputs):
        predictions[:, k] = classes[k][np.argmax(proba[k], axis=1)]
    return predictions


class BaseDecisionTree(BaseEstimator):
    """Parameters, validation and fitting shared by the classifier and the regressor."""

    _parameter_constraints = {
        "splitter": [StrOptions(set(SPLITTERS))],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_split": [Interval(Integral, 2, None, closed="left"),
                              Interval(RealNotInt, 0.0, 1.0, closed="right")],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left"),
                             Interval(RealNotInt, 0.0, 1.0, closed="neither")],
        "min_weight_fraction_leaf": [Interval(Real, 0.0, 0.5, closed="both")],
        "max_features": [Interval(Integral, 1, None, closed="left"),
                         Interval(RealNotInt, 0.0, 1.0, closed="right"),
                         StrOptions({"sqrt", "log2"}), None],
        "random_state": ["random_state"],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "min_impurity_decrease": [Interval(Real, 0.0, None, closed="left")],
        "ccp_alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_bins": [Interval(Integral, 2, MAX_BINS, closed="both")],
        "n_jobs": [Integral, None],
        "monotonic_cst": ["array-like", None],
    }

    def __init__(self, *, criterion, splitter="best", max_depth=None, min_samples_split=2,
                 min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_features=None,
                 random_state=None, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 ccp_alpha=0.0, max_bins=255, n_jobs=None, monotonic_cst=None):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha
        self.max_bins = max_bins
        self.n_jobs = n_jobs
        self.monotonic_cst = monotonic_cst

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags

    # -- fitting -----------------------------------------------------------------------------

    def _validate_X_y(self, X, y):
        # X and y checked apart and their lengths compared after, as scikit-learn's trees do
        # (same messages).
        X, y = validate_data(self, X, y, validate_separately=(
            dict(dtype=np.float32, ensure_all_finite="allow-nan", accept_sparse="csc"),
            dict(ensure_2d=False, dtype=None)))
        if len(y) != X.shape[0]:
            raise ValueError(f"Number of labels={len(y)} does not match number of "
                             f"samples={X.shape[0]}")
        return contiguous_or_sparse(X), y

    def _monotonic_constraints(self, n_features, n_outputs, n_classes=None):
        """``monotonic_cst`` checked as scikit-learn checks it (same messages), as the engine's
        constraints on channel 0 (a tuple, or None)."""
        if self.monotonic_cst is None:
            return None
        if n_outputs > 1:
            raise ValueError("Monotonicity constraints are not supported with multiple outputs.")
        # Checked before any cast, so that the message shows the values as given.
        monotonic_cst = np.asarray(self.monotonic_cst)
        if monotonic_cst.shape[0] != n_features:
            raise ValueError(f"monotonic_cst has shape {monotonic_cst.shape[0]} but the input "
                             f"data X has {n_features} features.")
        if not np.all(np.isin(monotonic_cst, (-1, 0, 1))):
            raise ValueError("monotonic_cst must be None or an array-like of -1, 0 or 1, but "
                             f"got {np.unique(monotonic_cst)}")
        monotonic_cst = np.asarray(monotonic_cst, dtype=np.int8)
        if n_classes is not None:
            if n_classes > 2:
                raise ValueError("Monotonicity constraints are not supported with multiclass "
                                 "classification")
            # The constraints are on the positive class's probability; the engine constrains
            # channel 0, the negative class's fraction (as scikit-learn does): flip the signs.
            monotonic_cst = -monotonic_cst
        return tuple(int(c) for c in monotonic_cst)

    def _tree_params(self, n_samples, n_features, total_weight, monotonic_cst=None):
        """Growth limits of this fit, with counts and fractions resolved."""
        return _engine.TreeParams(
            criterion=self._criterion_code,
            max_depth=-1 if self.max_depth is None else self.max_depth,
            min_samples_split=max(2, resolve_count(self.min_samples_split, n_samples, 2)),
            min_samples_leaf=resolve_count(self.min_samples_leaf, n_samples, 1),
            min_weight_leaf=self.min_weight_fraction_leaf * total_weight,
            min_impurity_decrease=float(self.min_impurity_decrease),
            max_leaf_nodes=0 if self.max_leaf_nodes is None else self.max_leaf_nodes,
            max_features=resolve_max_features(self.max_features, n_features),
            monotonic_cst=monotonic_cst)

    def _prepare(self, X, sample_weight):
        """The training data in the layouts the engine reads (the hist path keeps only bins),
        the rows the tree grows on and its seed."""
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        # Rows of zero weight act as removed rows: they neither split nor choose bin edges.
        rows = np.flatnonzero(sample_weight > 0)
        data = _engine.TrainingData(
            X, splitter=SPLITTERS[self.splitter], max_bins=self.max_bins,
            binning_rows=None if len(rows) == X.shape[0] else rows, random_state=seed,
            n_threads=effective_n_threads(self.n_jobs))
        return data, rows, seed

    def _grow(self, prepared, gradients, hessians, squares, sample_weight, labels=None,
              n_channels=None, monotonic_cst=None):
        data, rows, seed = prepared
        params = self._tree_params(data.n_samples, data.n_features, sample_weight.sum(),
                                   monotonic_cst)
        ((nodes, values),), _ = _engine.grow_trees(
            data, gradients, hessians, params, seeds=[seed], rows=[rows], squares=squares,
            labels=labels, n_channels=n_channels, n_threads=effective_n_threads(self.n_jobs),
            value_dtype=np.float32 if self._is_classifier else np.float64)
        self.max_features_ = params.max_features
        self.tree_ = FlatTree(nodes, values, data.n_features,
                              value_dtype=np.float32 if self._is_classifier else np.float64,
                              n_classes=tree_n_classes(self))
        if params.max_leaf_nodes == 0:
            self.tree_ = self.tree_.in_preorder()  # scikit-learn's numbering of depth-first trees
        if self.ccp_alpha > 0.0:
            self.tree_ = self.tree_.pruned(self.ccp_alpha)
        return self

    @property
    def _criterion_code(self):
        criteria = CRITERIA_CLASSIFICATION if self._is_classifier else CRITERIA_REGRESSION
        return criteria[self.criterion]

    # -- fitted tree -------------------------------------------------------------------------

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, ensure_all_finite="allow-nan",
                          accept_sparse="csr", reset=False)
        return sparse_rows(X) if issparse(X) else np.ascontiguousarray(X)

    def apply(self, X):
        """Index of the leaf each sample ends up in.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        leaves : ndarray of shape (n_samples,)
        """
        X = self._validate_X_predict(X)
        return self.tree_.apply(X, effective_n_threads(self.n_jobs))

    def decision_path(self, X):
        """Nodes each sample passes through.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        indicator : sparse matrix of shape (n_samples, n_nodes)
            Non-zero where the sample goes through the node (CSR).
        """
        return self.tree_.decision_path(self._validate_X_predict(X))

    def get_depth(self):
        """Depth of the tree: the longest path from the root to a leaf."""
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self):
        """Number of leaves of the tree."""
        check_is_fitted(self)
        return self.tree_.n_leaves

    @property
    def feature_importances_(self):
        """Normalised total impurity decrease brought by each feature (Gini importance)."""
        check_is_fitted(self)
        return self.tree_.feature_importances()

    def cost_complexity_pruning_path(self, X, y, sample_weight=None):
        """Effective alphas and leaf impurities of minimal cost-complexity pruning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        path : Bunch
            ``ccp_alphas`` (increasing effective alphas; pruning with one of them gives the
            matching subtree) and ``impurities`` (sum of the leaves' weighted impurities).
        """
        tree = clone(self).set_params(ccp_alpha=0.0).fit(X, y, sample_weight)
        alphas, impurities = tree.tree_.cost_complexity_pruning_path()
        return Bunch(ccp_alphas=alphas, impurities=impurities)


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """A CART classification tree: exact (sorted) or histogram split search, compiled and
    parallel over features.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Split quality; "log_loss" and "entropy" are the same (Shannon information gain).
    splitter : {"best", "hist", "random"}, default="best"
        "best" searches every distinct value of the sorted feature (exact); "hist" bins every
        feature into at most ``max_bins`` quantile bins first, then splits between bins;
        "random" draws one threshold per feature uniformly between the node's extremes and
        keeps the best of those (extremely randomised trees).
    max_depth : int, default=None
        Maximum depth; None grows until leaves are pure or hit the other limits.
    min_samples_split : int or float, default=2
        Minimum number of samples (or fraction of samples) a node needs to be split.
    min_samples_leaf : int or float, default=1
        Minimum number of samples (or fraction) each child of a split must keep.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight each leaf must keep.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Features drawn at random at each split; as in scikit-learn, constant ones count, and
        more are drawn only while none of those drawn varies.
    random_state : int, RandomState instance or None, default=None
        Draws features per split and the binning subsample.
    max_leaf_nodes : int, default=None
        Grow best-first (largest impurity decrease first) to at most this many leaves.
    min_impurity_decrease : float, default=0.0
        A split must decrease the weighted impurity by at least this (per unit of total weight).
    class_weight : dict, list of dicts, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``; with several outputs a
        list of one dict per output (or "balanced"), whose weights multiply.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning.
    max_bins : int, default=255
        Bins per feature for ``splitter="hist"`` (missing values get a bin of their own).
    n_jobs : int, default=None
        Threads for split search and prediction (None: all that OpenMP allows). The fitted
        tree does not depend on it.
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Per feature 1 (the probability of the positive class, ``classes_[1]``, increases
        with the feature), 0 (no constraint) or -1 (decreases); scikit-learn's rule, for every
        splitter. Binary classification only.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        The classes (one array per output when there are several).
    n_classes_ : int or ndarray of shape (n_outputs,)
    n_outputs_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X has feature names that are all strings.
    max_features_ : int
    tree_ : FlatTree
        The fitted tree as flat node arrays.
    feature_importances_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skedu.tree import DecisionTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    >>> clf.predict(X[:2])
    array([0, 0])
    >>> clf.get_depth()
    3
    """

    _is_classifier = True
    _parameter_constraints = {
        **BaseDecisionTree._parameter_constraints,
        "criterion": [StrOptions(set(CRITERIA_CLASSIFICATION))],
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, criterion="gini", splitter="best", max_depth=None, min_samples_split=2,
                 min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_features=None,
                 random_state=None, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 class_weight=None, ccp_alpha=0.0, max_bins=255, n_jobs=None,
                 monotonic_cst=None):
        super().__init__(criterion=criterion, splitter=splitter, max_depth=max_depth,
                         min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf,
                         max_features=max_features, random_state=random_state,
                         max_leaf_nodes=max_leaf_nodes,
                         min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha,
                         max_bins=max_bins, n_jobs=n_jobs, monotonic_cst=monotonic_cst)
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the tree on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; NaN marks missing values (sent to a learned side at every split).
            Sparse matrices (CSC, CSR, COO) are read as they are, never densified; they may
            not store NaN.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (one column per output); a single class gives a one-leaf tree.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; samples of weight 0 are ignored.

        Returns
        -------
        self : DecisionTreeClassifier
        """
        X, y = self._validate_X_y(X, y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = np.ravel(y)
        sample_weight = check_non_negative_sample_weight(sample_weight, X)
        classes, _, sample_weight, labels = classification_statistics(
            y, sample_weight, self.class_weight)
        self.n_outputs_ = len(classes)
        if self.n_outputs_ == 1:
            self.classes_, self.n_classes_ = classes[0], len(classes[0])
        else:
            self.classes_ = classes
            self.n_classes_ = np.array([len(c) for c in classes], dtype=np.intp)
        monotonic_cst = self._monotonic_constraints(X.shape[1], self.n_outputs_,
                                                    len(classes[0]))
        prepared = self._prepare(X, sample_weight)
        del X  # the validated copy is not needed while the tree grows
        # Rows as labels and weights: class sums without an n_samples x n_classes array.
        return self._grow(prepared, None, sample_weight, None, sample_weight, labels=labels,
                          n_channels=sum(len(c) for c in classes), monotonic_cst=monotonic_cst)

    def predict_proba(self, X):
        """Class probabilities: the weighted class fractions of the leaf each sample reaches.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), or list of n_outputs such arrays
            With several outputs, one array per output (its classes in ``classes_[k]``).
        """
        X = self._validate_X_predict(X)
        return split_outputs(self.tree_.predict(X, effective_n_threads(self.n_jobs)),
                             self.n_classes_, self.n_outputs_)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (``-inf`` for classes absent from the leaf)."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            if self.n_outputs_ == 1:
                return np.log(proba)
            return [np.log(p) for p in proba]

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return predict_classes(self.predict_proba(X), self.classes_, self.n_outputs_)


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """A CART regression tree (squared error; one or several outputs) on the shared engine.

    Parameters
    ----------
    criterion : {"squared_error", "friedman_mse", "absolute_error", "poisson"}, \
default="squared_error"
        "squared_error": variance decrease, leaves predict the mean; "friedman_mse": the same
        impurity with Friedman's improvement score (the outputs' sums are added before the
        squares; ``min_impurity_decrease`` compares with that improvement, as scikit-learn's
        trees before 1.9); "absolute_error": mean absolute error decrease, leaves predict the
        weighted median (no missing values in X); "poisson": half Poisson deviance decrease (``y`` non-negative with a
        positive sum; no child with a zero sum), leaves predict the mean.
    splitter : {"best", "hist", "random"}, default="best"
        "best": exact search over sorted values; "hist": search between quantile bins;
        "random": the best of one random threshold per feature.
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf, max_features, \
random_state, max_leaf_nodes, min_impurity_decrease, ccp_alpha, max_bins, n_jobs
        As in :class:`DecisionTreeClassifier`.
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Per feature 1 (predictions increase with the feature), 0 (no constraint) or -1
        (decrease); scikit-learn's rule, for every splitter. Single output only.

    Attributes
    ----------
    n_outputs_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    max_features_ : int
    tree_ : FlatTree
    feature_importances_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skedu.tree import DecisionTreeRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = DecisionTreeRegressor(max_depth=2).fit(X, y)
    >>> reg.get_n_leaves()
    4
    """

    _is_classifier = False
    _parameter_constraints = {
        **BaseDecisionTree._parameter_constraints,
        "criterion": [StrOptions(set(CRITERIA_REGRESSION))],
    }

    def __init__(self, *, criterion="squared_error", splitter="best", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=None, random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, ccp_alpha=0.0, max_bins=255, n_jobs=None,
                 monotonic_cst=None):
        super().__init__(criterion=criterion, splitter=splitter, max_depth=max_depth,
                         min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf,
                         max_features=max_features, random_state=random_state,
                         max_leaf_nodes=max_leaf_nodes,
                         min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha,
                         max_bins=max_bins, n_jobs=n_jobs, monotonic_cst=monotonic_cst)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the tree on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; NaN marks missing values. Sparse matrices (CSC, CSR, COO) are read
            as they are, never densified; they may not store NaN.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : DecisionTreeRegressor
        """
        X, y = self._validate_X_y(X, y)
        check_no_missing_for(self.criterion, X)
        sample_weight = check_non_negative_sample_weight(sample_weight, X)
        y2d, gradients, squares = regression_statistics(y, sample_weight, self.criterion)
        self.n_outputs_ = y2d.shape[1]
        monotonic_cst = self._monotonic_constraints(X.shape[1], self.n_outputs_)
        prepared = self._prepare(X, sample_weight)
        del X  # the validated copy is not needed while the tree grows
        return self._grow(prepared, gradients, sample_weight, squares, sample_weight,
                          monotonic_cst=monotonic_cst)

    def predict(self, X):
        """Mean target of the leaf each sample reaches.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        X = self._validate_X_predict(X)
        values = self.tree_.predict(X, effective_n_threads(self.n_jobs))
        return values[:, 0] if self.n_outputs_ == 1 else values
