"""Gradient-boosted trees with second-order (Newton) splits and leaves, on the shared tree engine.

Each round computes per-row gradients and hessians of the loss at the current raw prediction
(``_losses``), grows one tree per output channel on them with the engine (``tree._engine``:
data binned once per fit, K trees of a softmax round grown in one call), finalises the leaf
values (L1 thresholding, quantile refits, learning rate) and updates the raw predictions from the
leaf each training row fell into. Prediction goes through :class:`_BoostedTrees`, the one place
that calls the ensemble kernels.
"""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._core._tree import apply_trees, compact_nodes
from .._core._boosting import add_leaf_values, quantize_gradients, scaled_leaf_values
from .._core._workspace import release_kept_buffers
from ..utils import (check_finite_targets, check_non_negative_sample_weight,
                     contiguous_or_sparse, effective_n_threads, validate_float32_data)
from ..tree._engine import Criterion, Splitter, TrainingData, TreeParams, grow_trees
from ..tree._flat_tree import FlatEnsemble, concatenate_nodes
from ._losses import grouped_weighted_quantile, make_loss

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]

# Rows of the training set on which ``train_score_`` is computed each round (as scikit-learn's
# HistGradientBoosting does: the full training loss every round would cost a pass over the data).
TRAIN_SCORE_ROWS = 10_000
# ``early_stopping="auto"`` turns early stopping on above this many samples.
AUTO_EARLY_STOPPING_ROWS = 10_000
# Fewer (row, tree) traversals than this are summed on one thread: ~10 ns each (shallow trees
# walk a fixed number of steps), so below about a millisecond of work a parallel region does
# not pay.
PREDICT_MIN_PARALLEL = 100_000


def _tree_seeds(seed, first_round, last_round, n_trees):
    """The random streams of rounds ``first_round:last_round``'s trees (feature order), an
    (n_rounds, n_trees) uint64 array: splitmix64 of the fit's seed, the round and the tree, so
    that a round's trees do not depend on the rounds before them. Computed for all the rounds
    at once (numpy's uint64 products wrap modulo 2**64, as splitmix64's do)."""
    with np.errstate(over="ignore"):
        index = np.arange(first_round * n_trees + 1, last_round * n_trees + 1, dtype=np.uint64)
        z = (np.uint64(seed & ((1 << 64) - 1)) * np.uint64(0x9E3779B97F4A7C15)
             + index * np.uint64(0xBF58476D1CE4E5B9))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return ((z ^ (z >> np.uint64(31))) >> np.uint64(1)).reshape(-1, n_trees)


def _lap(profile, stage, since):
    now = time.perf_counter()
    profile[stage] += now - since
    return now


class _BoostedTrees:
    """The fitted trees of a boosted model and the one place that predicts with them.

    Trees are kept round by round in compact form; tree ``t`` adds its leaf values to output
    channel ``t % n_channels``. Leaf values are final (learning rate included). Prediction is
    one compiled call over a :class:`FlatEnsemble` of every tree.

    Parameters
    ----------
    baseline : ndarray of shape (n_channels,)
        Raw prediction before the first round.
    n_features : int
    """

    def __init__(self, baseline, n_features):
        self.baseline = np.asarray(baseline, dtype=np.float64)
        self.n_channels = len(self.baseline)
        self.n_features = n_features
        self.nodes, self.values = [], []
        self._flat = None

    @property
    def n_rounds(self):
        return len(self.nodes) // self.n_channels

    def add_round(self, trees):
        """Append one round: ``n_channels`` (stored nodes, values) pairs, channel order."""
        for nodes, values in trees:
            self.nodes.append(nodes)
            self.values.append(np.ascontiguousarray(values[:, :1], dtype=np.float64))
        self._flat = None

    def truncate(self, n_rounds):
        """Keep the first ``n_rounds`` rounds."""
        del self.nodes[n_rounds * self.n_channels:]
        del self.values[n_rounds * self.n_channels:]
        self._flat = None

    def _ensemble(self, first_tree=0, last_tree=None):
        """Trees ``first_tree:last_tree`` in one FlatEnsemble (all of them cached until the
        trees change); None when there is none."""
        last_tree = len(self.nodes) if last_tree is None else last_tree
        whole = first_tree == 0 and last_tree == len(self.nodes)
        if whole and self._flat is not None:
            return self._flat
        if last_tree <= first_tree:
            return None
        nodes = self.nodes[first_tree:last_tree]
        offsets = np.zeros(len(nodes), dtype=np.intp)
        offsets[1:] = np.cumsum([len(tree) for tree in nodes])[:-1]
        # The trees were grown here (or unpickled from trees grown here): no structure check.
        ensemble = FlatEnsemble._of_trusted(concatenate_nodes(nodes),
                                            np.concatenate(self.values[first_tree:last_tree]),
                                            offsets, self.n_features, second_order=True)
        if whole:
            self._flat = ensemble
        return ensemble

    def _sum(self, X, out, first_tree, last_tree, n_threads):
        ensemble = self._ensemble(first_tree, last_tree)
        if ensemble is None:
            return
        if X.shape[0] * ensemble.n_trees < PREDICT_MIN_PARALLEL:
            n_threads = 1
        # Trees start at a round's first channel, so tree t of the range feeds channel t % K.
        channels = np.arange(ensemble.n_trees, dtype=np.intp) % self.n_channels
        ensemble.sum_values(X, out, tree_output=channels, n_threads=n_threads)

    def raw_predict(self, X, n_threads=1):
        """Raw predictions of all rounds, shape (n_samples, n_channels).

        Each channel's sum starts at the baseline and adds the trees in round order, so it is
        bit-identical to the raw predictions accumulated during the fit.
        """
        out = np.empty((X.shape[0], self.n_channels))
        out[:] = self.baseline
        self._sum(X, out, 0, len(self.nodes), n_threads)
        return out

    def add_rounds(self, X, out, first_round, last_round, n_threads=1):
        """Add the trees of rounds ``first_round .. last_round - 1`` to ``out`` in place."""
        self._sum(X, out, first_round * self.n_channels, last_round * self.n_channels, n_threads)

    def staged_raw_predict(self, X, n_threads=1):
        """Yield the raw predictions after each round."""
        out = np.empty((X.shape[0], self.n_channels))
        out[:] = self.baseline
        for m in range(self.n_rounds):
            self.add_rounds(X, out, m, m + 1, n_threads)
            yield out.copy()

    def apply(self, X, n_threads=1):
        """Leaf (index local to its tree) of every row in every tree: (n, n_rounds, n_channels)."""
        ensemble = self._ensemble()
        if ensemble is None:
            return np.zeros((X.shape[0], 0, self.n_channels), dtype=np.intp)
        return ensemble.apply(X, n_threads).reshape(X.shape[0], self.n_rounds, self.n_channels)

    def feature_importances(self, n_features):
        """Total split gain per feature, normalised to sum to 1 (zeros without any split)."""
        ensemble = self._ensemble()
        if ensemble is None:
            return np.zeros(n_features)
        split = ensemble.nodes["left_child"] != -1
        importances = np.bincount(ensemble.nodes["feature"][split],
                                  weights=ensemble.split_gains()[split], minlength=n_features)
        total = importances.sum()
        return importances / total if total > 0 else importances


