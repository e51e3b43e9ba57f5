"""Random forests and extremely randomised trees on the shared tree engine.

A forest prepares its data once (binned or sorted columns) and grows its trees in batches, each
batch in one compiled ``prange`` over trees, every tree single-threaded on its own rows (the
bootstrap is a count per row passed as row weights, not a copied data set), its own features
per split and its own random stream. Tree ``t``'s stream and bootstrap depend only on
``random_state`` and ``t``, so the forest is the same for any ``n_jobs`` and for ``warm_start``
in steps.
"""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..tree import DecisionTreeClassifier, DecisionTreeRegressor
from ..tree import _engine
from ..tree._classes import (CRITERIA_CLASSIFICATION, CRITERIA_REGRESSION, SPLITTERS,
                             BaseDecisionTree, check_no_missing_for, classification_statistics,
                             predict_classes, regression_statistics, split_outputs)
from ..tree._flat_tree import FlatEnsemble, FlatTree, concatenate_nodes
from . import _distributed
from ._tree_views import tree_estimators
from ..utils import check_non_negative_sample_weight, effective_n_threads, validate_float32_data

__all__ = ["RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
           "ExtraTreesRegressor"]

# Trees grown per call of the engine: enough to keep every thread busy to the end of a batch,
# few enough that the batch's bootstrap counts (one float64 per row and tree) stay small.
TREES_PER_THREAD_PER_BATCH = 4


def tree_seed(forest_seed, tree_index):
    """The seed of tree ``tree_index``: a function of the forest's seed and the index only."""
    mixed = np.random.SeedSequence([int(forest_seed), int(tree_index)]).generate_state(2, np.uint32)
    return int(mixed[0]) << 32 | int(mixed[1])


def bootstrap_counts(seed, n_samples, n_draws):
    """How often each row is drawn in ``n_draws`` draws with replacement (tree's own stream)."""
    draws = np.random.default_rng(seed).integers(0, n_samples, n_draws)
    return np.bincount(draws, minlength=n_samples).astype(np.float64)


class BaseForest(BaseEstimator):
    """Parameters, fitting and prediction shared by the four forests."""

    _parameter_constraints = {
        **{name: constraint for name, constraint in BaseDecisionTree._parameter_constraints.items()
           if name not in ("ccp_alpha",)},
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "bootstrap": ["boolean"],
        "oob_score": ["boolean", callable],
        "max_samples": [None, Interval(RealNotInt, 0.0, 1.0, closed="right"),
                        Interval(Integral, 1, None, closed="left")],
        "ccp_alpha": [Interval(Real, 0.0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_estimators=100, *, criterion, max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features, max_leaf_nodes=None, min_impurity_decrease=0.0, bootstrap,
                 oob_score=False, n_jobs=None, random_state=None, verbose=0, warm_start=False,
                 ccp_alpha=0.0, max_samples=None, monotonic_cst=None):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples
        self.monotonic_cst = monotonic_cst

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags

    # -- fitting -----------------------------------------------------------------------------

    def _tree_template(self):
        """An unfitted skedu tree with this forest's tree parameters."""
        return self._tree_class(
            criterion=self.criterion, splitter=self.splitter, max_depth=self.max_depth,
            min_samples_split=self.min_samples_split, min_samples_leaf=self.min_samples_leaf,
            min_weight_fraction_leaf=self.min_weight_fraction_leaf,
            max_features=self.max_features, max_leaf_nodes=self.max_leaf_nodes,
            min_impurity_decrease=self.min_impurity_decrease, ccp_alpha=self.ccp_alpha,
            max_bins=self.max_bins, monotonic_cst=self.monotonic_cst)

    def _n_draws(self, n_samples):
        if self.max_samples is None:
            return n_samples
        if isinstance(self.max_samples, Integral):
            if self.max_samples > n_samples:
                raise ValueError(f"max_samples must be <= n_samples = {n_samples}, "
                                 f"got {self.max_samples}.")
            return self.max_samples
        return max(1, round(self.max_samples * n_samples))

    def _fit_forest(self, X, y_encoded, oob_targets, gradients, hessians, squares, sample_weight,
                    labels=None, n_channels=None):
        n_samples, n_features = X.shape
        if not self.bootstrap and self.max_samples is not None:
            raise ValueError("max_samples can only be set with bootstrap=True.")
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out-of-bag estimation is only available with bootstrap=True.")
        n_threads = effective_n_threads(self.n_jobs)
        if not (self.warm_start and hasattr(self, "trees_")):
            self.forest_seed_ = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            self.trees_, self.tree_seeds_ = None, np.empty(0, dtype=np.uint64)
        trees = [] if self.trees_ is None else list(self.trees_)
        n_existing = len(trees)
        if self.n_estimators < n_existing:
            raise ValueError(f"n_estimators={self.n_estimators} must be larger or equal to "
                             f"len(estimators_)={n_existing} when warm_start==True.")
        template = self._tree_template()
        monotonic_cst = template._monotonic_constraints(
            n_features, self.n_outputs_,
            np.max(self.n_classes_) if self._is_classifier else None)
        params = template._tree_params(n_samples, n_features, sample_weight.sum(),
                                       monotonic_cst)
        self.max_features_ = params.max_features
        positive = sample_weight > 0
        n_draws = self._n_draws(n_samples)
        batch = dict(positive=positive, n_draws=n_draws, y_encoded=y_encoded,
                     gradients=gradients, hessians=hessians, squares=squares, labels=labels,
                     n_channels=n_channels, params=params)
        backend = _distributed.distributed_backend()
        if backend is not None and n_existing < self.n_estimators:
            # A cluster's joblib backend (dask, ray): batches of trees grow on its workers.
            grown, seeds = _distributed.grow_on_workers(
                self, X, batch, range(n_existing, self.n_estimators), backend)
            trees.extend(grown)
            self.tree_seeds_ = np.concatenate([self.tree_seeds_, np.array(seeds, np.uint64)])
        else:
            data = self._training_data(X, positive, n_threads)
            batch_size = max(1, n_threads * TREES_PER_THREAD_PER_BATCH)
            started = time.perf_counter()
            for first in range(n_existing, self.n_estimators, batch_size):
                indices = range(first, min(first + batch_size, self.n_estimators))
                seeds = [tree_seed(self.forest_seed_, t) for t in indices]
                trees.extend(self._grow_batch(data, seeds, n_threads=n_threads, **batch))
                self.tree_seeds_ = np.concatenate([self.tree_seeds_,
                                                   np.array(seeds, dtype=np.uint64)])
                if self.verbose:
                    print(f"[{type(self).__name__}] {indices[-1] + 1}/{self.n_estimators} "
                          f"trees, {time.perf_counter() - started:.2f} s")
        # One flat ensemble: every tree's compact nodes and values, predicted in one call.
        self.trees_ = FlatEnsemble._of_trusted(
            concatenate_nodes([tree.nodes for tree in trees]),
            np.concatenate([tree.values for tree in trees]),
            np.cumsum([0] + [tree.node_count for tree in trees[:-1]]), n_features)
        self.n_features_ = n_features
        self._n_draws_fitted = n_draws
        if self.oob_score:
            self._compute_oob(X, oob_targets, n_draws)
        elif hasattr(self, "oob_score_"):
            del self.oob_score_
        return self

    def _training_data(self, X, positive, n_threads):
        """The data every tree of this fit grows on (binned or sorted once)."""
        return _engine.TrainingData(
            X, splitter=SPLITTERS[self.splitter], max_bins=self.max_bins,
            binning_rows=None if positive.all() else np.flatnonzero(positive),
            random_state=self.forest_seed_, n_threads=n_threads)

    def _grow_batch(self, data, seeds, *, positive, n_draws, y_encoded, gradients, hessians,
                    squares, labels, n_channels, params, n_threads):
        """Grow the trees of ``seeds`` (in one parallel call) and return them as FlatTrees."""
        n_samples = data.n_samples
        rows, weights = [], []
        for seed in seeds:
            counts = self._row_counts(seed, n_samples, n_draws, y_encoded)
            rows.append(np.flatnonzero((counts > 0) & positive))
            weights.append(counts if self.bootstrap or self.class_weight_per_tree else None)
        grown, _ = _engine.grow_trees(data, gradients, hessians, params, seeds=seeds,
                                      rows=rows, row_weights=weights, squares=squares,
                                      labels=labels, n_channels=n_channels,
                                      n_threads=n_threads, value_dtype=self._value_dtype)
        trees = []
        for nodes, values in grown:
            tree = FlatTree.from_grown(nodes, values, data.n_features,
                                       value_dtype=self._value_dtype)
            trees.append(tree.pruned(self.ccp_alpha) if self.ccp_alpha > 0.0 else tree)
        return trees

    @property
    def class_weight_per_tree(self):
        return getattr(self, "class_weight", None) == "balanced_subsample"

    def _row_counts(self, seed, n_samples, n_draws, y_encoded):
        """Per-row weight multipliers of one tree: bootstrap counts (and per-tree class weights)."""
        if self.bootstrap:
            counts = bootstrap_counts(seed, n_samples, n_draws)
        else:
            counts = np.ones(n_samples)
        if self.class_weight_per_tree:
            # "balanced" on the tree's sample, per output; several outputs' weights multiply.
            n_classes = self.n_classes_ if self.n_outputs_ > 1 else [self.n_classes_]
            weights = np.ones(n_samples)
            for output, size in enumerate(n_classes):
                codes = y_encoded[:, output]
                in_bag = np.bincount(codes, weights=counts, minlength=size)
                present = in_bag > 0
                class_weights = np.zeros(size)
                class_weights[present] = counts.sum() / (present.sum() * in_bag[present])
                weights *= class_weights[codes]
            counts = counts * weights
        return counts

    def _oob_masks(self, n_samples, n_draws):
        """For each tree, the rows it did not draw (recomputed from its seed)."""
        for seed in self.tree_seeds_:
            yield bootstrap_counts(seed, n_samples, n_draws) == 0

    def _compute_oob(self, X, targets, n_draws):
        n_samples = X.shape[0]
        n_threads = effective_n_threads(self.n_jobs)
        sums = np.zeros((n_samples, self.trees_.values.shape[1]))
        n_votes = np.zeros(n_samples)
        for t, out_of_bag in enumerate(self._oob_masks(n_samples, n_draws)):
            rows = np.flatnonzero(out_of_bag)
            if len(rows):
                sums[rows] += self.trees_[t].predict(X[rows], n_threads)
                n_votes[rows] += 1
        if np.any(n_votes == 0):
            import warnings

            warnings.warn("Some inputs do not have OOB scores. This probably means too few "
                          "trees were used to compute any reliable OOB estimates.", UserWarning)
        with np.errstate(invalid="ignore", divide="ignore"):
            oob = sums / n_votes[:, None]
        self._set_oob(oob, targets, n_votes > 0)

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        return validate_float32_data(self, X, n_threads=effective_n_threads(self.n_jobs),
                                     accept_sparse="csr", reset=False)

    def _mean_values(self, X):
        X = self._validate_X_predict(X)
        n_trees = self.trees_.n_trees
        return self.trees_.sum_values(X, tree_weights=np.full(n_trees, 1.0 / n_trees),
                                      n_threads=effective_n_threads(self.n_jobs))

    # -- fitted forest -----------------------------------------------------------------------

    @property
    def estimators_(self):
        """The fitted trees, as skedu trees that predict on their own (built on access)."""
        check_is_fitted(self)
        return tree_estimators(self, self.trees_, self._tree_template,
                               self.tree_seeds_ % 2**31, self.max_features_)

    @property
    def estimators_samples_(self):
        """Rows drawn for each tree (with repetitions when bootstrapping, as scikit-learn)."""
        check_is_fitted(self)
        samples = []
        for seed in self.tree_seeds_:
            if self.bootstrap:
                counts = bootstrap_counts(seed, self._n_samples_fitted, self._n_draws_fitted)
                samples.append(np.repeat(np.arange(self._n_samples_fitted), counts.astype(np.intp)))
            else:
                samples.append(np.arange(self._n_samples_fitted))
        return samples

    def apply(self, X):
        """Leaf each sample reaches in each tree.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        leaves : ndarray of shape (n_samples, n_estimators)
            Node index (within its tree) of the leaf.
        """
        X = self._validate_X_predict(X)
        return self.trees_.apply(X, effective_n_threads(self.n_jobs))

    def decision_path(self, X):
        """Nodes each sample passes through in every tree.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        indicator : sparse matrix of shape (n_samples, n_nodes)
            Non-zero where the sample goes through the node; trees' nodes one after the other.
        n_nodes_ptr : ndarray of shape (n_estimators + 1,)
            Columns ``n_nodes_ptr[t]:n_nodes_ptr[t + 1]`` are tree ``t``'s nodes.
        """
        X = self._validate_X_predict(X)
        return self.trees_.decision_path(X)

    @property
    def feature_importances_(self):
        """Mean decrease in impurity per feature, averaged over trees and normalised."""
        check_is_fitted(self)
        return self.trees_.feature_importances()


class ForestClassifier(ClassifierMixin, BaseForest):
    """Classification forests: class probabilities are the trees' mean leaf class fractions."""

    _is_classifier = True
    _tree_class = DecisionTreeClassifier
    _value_dtype = np.float32  # class fractions
    _parameter_constraints = {
        **BaseForest._parameter_constraints,
        "criterion": [StrOptions(set(CRITERIA_CLASSIFICATION))],
        "class_weight": [dict, list, StrOptions({"balanced", "balanced_subsample"}), None],
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the forest on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; NaN marks missing values.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (one column per output).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; samples of weight 0 are ignored.

        Returns
        -------
        self : object
        """
        X, y = validate_float32_data(self, X, y, n_threads=effective_n_threads(self.n_jobs),
                                     accept_sparse="csc", multi_output=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = np.ravel(y)
        if self.oob_score and y.ndim == 2 and type_of_target(y) != "multilabel-indicator":
            raise ValueError(
                "The type of target cannot be used to compute OOB estimates. Got "
                f"{type_of_target(y)} while only the following are supported: continuous, "
                "continuous-multioutput, binary, multiclass, multilabel-indicator.")
        sample_weight = check_non_negative_sample_weight(sample_weight, X)
        # "balanced_subsample" weighs each tree's bootstrap sample instead (_row_counts).
        classes, y_encoded, sample_weight, labels = classification_statistics(
            y, sample_weight, None if self.class_weight_per_tree else self.class_weight)
        if self.warm_start and hasattr(self, "classes_") and not (
                len(classes) == self.n_outputs_
                and all(np.array_equal(new, old) for new, old in
                        zip(classes, self.classes_ if self.n_outputs_ > 1 else [self.classes_]))):
            raise ValueError("warm_start needs the classes of the first fit.")
        self.n_outputs_ = len(classes)
        if self.n_outputs_ == 1:
            self.classes_, self.n_classes_ = classes[0], len(classes[0])
        else:
            self.classes_, self.n_classes_ = classes, [len(c) for c in classes]
        self._n_samples_fitted = X.shape[0]
        return self._fit_forest(X, y_encoded, y_encoded, None, sample_weight, None,
                                sample_weight, labels=labels,
                                n_channels=sum(len(c) for c in classes))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _set_tree_attributes(self, tree):
        tree.classes_ = self.classes_
        tree.n_classes_ = (self.n_classes_ if self.n_outputs_ == 1
                           else np.array(self.n_classes_, dtype=np.intp))
        tree.n_outputs_ = self.n_outputs_

    def _set_oob(self, oob, y_encoded, has_votes):
        scorer = self.oob_score if callable(self.oob_score) else accuracy_score
        if self.n_outputs_ == 1:
            self.oob_decision_function_ = oob
            predicted = self.classes_[np.argmax(np.nan_to_num(oob[has_votes]), axis=1)]
            truth = self.classes_[y_encoded[has_votes, 0]]
            self.oob_score_ = scorer(truth, predicted)
            return
        # Multilabel (the only several-output target scikit-learn scores out of bag):
        # (n_samples, n_classes, n_outputs) and the score of all outputs at once.
        parts = split_outputs(oob, self.n_classes_, self.n_outputs_)
        self.oob_decision_function_ = np.stack(parts, axis=-1)
        truth = np.column_stack([self.classes_[k][y_encoded[has_votes, k]]
                                 for k in range(self.n_outputs_)])
        predicted = np.column_stack([
            self.classes_[k][np.argmax(np.nan_to_num(part[has_votes]), axis=1)]
            for k, part in enumerate(parts)])
        self.oob_score_ = scorer(truth, predicted)

    def predict_proba(self, X):
        """Mean of the trees' leaf class fractions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), or list of n_outputs such arrays
        """
        return split_outputs(self._mean_values(X), self.n_classes_, self.n_outputs_)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba) if self.n_outputs_ == 1 else [np.log(p) for p in proba]

    def predict(self, X):
        """Class with the largest mean probability.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        return predict_classes(self.predict_proba(X), self.classes_, self.n_outputs_)


class ForestRegressor(RegressorMixin, BaseForest):
    """Regression forests: the prediction is the trees' mean leaf value."""

    _is_classifier = False
    _tree_class = DecisionTreeRegressor
    _value_dtype = np.float64
    _parameter_constraints = {
        **BaseForest._parameter_constraints,
        "criterion": [StrOptions(set(CRITERIA_REGRESSION))],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the forest on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; NaN marks missing values.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        X, y = validate_float32_data(self, X, y, n_threads=effective_n_threads(self.n_jobs),
                                     accept_sparse="csc", multi_output=True, y_numeric=True)
        sample_weight = check_non_negative_sample_weight(sample_weight, X)
        check_no_missing_for(self.criterion, X)
        y2d, gradients, squares = regression_statistics(y, sample_weight, self.criterion)
        if self.warm_start and hasattr(self, "n_outputs_") and y2d.shape[1] != self.n_outputs_:
            raise ValueError("warm_start needs the number of outputs of the first fit.")
        self.n_outputs_ = y2d.shape[1]
        self._n_samples_fitted = X.shape[0]
        return self._fit_forest(X, None, y2d, gradients, sample_weight, squares, sample_weight)

    def _set_tree_attributes(self, tree):
        tree.n_outputs_ = self.n_outputs_

    def _set_oob(self, oob, y2d, has_votes):
        self.oob_prediction_ = oob[:, 0] if self.n_outputs_ == 1 else oob
        scorer = self.oob_score if callable(self.oob_score) else r2_score
        self.oob_score_ = scorer(y2d[has_votes].squeeze(), oob[has_votes].squeeze())

    def predict(self, X):
        """Mean of the trees' leaf values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        values = self._mean_values(X)
        return values[:, 0] if self.n_outputs_ == 1 else values


_TREE_PARAMETERS_DOC = """max_depth : int, default=None
        Maximum depth of the trees; None grows until leaves are pure or hit the other limits.
    min_samples_split : int or float, default=2
        Minimum number (or fraction) of samples a node needs to be split.
    min_samples_leaf : int or float, default=1
        Minimum number (or fraction) of samples each child of a split keeps.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight each leaf keeps.
    max_leaf_nodes : int, default=None
        Grow each tree best-first to at most this many leaves.
    min_impurity_decrease : float, default=0.0
        A split must decrease the weighted impurity by at least this (per unit of total weight).
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Per feature 1 (increasing), 0 (no constraint) or -1 (decreasing) predictions (the
        positive class's probability for binary classification), in every tree; as in
        :class:`skedu.tree.DecisionTreeClassifier`. Single output, binary classes only."""

_FOREST_PARAMETERS_DOC = """oob_score : bool or callable, default=False
        Score the forest on the rows each tree did not draw (``oob_score_``); a callable
        ``score(y_true, y_pred)`` replaces the default accuracy / R^2.
    n_jobs : int, default=None
        Threads (None: every thread OpenMP allows). Trees grow in parallel, one thread each;
        the forest does not depend on it. Inside ``joblib.parallel_backend("dask")`` batches
        of trees grow on the cluster's workers instead (README, "Scaling out"), each with at
        most ``n_jobs`` of its worker's threads.
    random_state : int, RandomState instance or None, default=None
        Seeds the forest: tree ``t``'s bootstrap and feature draws depend only on it and ``t``.
    verbose : int, default=0
        Print the trees done and the time elapsed after each batch of trees.
    warm_start : bool, default=False
        Keep the trees of the previous fit and add trees up to ``n_estimators``; 50 then 100
        trees equal 100 at once.
    ccp_alpha : float, default=0.0
        Minimal cost-complexity pruning of each tree.
    max_samples : int or float, default=None
        Rows drawn per tree with ``bootstrap`` (None: n_samples).
    max_bins : int, default=255
        Bins per feature for ``splitter="hist"``."""

_ATTRIBUTES_DOC = """estimators_ : list of skedu trees
        The fitted trees (built on access from the forest's flat arrays).
    estimators_samples_ : list of ndarray
        Rows drawn for each tree.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Mean decrease in impurity, averaged over trees, normalised.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X has feature names that are all strings.
    max_features_ : int
        Features drawn per split.
    oob_score_ : float
        Only with ``oob_score``."""


class RandomForestClassifier(ForestClassifier):
    __doc__ = f"""A random forest classifier: bagged CART trees grown in parallel in compiled code.

    Each tree grows on a bootstrap sample (a count per row, not a copy of the data), drawing
    ``max_features`` features at each split; probabilities are the trees' mean leaf class
    fractions.

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {{"gini", "entropy", "log_loss"}}, default="gini"
    splitter : {{"best", "hist"}}, default="best"
        "best" searches every distinct value (scikit-learn's splitter); "hist" bins every
        feature once for all trees (at most ``max_bins`` quantile bins) and searches between
        bins. Measured with 100 trees on 2 threads (``benchmarks/bench_forest.py``), neither
        wins everywhere: W-rf (100k x 50) 49.9 s best / 52.9 s hist, adult 5.4 / 8.6 s,
        skin_nonskin (245k x 3) 3.1 / 1.7 s, at the same accuracy. "best" is the default, as
        it grows scikit-learn's trees; "hist" pays off with many rows and few distinct values.
    {_TREE_PARAMETERS_DOC}
    max_features : {{"sqrt", "log2"}}, int, float or None, default="sqrt"
        Features drawn at random at each split.
    bootstrap : bool, default=True
    {_FOREST_PARAMETERS_DOC}
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
        "balanced_subsample" weighs the classes of each tree's bootstrap sample.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Only with ``oob_score``.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skedu.ensemble import RandomForestClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> forest.predict(X[:2])
    array([0, 0])
    """

    def __init__(self, n_estimators=100, *, criterion="gini", splitter="best", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, class_weight=None, ccp_alpha=0.0, max_samples=None,
                 max_bins=255, monotonic_cst=None):
        super().__init__(n_estimators, criterion=criterion,
                         max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf,
                         max_features=max_features, max_leaf_nodes=max_leaf_nodes,
                         min_impurity_decrease=min_impurity_decrease, bootstrap=bootstrap,
                         oob_score=oob_score, n_jobs=n_jobs, random_state=random_state,
                         verbose=verbose, warm_start=warm_start, ccp_alpha=ccp_alpha,
                         max_samples=max_samples, monotonic_cst=monotonic_cst)
        self.splitter = splitter
        self.max_bins = max_bins
        self.class_weight = class_weight


class RandomForestRegressor(ForestRegressor):
    __doc__ = f"""A random forest regressor: bagged CART regression trees grown in parallel.

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {{"squared_error"}}, default="squared_error"
    splitter : {{"best", "hist"}}, default="best"
        As in :class:`RandomForestClassifier`.
    {_TREE_PARAMETERS_DOC}
    max_features : {{"sqrt", "log2"}}, int, float or None, default=1.0
        Features drawn at each split (scikit-learn's default: all).
    bootstrap : bool, default=True
    {_FOREST_PARAMETERS_DOC}

    Attributes
    ----------
    n_outputs_ : int
    oob_prediction_ : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Only with ``oob_score``.
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skedu.ensemble import RandomForestRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> forest = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> forest.predict(X[:1]).shape
    (1,)
    """

    def __init__(self, n_estimators=100, *, criterion="squared_error", splitter="best",
                 max_depth=None, min_samples_split=2, min_samples_leaf=1,
                 min_weight_fraction_leaf=0.0, max_features=1.0, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, bootstrap=True, oob_score=False, n_jobs=None,
                 random_state=None, verbose=0, warm_start=False, ccp_alpha=0.0,
                 max_samples=None, max_bins=255, monotonic_cst=None):
        super().__init__(n_estimators, criterion=criterion,
                         max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf,
                         max_features=max_features, max_leaf_nodes=max_leaf_nodes,
                         min_impurity_decrease=min_impurity_decrease, bootstrap=bootstrap,
                         oob_score=oob_score, n_jobs=n_jobs, random_state=random_state,
                         verbose=verbose, warm_start=warm_start, ccp_alpha=ccp_alpha,
                         max_samples=max_samples, monotonic_cst=monotonic_cst)
        self.splitter = splitter
        self.max_bins = max_bins


class ExtraTreesClassifier(ForestClassifier):
    __doc__ = f"""Extremely randomised trees: a forest whose trees split at one random threshold
    per drawn feature (the "random" splitter), on the whole data by default (no bootstrap).

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {{"gini", "entropy", "log_loss"}}, default="gini"
    {_TREE_PARAMETERS_DOC}
    max_features : {{"sqrt", "log2"}}, int, float or None, default="sqrt"
    bootstrap : bool, default=False
    {_FOREST_PARAMETERS_DOC}
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skedu.ensemble import ExtraTreesClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> ExtraTreesClassifier(n_estimators=10, random_state=0).fit(X, y).predict(X[:1])
    array([0])
    """

    splitter = "random"
    max_bins = 255
    _parameter_constraints = {name: constraint for name, constraint
                              in ForestClassifier._parameter_constraints.items()
                              if name not in ("splitter", "max_bins")}

    def __init__(self, n_estimators=100, *, criterion="gini", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=False, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, class_weight=None, ccp_alpha=0.0, max_samples=None,
                 monotonic_cst=None):
        super().__init__(n_estimators, criterion=criterion,
                         max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf,
                         max_features=max_features, max_leaf_nodes=max_leaf_nodes,
                         min_impurity_decrease=min_impurity_decrease, bootstrap=bootstrap,
                         oob_score=oob_score, n_jobs=n_jobs, random_state=random_state,
                         verbose=verbose, warm_start=warm_start, ccp_alpha=ccp_alpha,
                         max_samples=max_samples, monotonic_cst=monotonic_cst)
        self.class_weight = class_weight


class ExtraTreesRegressor(ForestRegressor):
    __doc__ = f"""Extremely randomised regression trees (the "random" splitter, no bootstrap by
    default).

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {{"squared_error"}}, default="squared_error"
    {_TREE_PARAMETERS_DOC}
    max_features : {{"sqrt", "log2"}}, int, float or None, default=1.0
    bootstrap : bool, default=False
    {_FOREST_PARAMETERS_DOC}

    Attributes
    ----------
    n_outputs_ : int
    {_ATTRIBUTES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skedu.ensemble import ExtraTreesRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ExtraTreesRegressor(n_estimators=10, random_state=0).fit(X, y).predict(X[:1]).shape
    (1,)
    """

    splitter = "random"
    max_bins = 255
    _parameter_constraints = {name: constraint for name, constraint
                              in ForestRegressor._parameter_constraints.items()
                              if name not in ("splitter", "max_bins")}

    def __init__(self, n_estimators=100, *, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=False, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, ccp_alpha=0.0, max_samples=None,
                 monotonic_cst=None):
        super().__init__(n_estimators, criterion=criterion,
                         max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf,
                         max_features=max_features, max_leaf_nodes=max_leaf_nodes,
                         min_impurity_decrease=min_impurity_decrease, bootstrap=bootstrap,
                         oob_score=oob_score, n_jobs=n_jobs, random_state=random_state,
                         verbose=verbose, warm_start=warm_start, ccp_alpha=ccp_alpha,
                         max_samples=max_samples, monotonic_cst=monotonic_cst)