class _RawPredictions:
    """Stands in for the estimator when a scorer is applied to raw predictions already made.

    Scorers call ``predict``/``predict_proba``/``decision_function`` on "X": here X is the
    raw prediction array itself, so early stopping with any ``scoring`` costs no re-prediction.
    """

    def __init__(self, estimator):
        self._estimator = estimator
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_

    def __sklearn_tags__(self):
        return self._estimator.__sklearn_tags__()

    def fit(self, X, y):  # pragma: no cover - never called; scorers check it exists
        return self

    def predict(self, raw):
        return self._estimator._raw_to_prediction(raw)

    def predict_proba(self, raw):
        return self._estimator._loss.predict(raw)

    def decision_function(self, raw):
        return self._estimator._raw_to_decision(raw)


class BaseGradientBoosting(BaseEstimator):
    """Parameters, validation and the boosting loop shared by the classifier and regressor."""

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "min_child_weight": [Interval(Real, 0, None, closed="left")],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "reg_alpha": [Interval(Real, 0, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
        "tree_method": [StrOptions({"hist", "exact"})],
        "quantize_gradients": ["boolean"],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "scoring": [str, callable, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, *, loss, learning_rate, n_estimators, max_depth, max_leaf_nodes,
                 min_child_weight, min_samples_leaf, reg_lambda, reg_alpha, gamma, subsample,
                 colsample_bytree, max_bins, tree_method, quantize_gradients, early_stopping,
                 validation_fraction,
                 n_iter_no_change, tol, scoring, warm_start, random_state, n_jobs, verbose):
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.min_child_weight = min_child_weight
        self.min_samples_leaf = min_samples_leaf
        self.reg_lambda = reg_lambda
        self.reg_alpha = reg_alpha
        self.gamma = gamma
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.max_bins = max_bins
        self.tree_method = tree_method
        self.quantize_gradients = quantize_gradients
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.scoring = scoring
        self.warm_start = warm_start
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags

    # -- fitting -----------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the boosted trees.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; NaN marks missing values (each split learns where they go) in
            dense X. A CSR or CSC matrix is binned from its stored values (unstored ones are
            0) and may not store NaN.
        y : array-like of shape (n_samples,)
            Target values (class labels for the classifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None gives every sample weight 1.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
            Validation data for early stopping, used instead of a ``validation_fraction``
            split. Needs ``early_stopping`` "auto" or True.
        y_val : array-like of shape (n_val,), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of ``X_val``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        fitted = self.warm_start and hasattr(self, "_trees")
        previous_width = getattr(self, "n_features_in_", None)
        X, y = validate_float32_data(self, X, y, n_threads=effective_n_threads(self.n_jobs),
                                     y_numeric=not self._is_classifier)
        if fitted and X.shape[1] != previous_width:
            raise ValueError(f"warm_start: X has {X.shape[1]} features, the fitted model "
                             f"{previous_width}.")
        y = self._encode_y(y, reset=not fitted)
        sample_weight = check_non_negative_sample_weight(sample_weight, X)
        sample_weight = self._weight_classes(y, sample_weight)
        self._check_params()
        n_threads = effective_n_threads(self.n_jobs)

        if not fitted:
            self._seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        elif self.n_estimators < self._trees.n_rounds:
            raise ValueError(f"n_estimators={self.n_estimators} must be at least the number of "
                             f"rounds already fitted ({self._trees.n_rounds}) with warm_start.")
        seed = self._seed

        # Validation data: given, a split of the training data, or none.
        use_early_stopping = self._use_early_stopping(X.shape[0], X_val is not None)
        validation = None
        if X_val is not None:
            if y_val is None:
                raise ValueError("X_val is given without y_val.")
            X_val = self._validate_X(X_val)
            y_val = self._encode_y(np.asarray(y_val).ravel(), reset=False, validation=True)
            if len(y_val) != X_val.shape[0]:
                raise ValueError(f"X_val has {X_val.shape[0]} rows, y_val {len(y_val)}.")
            sample_weight_val = check_non_negative_sample_weight(sample_weight_val, X_val)
            validation = (X_val, y_val, self._weight_classes(y_val, sample_weight_val))
        elif y_val is not None or sample_weight_val is not None:
            raise ValueError("y_val or sample_weight_val is given without X_val.")
        elif use_early_stopping and self.validation_fraction is not None:
            stratify = y if self._is_classifier and self._can_stratify(y) else None
            (X, X_val, y, y_val, sample_weight, sample_weight_val) = train_test_split(
                X, y, sample_weight, test_size=self.validation_fraction, stratify=stratify,
                random_state=seed)
            X, X_val = contiguous_or_sparse(X), contiguous_or_sparse(X_val)
            validation = (X_val, y_val, sample_weight_val)
            if sample_weight.sum() <= 0:
                raise ValueError("the training part of the validation split has no weight.")

        self._loss = loss = make_loss(self.loss, getattr(self, "n_classes_", None),
                                      getattr(self, "quantile", None),
                                      getattr(self, "poisson_max_delta_step", 0.0))
        n_channels = loss.n_channels
        y = loss.prepare_target(y)
        if validation:
            validation = (validation[0], loss.prepare_target(validation[1]), validation[2])
        splitter = Splitter.HIST if self.tree_method == "hist" else Splitter.EXACT
        quantize = self.quantize_gradients and splitter == Splitter.HIST
        positive = np.flatnonzero(sample_weight > 0)
        # Seconds per stage of the fit (read by benchmarks/bench_gbdt.py --profile).
        profile = dict.fromkeys(["binning", "gradients", "tree growth (engine)", "leaf values",
                                 "prediction update", "scores"], 0.0)
        clock = time.perf_counter()
        data = TrainingData(X, splitter=splitter, max_bins=self.max_bins,
                            binning_rows=None if len(positive) == len(y) else positive,
                            random_state=seed, n_threads=n_threads, sparse_bins=True)
        profile["binning"] += time.perf_counter() - clock
        params = TreeParams(
            criterion=Criterion.SECOND_ORDER,
            max_depth=-1 if self.max_depth is None else self.max_depth,
            min_samples_split=2 * self.min_samples_leaf, min_samples_leaf=self.min_samples_leaf,
            min_weight_leaf=float(self.min_child_weight), min_split_gain=float(self.gamma),
            max_leaf_nodes=0 if self.max_leaf_nodes is None else self.max_leaf_nodes,
            l2_regularization=float(self.reg_lambda))

        # Rows on which train_score_ is computed: a fixed subsample of the training rows (read
        # in place by the compiled losses); None: every row.
        score_rows = None
        if len(y) > TRAIN_SCORE_ROWS:
            score_rows = np.sort(np.random.default_rng([seed, 1]).choice(
                len(y), TRAIN_SCORE_ROWS, replace=False))
        scorer = None if self.scoring in (None, "loss") else check_scoring(self, self.scoring)

        # The gradients and hessians are written to the same arrays every round.
        gradient_buffers = (np.empty((len(y), n_channels)),
                            np.empty((len(y), n_channels) if loss.per_channel_hessian
                                     else len(y)))
        if fitted:
            trees = self._trees
            raw = trees.raw_predict(X, n_threads)
            raw_val = trees.raw_predict(validation[0], n_threads) if validation else None
            n_keep = trees.n_rounds + 1
            next_gradients = None
            train_scores = list(self.train_score_[:n_keep])
            validation_scores = list(getattr(self, "validation_score_", [])[:n_keep])
        else:
            baseline = loss.baseline(y[positive], sample_weight[positive])
            trees = _BoostedTrees(baseline, X.shape[1])
            raw = np.empty((len(y), n_channels))
            raw[:] = baseline
            raw_val = None
            if validation:
                raw_val = np.empty((validation[0].shape[0], n_channels))
                raw_val[:] = baseline
            score, next_gradients = self._train_score(scorer, y, raw, sample_weight, score_rows,
                                                      n_threads, gradient_buffers)
            train_scores = [score]
            validation_scores = []
            if validation:
                validation_scores = [self._score(scorer, validation[1], raw_val,
                                                 validation[2], None, n_threads)]

        best_round = trees.n_rounds
        monitored = validation_scores if validation else train_scores
        best_score = monitored[-1]
        start_time = time.perf_counter()
        if self.verbose:
            print(f"Fitting {self.n_estimators - trees.n_rounds} rounds of {n_channels} tree(s) "
                  f"on {len(y)} rows x {X.shape[1]} features")
        n_features_per_tree = max(1, int(round(self.colsample_bytree * X.shape[1])))
        all_rows = None if len(positive) == len(y) else positive
        # The same every round: made once.
        all_rows_per_tree = None if all_rows is None else [all_rows] * n_channels
        tree_channels = np.arange(n_channels) if n_channels > 1 else None
        # Quantised rounds' packed statistics, written to the same array every round.
        packed_buffer = None
        # The trees' large buffers are kept from one round to the next (given back below),
        # and the rounds' leaves written to one array.
        leaves_buffer = np.empty((n_channels, len(y)), dtype=np.int32)
        # Several classes: each class's channel is copied to these for its tree every round.
        channel_buffers = None
        if n_channels > 1:
            channel_buffers = (np.empty((n_channels, len(y), 1)),
                               np.empty((n_channels, len(y))) if loss.per_channel_hessian
                               else None)
        try:
            first_round = trees.n_rounds
            round_seeds = _tree_seeds(seed, first_round, self.n_estimators, n_channels)
            for m in range(first_round, self.n_estimators):
                clock = time.perf_counter()
                # A generator per round (warm_start equals one long fit), made only when rows or
                # features are drawn: seeding one costs ~40 us, a small tree's growth ~500 us.
                rng = (np.random.default_rng([seed, 2, m])
                       if self.subsample < 1.0 or n_features_per_tree < X.shape[1] else None)
                if next_gradients is None:
                    g, h = loss.gradients(y, raw, sample_weight, n_threads, out=gradient_buffers)
                else:
                    (g, h), next_gradients = next_gradients, None
                quantized = None
                if quantize:
                    quantized = quantize_gradients(g, h, len(positive), n_threads,
                                                   packed_out=packed_buffer)
                    packed_buffer = None if quantized is None else quantized[1]
                clock = _lap(profile, "gradients", clock)
                rows = all_rows
                if self.subsample < 1.0:
                    drawn = rng.random(len(y)) < self.subsample
                    drawn &= sample_weight > 0
                    rows = np.flatnonzero(drawn)
                features = None
                if n_features_per_tree < X.shape[1]:
                    features = [np.sort(rng.choice(X.shape[1], n_features_per_tree, replace=False))
                                for _ in range(n_channels)]
                new_trees, leaves = grow_trees(
                    data, g, h, params, seeds=round_seeds[m - first_round],
                    rows=(all_rows_per_tree if rows is all_rows
                          else [rows] * n_channels),
                    channels=tree_channels,
                    features=features, n_threads=n_threads, return_leaves=True,
                    keep_buffers=True, leaves_out=leaves_buffer,
                    channels_out=channel_buffers, quantized=quantized)
                clock = _lap(profile, "tree growth (engine)", clock)
                new_trees = self._finalize_leaves(new_trees, leaves, g, h, y, raw, sample_weight)
                clock = _lap(profile, "leaf values", clock)
                # Stored (compact) once: the ensemble keeps them, and rows left out of the round
                # go through them on the bins the trees were grown on (or on X for exact trees).
                new_trees = [(compact_nodes(nodes), values) for nodes, values in new_trees]
                grown_on = X if data.binned_rows is None else data.binned_rows
                # Rows each tree was grown on (leaf known), every class in one pass, then the
                # others, if any.
                add_leaf_values(raw, leaves, [values for _, values in new_trees], n_threads)
                for k, (nodes, values) in enumerate(new_trees):
                    if rows is not None or all_rows is not None:
                        outside = np.flatnonzero(leaves[k] < 0)
                        if len(outside):
                            outside_leaves = apply_trees(grown_on[outside], nodes,
                                                         np.zeros(1, np.intp), n_threads)[:, 0]
                            raw[outside, k] += values[outside_leaves, 0]
                trees.add_round(new_trees)
                clock = _lap(profile, "prediction update", clock)
                score, next_gradients = self._train_score(scorer, y, raw, sample_weight,
                                                          score_rows, n_threads, gradient_buffers)
                train_scores.append(score)
                clock = _lap(profile, "gradients", clock)
                if validation:
                    trees.add_rounds(validation[0], raw_val, m, m + 1, n_threads)
                    validation_scores.append(self._score(scorer, validation[1], raw_val,
                                                         validation[2], None, n_threads))
                if not np.isfinite(train_scores[-1]) or (validation and
                                                         not np.isfinite(validation_scores[-1])):
                    raise ValueError(
                        f"the loss became non-finite at round {m + 1} (NaN or infinity in the "
                        "predictions): lower learning_rate, raise reg_lambda or min_child_weight, "
                        "or check the targets' scale.")
                clock = _lap(profile, "scores", clock)
                if self.verbose and ((m + 1) % self.verbose == 0 or m + 1 == self.n_estimators):
                    line = f"[{m + 1}] train {self._score_text(train_scores[-1])}"
                    if validation:
                        line += f"  validation {self._score_text(validation_scores[-1])}"
                    print(line + f"  elapsed: {time.perf_counter() - start_time:.3f}s")
                if use_early_stopping:
                    current = monitored[-1]
                    if current > best_score + self.tol:
                        best_score, best_round = current, m + 1
                    elif m + 1 - best_round >= self.n_iter_no_change:
                        break
                else:
                    best_round = m + 1
        finally:
            release_kept_buffers()

        if use_early_stopping and best_round < trees.n_rounds:
            trees.truncate(best_round)
            if self.verbose:
                print(f"Early stopping: keeping the best round, {best_round}.")
        self._trees = trees
        self.n_estimators_ = trees.n_rounds
        self.train_score_ = np.asarray(train_scores)
        if validation:
            self.validation_score_ = np.asarray(validation_scores)
        elif hasattr(self, "validation_score_"):
            del self.validation_score_
        self.do_early_stopping_ = use_early_stopping
        self._fit_profile = profile
        return self

    def _use_early_stopping(self, n_samples, has_validation_set):
        if self.early_stopping == "auto":
            return has_validation_set or n_samples > AUTO_EARLY_STOPPING_ROWS
        if has_validation_set and not self.early_stopping:
            raise ValueError("X_val and y_val are given while early_stopping is False: set "
                             "early_stopping to 'auto' or True to use them.")
        return bool(self.early_stopping)

    def _check_params(self):
        pass

    def _finalize_leaves(self, trees, leaves, g, h, y, raw, sample_weight):
        """Leaf values as fitted: L1-thresholded Newton steps or quantile refits, times the rate."""
        refit = self._loss.refit_quantile is not None or self.reg_alpha > 0
        result = []
        for k, (nodes, values) in enumerate(trees):
            if refit:
                values = self._refit_leaf_values(k, len(nodes), values, leaves, g, h, y, raw,
                                                 sample_weight)
            values = scaled_leaf_values(values, self.learning_rate)
            if values is None:
                raise ValueError("a tree got non-finite leaf values (the gradients or hessians "
                                 "overflowed): lower learning_rate or raise reg_lambda.")
            result.append((nodes, values))
        return result

    def _refit_leaf_values(self, k, n_nodes, values, leaves, g, h, y, raw, sample_weight):
        """Tree ``k``'s leaf values refitted to its rows: the residuals' quantile, or the
        L1-thresholded Newton step (as an (n_nodes, 1) array, before the learning rate)."""
        loss = self._loss
        values = np.array(values[:, :1], dtype=np.float64)
        inside = leaves[k] >= 0
        node_of_row = leaves[k, inside]
        if loss.refit_quantile is not None:
            residual = y[inside] - raw[inside, k]
            refit = grouped_weighted_quantile(node_of_row, residual, sample_weight[inside],
                                              loss.refit_quantile, n_nodes)
            known = ~np.isnan(refit)
            values[known, 0] = refit[known]
        else:
            hk = h if h.ndim == 1 else h[:, k]
            G = np.bincount(node_of_row, weights=g[inside, k], minlength=n_nodes)
            H = np.bincount(node_of_row, weights=hk[inside], minlength=n_nodes)
            known = np.bincount(node_of_row, minlength=n_nodes) > 0
            shrunk = np.sign(G) * np.maximum(np.abs(G) - self.reg_alpha, 0.0)
            values[known, 0] = -shrunk[known] / (H[known] + self.reg_lambda)
        return values

    def _train_score(self, scorer, y, raw, sample_weight, rows, n_threads, gradient_buffers):
        """``(score, gradients)``: the training score at ``raw`` and, with the loss as the
        score, the next round's gradients and hessians at the same ``raw`` (written to
        ``gradient_buffers``), taken in one pass with it; None with a scorer."""
        if scorer is not None:
            return self._score(scorer, y, raw, sample_weight, rows, n_threads), None
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite: raised by fit
            g, h, value = self._loss.gradients_and_loss(y, raw, sample_weight, rows, n_threads,
                                                        out=gradient_buffers)
        return -value, (g, h)

    def _score(self, scorer, y, raw, sample_weight, rows=None, n_threads=1):
        """Higher is better: minus the loss, or the scorer's value, over ``rows`` (None:
        all)."""
        if scorer is None:
            with np.errstate(over="ignore", invalid="ignore"):  # non-finite: raised by fit
                return -self._loss.loss(y, raw, sample_weight, rows, n_threads)
        if rows is not None:
            y, raw, sample_weight = y[rows], raw[rows], sample_weight[rows]
        return scorer(_RawPredictions(self), raw, self._decode(y), sample_weight=sample_weight)

    def _score_text(self, score):
        """A score as the log shows it: the loss itself (scores are negated losses), or the
        scorer's name and value."""
        if self.scoring in (None, "loss"):
            return f"loss: {-score:.6g}"
        return f"{self.scoring}: {score:.6g}"

    def _decode(self, y):
        return y

    def _can_stratify(self, y):
        counts = np.bincount(y)
        return counts[counts > 0].min() >= 2

    # -- prediction --------------------------------------------------------------------------

    def _validate_X(self, X):
        """X to predict (or validate) on: as wide as the training data, float32, NaN allowed
        in dense X, sparse rows as CSR."""
        return validate_float32_data(self, X, n_threads=effective_n_threads(self.n_jobs),
                                     accept_sparse="csr", reset=False)

    def _raw_predict(self, X):
        check_is_fitted(self)
        X = self._validate_X(X)
        return self._trees.raw_predict(X, effective_n_threads(self.n_jobs))

    def _staged_raw_predict(self, X):
        check_is_fitted(self)
        X = self._validate_X(X)
        yield from self._trees.staged_raw_predict(X, effective_n_threads(self.n_jobs))

    def apply(self, X):
        """Leaf each sample ends up in, in every tree.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        X_leaves : ndarray of shape (n_samples, n_estimators_, n_trees_per_round)
            Leaf indices (local to each tree); the regressor drops the last axis. One tree per
            round except for multi-class classification (one per class).
        """
        check_is_fitted(self)
        X = self._validate_X(X)
        leaves = self._trees.apply(X, effective_n_threads(self.n_jobs))
        return leaves if self._is_classifier else leaves[:, :, 0]

    @property
    def feature_importances_(self):
        """Total gain of the splits on each feature, normalised to sum to 1.

        Returns
        -------
        feature_importances_ : ndarray of shape (n_features,)
        """
        check_is_fitted(self)
        return self._trees.feature_importances(self.n_features_in_)


_PARAMETERS_DOC = """
    learning_rate : float, default=0.1
        Shrinkage of every tree's leaf values (``eta``).
    n_estimators : int, default=100
        Boosting rounds (``num_boost_round``): one tree per round, one per class for
        multi-class classification.
    max_depth : int or None, default=6
        Depth limit of the trees; None: unlimited (then set ``max_leaf_nodes``).
    max_leaf_nodes : int or None, default=None
        When set, trees grow best-first to at most this many leaves (LightGBM's
        ``num_leaves``); otherwise depth-first.
    min_child_weight : float, default=1.0
        Hessian sum each child needs (XGBoost's ``min_child_weight``).
    min_samples_leaf : int, default=1
        Rows each child needs (LightGBM's ``min_data_in_leaf``).
    reg_lambda : float, default=1.0
        L2 regularisation ``lambda`` of the leaf values (added to every hessian sum).
    reg_alpha : float, default=0.0
        L1 regularisation of the leaf values: ``-sign(G) max(|G| - alpha, 0) / (H + lambda)``.
        It applies to the leaf values; split gains use the L2 term only.
    gamma : float, default=0.0
        Minimum gain of a split, ``1/2 [G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)]``
        (XGBoost's ``gamma``, LightGBM's ``min_split_gain``).
    subsample : float, default=1.0
        Fraction of the rows drawn (without replacement, independently per round) for each
        round's trees.
    colsample_bytree : float, default=1.0
        Fraction of the features each tree may split on.
    max_bins : int, default=255
        Bins per feature for ``tree_method="hist"`` (plus one for missing values).
    tree_method : {"hist", "exact"}, default="hist"
        "hist": features binned once per fit, split search over bins. "exact": the exact
        greedy search over sorted values (the original XGBoost algorithm).
    quantize_gradients : bool, default=False
        With ``tree_method="hist"``: round every round's gradients and hessians to integer
        multiples of a power of two, at most 2**14 steps to the largest (fewer past 131,072
        rows: ``(2**31 - 1) // n_rows``), as LightGBM's ``use_quantized_grad`` does with a
        few. Every histogram sum is then exact, and trees of 32,768 rows or more add a row's
        gradient and hessian as one packed integer: faster fits of large data, with models
        within rounding of the unquantised ones (their gains and leaf values differ by about
        the step over the node's rows). The rounding costs a few nanoseconds a row a round: on smaller
        data, whose histograms stay float64, fits are a little slower.
    early_stopping : "auto" or bool, default="auto"
        Stop when the validation score has not improved by ``tol`` for ``n_iter_no_change``
        rounds and keep the best round. "auto": on when ``X_val`` is given or the training set
        has more than 10,000 rows.
    validation_fraction : float or None, default=0.1
        Part of the training data held out for early stopping (stratified for the
        classifier) when no ``X_val`` is given; None: early stopping watches the training score.
    n_iter_no_change : int, default=10
        Rounds without improvement before stopping.
    tol : float, default=1e-7
        Improvement a round needs to count as one.
    scoring : str, callable or None, default="loss"
        Score watched by early stopping: "loss" (minus the loss) or a scikit-learn scorer.
    warm_start : bool, default=False
        Keep the fitted trees and add rounds up to ``n_estimators`` at the next fit (same
        data expected). With the same ``random_state`` the result equals one longer fit.
    random_state : int, RandomState instance or None, default=None
        Draws the row and feature subsamples, the binning subsample and the validation split.
    n_jobs : int or None, default=None
        OpenMP threads (None: what the OpenMP runtime allows; -1: all cores). The model is
        the same for every value.
    verbose : int, default=0
        When positive, print a line every ``verbose`` rounds: round, training and validation
        score, elapsed time."""

_ATTRIBUTES_DOC = """
    n_estimators_ : int
        Rounds kept (after early stopping: the best round).
    train_score_ : ndarray of shape (n_rounds_run + 1,)
        Score (minus the loss, or ``scoring``) on up to 10,000 training rows before the first
        round and after each round run.
    validation_score_ : ndarray of shape (n_rounds_run + 1,)
        The same on the validation data (only when early stopping used validation data).
    do_early_stopping_ : bool
        Whether early stopping was on.
    feature_importances_ : ndarray of shape (n_features,)
        Total gain of the splits on each feature, normalised.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit (only when X has string column names)."""


class GradientBoostingClassifier(ClassifierMixin, BaseGradientBoosting):
    __doc__ = f"""Gradient-boosted trees for classification, with second-order splits and leaves.

    Every round grows, on the gradients ``g`` and hessians ``h`` of the log loss, a tree whose
    splits maximise ``1/2 [G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)]`` and whose leaves are the
    Newton steps ``-G/(H+λ)`` times ``learning_rate`` (XGBoost's algorithm). Binary problems use
    a sigmoid link and one tree per round; multi-class problems a softmax and one tree per class
    and round, the classes' trees grown together. Missing values (NaN) are sent to the side
    learned at each split.

    Parameters
    ----------
    loss : {{"log_loss"}}, default="log_loss"
        Binomial or multinomial log loss.
    {_PARAMETERS_DOC.strip()}
    class_weight : dict, "balanced" or None, default=None
        Multipliers of the sample weights per class; "balanced" is
        ``n_samples / (n_classes * count)``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    {_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    GradientBoostingRegressor : the regressor.
    sklearn.ensemble.HistGradientBoostingClassifier : scikit-learn's histogram boosting.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skedu.ensemble import GradientBoostingClassifier
    >>> X, y = make_classification(n_samples=500, random_state=0)
    >>> clf = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **BaseGradientBoosting._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _is_classifier = True

    def __init__(self, *, loss="log_loss", learning_rate=0.1, n_estimators=100, max_depth=6,
                 max_leaf_nodes=None, min_child_weight=1.0, min_samples_leaf=1, reg_lambda=1.0,
                 reg_alpha=0.0, gamma=0.0, subsample=1.0, colsample_bytree=1.0, max_bins=255,
                 tree_method="hist", quantize_gradients=False, early_stopping="auto",
                 validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-7, scoring="loss", warm_start=False,
                 random_state=None, n_jobs=None, verbose=0, class_weight=None):
        super().__init__(
            loss=loss, learning_rate=learning_rate, n_estimators=n_estimators,
            max_depth=max_depth, max_leaf_nodes=max_leaf_nodes,
            min_child_weight=min_child_weight, min_samples_leaf=min_samples_leaf,
            reg_lambda=reg_lambda, reg_alpha=reg_alpha, gamma=gamma, subsample=subsample,
            colsample_bytree=colsample_bytree, max_bins=max_bins, tree_method=tree_method,
            quantize_gradients=quantize_gradients,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, scoring=scoring, warm_start=warm_start,
            random_state=random_state, n_jobs=n_jobs, verbose=verbose)
        self.class_weight = class_weight

    def _encode_y(self, y, reset, validation=False):
        if reset:
            check_classification_targets(y)
            self.classes_, codes = np.unique(y, return_inverse=True)
            self.n_classes_ = len(self.classes_)
            if self.n_classes_ < 2:
                raise ValueError(f"GradientBoostingClassifier needs samples of at least 2 "
                                 f"classes; got 1 class ({self.classes_[0]!r}).")
            return codes.astype(np.intp)
        y = np.asarray(y).ravel()
        codes = np.searchsorted(self.classes_, y)
        codes = np.minimum(codes, self.n_classes_ - 1)
        unknown = self.classes_[codes] != y
        if np.any(unknown):
            what = "y_val" if validation else "y"
            raise ValueError(f"{what} holds classes not seen in the first fit: "
                             f"{np.unique(y[unknown])[:5].tolist()}.")
        return codes.astype(np.intp)

    def _weight_classes(self, codes, sample_weight):
        if self.class_weight is None:
            return sample_weight
        weights = compute_sample_weight(self.class_weight, self.classes_[codes])
        return sample_weight * weights

    def _decode(self, codes):
        return self.classes_[codes.astype(np.intp)]

    def _raw_to_decision(self, raw):
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def _raw_to_prediction(self, raw):
        if raw.shape[1] == 1:
            return self.classes_[(raw[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(raw, axis=1)]

    def decision_function(self, X):
        """Raw predictions (log-odds of the second class, or one score per class).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._raw_to_decision(self._raw_predict(X))

    def predict(self, X):
        """Predicted class of every sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        return self._raw_to_prediction(self._raw_predict(X))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        raw = self._raw_predict(X)
        return self._loss.predict(raw)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def staged_decision_function(self, X):
        """Raw predictions after each round.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        for raw in self._staged_raw_predict(X):
            yield self._raw_to_decision(raw)

    def staged_predict(self, X):
        """Predicted classes after each round.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        y : ndarray of shape (n_samples,)
        """
        for raw in self._staged_raw_predict(X):
            yield self._raw_to_prediction(raw)

    def staged_predict_proba(self, X):
        """Class probabilities after each round.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        proba : ndarray of shape (n_samples, n_classes)
        """
        for raw in self._staged_raw_predict(X):
            yield self._loss.predict(raw)


class GradientBoostingRegressor(RegressorMixin, BaseGradientBoosting):
    __doc__ = f"""Gradient-boosted trees for regression, with second-order splits and leaves.

    Every round grows, on the gradients ``g`` and hessians ``h`` of the loss, a tree whose splits
    maximise ``1/2 [G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)]`` and whose leaves are the Newton
    steps ``-G/(H+λ)`` times ``learning_rate``. For "absolute_error" and "quantile" (constant
    hessian) the leaf values are refit to the weighted median / quantile of the residuals of
    the leaf's rows, as LightGBM and scikit-learn do. "poisson" boosts the log of the mean.

    Parameters
    ----------
    loss : {{"squared_error", "absolute_error", "quantile", "poisson"}}, default="squared_error"
        Loss minimised.
    {_PARAMETERS_DOC.strip()}
    quantile : float or None, default=None
        The quantile predicted with ``loss="quantile"`` (in (0, 1), required then).
    poisson_max_delta_step : float, default=0.7
        With ``loss="poisson"``, hessians are multiplied by ``exp(poisson_max_delta_step)``,
        which shortens the Newton steps where the predicted mean is far below the counts
        (XGBoost's ``max_delta_step`` and LightGBM's ``poisson_max_delta_step``, both 0.7 by
        default). 0 gives plain Newton steps.

    Attributes
    ----------
    {_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    GradientBoostingClassifier : the classifier.
    sklearn.ensemble.HistGradientBoostingRegressor : scikit-learn's histogram boosting.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skedu.ensemble import GradientBoostingRegressor
    >>> X, y = make_regression(n_samples=500, random_state=0)
    >>> reg = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        **BaseGradientBoosting._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "quantile", "poisson"})],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
        "poisson_max_delta_step": [Interval(Real, 0, None, closed="left")],
    }
    _is_classifier = False

    def __init__(self, *, loss="squared_error", learning_rate=0.1, n_estimators=100,
                 max_depth=6, max_leaf_nodes=None, min_child_weight=1.0, min_samples_leaf=1,
                 reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, subsample=1.0, colsample_bytree=1.0,
                 max_bins=255, tree_method="hist", quantize_gradients=False,
                 early_stopping="auto",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-7, scoring="loss",
                 warm_start=False, random_state=None, n_jobs=None, verbose=0, quantile=None,
                 poisson_max_delta_step=0.7):
        super().__init__(
            loss=loss, learning_rate=learning_rate, n_estimators=n_estimators,
            max_depth=max_depth, max_leaf_nodes=max_leaf_nodes,
            min_child_weight=min_child_weight, min_samples_leaf=min_samples_leaf,
            reg_lambda=reg_lambda, reg_alpha=reg_alpha, gamma=gamma, subsample=subsample,
            colsample_bytree=colsample_bytree, max_bins=max_bins, tree_method=tree_method,
            quantize_gradients=quantize_gradients,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, scoring=scoring, warm_start=warm_start,
            random_state=random_state, n_jobs=n_jobs, verbose=verbose)
        self.quantile = quantile
        self.poisson_max_delta_step = poisson_max_delta_step

    def _check_params(self):
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError("loss='quantile' needs the quantile parameter (in (0, 1)).")

    def _encode_y(self, y, reset, validation=False):
        y = np.asarray(y, dtype=np.float64).ravel()
        what = "y_val" if validation else "y"
        check_finite_targets(y, what)
        if self.loss == "poisson" and (np.any(y < 0) or (not validation and y.sum() <= 0)):
            raise ValueError(f"loss='poisson' needs a non-negative {what} with a positive sum.")
        return y

    def _weight_classes(self, y, sample_weight):
        return sample_weight

    def _can_stratify(self, y):  # pragma: no cover - never stratified
        return False

    def _raw_to_prediction(self, raw):
        return self._loss.predict(raw)

    def predict(self, X):
        """Predicted target of every sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        return self._raw_to_prediction(self._raw_predict(X))

    def staged_predict(self, X):
        """Predicted targets after each round.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Yields
        ------
        y : ndarray of shape (n_samples,)
        """
        for raw in self._staged_raw_predict(X):
            yield self._raw_to_prediction(raw)
