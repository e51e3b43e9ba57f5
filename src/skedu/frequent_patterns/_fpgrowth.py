"""Frequent item sets by FP-growth, and association rules.

- :class:`FPGrowth`: a scikit-learn transformer; ``fit`` mines the frequent item sets (and rules
  when ``min_confidence`` is set), ``transform`` marks which of them each transaction contains.
- :func:`fpgrowth` and :func:`association_rules`: drop-in replacements for mlxtend's functions of
  the same names, taking and returning pandas DataFrames (pandas is an optional dependency).

The FP-tree and its recursive mining run in compiled code (``skedu._core._fptree``); Python only
validates, encodes items and builds the returned objects.
"""

import gc
import math
import time
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._core._fp_encode import encode_transactions, itemsets_as_tuples, rank_transactions
from .._core._fp_sets import contained_sets
from .._core._fptree import mine_frequent_itemsets
from ._input import (
    ZERO_ONE_MESSAGE,
    check_numeric_values,
    is_matrix_input,
    min_support_count,
    transactions_to_ids,
)
from ._rules import (
    DEFAULT_MAX_RULES,
    RULE_METRICS,
    TooManyRulesError,
    generate_rules,
    rule_metrics,
)
from ..utils import effective_n_threads

__all__ = ["FPGrowth", "fpgrowth", "association_rules", "TooManyItemsetsError",
           "TooManyRulesError"]

_NO_MAX_LEN = np.iinfo(np.int32).max
# Guard against runaway output: ten million sets are about 1 GB as Python tuples.
DEFAULT_MAX_ITEMSETS = 10_000_000


class TooManyItemsetsError(ValueError):
    """More frequent item sets than ``max_itemsets``: the support is too low for the data."""


def _rank_items(ids, n_ids, min_count):
    """Frequent ids ordered by descending support (ties by id) and the rank of every id."""
    counts = np.bincount(ids, minlength=n_ids)
    frequent = np.flatnonzero(counts >= min_count)
    by_support = frequent[np.argsort(-counts[frequent], kind="stable")]
    rank_of = np.full(n_ids, -1, dtype=np.int32)
    rank_of[by_support] = np.arange(by_support.shape[0], dtype=np.int32)
    return by_support, rank_of


def _as_tuples(items, offsets, labels):
    # Hundreds of thousands of new tuples would trigger the cyclic garbage collector many
    # times over; none of them can be part of a cycle, so it is paused meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return itemsets_as_tuples(items, offsets, labels)
    finally:
        if collecting:
            gc.enable()


class FPGrowth(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Frequent item sets mined by FP-growth, as a scikit-learn transformer.

    ``fit`` finds every set of items contained in at least ``min_support`` of the transactions;
    ``transform`` maps transactions to a sparse 0/1 matrix with one column per frequent set, so
    that the sets can feed a classifier inside a :class:`~sklearn.pipeline.Pipeline`.

    Transactions are a list of iterables of hashable items, or a matrix (array, sparse matrix,
    DataFrame) with one column per item whose non-zero entries mark the items present. Sparse
    input stays sparse: memory follows the FP-tree, not n_transactions × n_items.

    Parameters
    ----------
    min_support : float or int, default=0.5
        A float in (0, 1] is a fraction of the transactions; an int is a number of transactions
        (at least 1), as ``min_df`` of scikit-learn's ``CountVectorizer``: ``1`` means one
        transaction and ``1.0`` all of them. (:func:`fpgrowth`, mlxtend's interface, takes
        fractions only.) A set is frequent when its support is at least this.
    max_len : int or None, default=None
        Largest number of items in a set; None for no limit.
    min_confidence : float or None, default=None
        When set, ``fit`` also derives the association rules whose confidence reaches it
        (``rules_``).
    max_itemsets : int or None, default=10_000_000
        Guard against runaway output: ``fit`` stops with :class:`TooManyItemsetsError` (a
        ``ValueError``) saying how many sets it had found once there are more than this, long
        before memory runs out (ten million sets take about 1 GB as Python tuples). None for
        no limit.
    max_rules : int or None, default=2_000_000
        Guard on the rules that ``min_confidence`` asks for: ``fit`` stops with
        :class:`TooManyRulesError` (a ``ValueError``) saying how many rules it had found once
        there are more than this (two million rules take about 1 GB). None for no limit.
    n_jobs : int or None, default=None
        Threads mining the top-level items' conditional trees (scikit-learn's meaning: None uses
        what the OpenMP runtime allows, -1 all cores). The result does not depend on it.

    Attributes
    ----------
    itemsets_ : list of tuple
        The frequent item sets, as tuples of item labels (the items of a list of transactions,
        the column names of a DataFrame, the column indices of an array or sparse matrix).
    supports_ : ndarray of shape (n_itemsets,), float64
        Fraction of the transactions that contain each set.
    support_counts_ : ndarray of shape (n_itemsets,), int64
        Number of transactions that contain each set.
    n_transactions_ : int
        Number of transactions seen in ``fit``.
    n_tree_nodes_ : int
        Size of the FP-tree built on the transactions (root included); the mining memory is
        proportional to it. 0 on sparse data (a transaction holding under 10% of the frequent
        items), where that tree would be hardly smaller than the transactions and is not built:
        each item's conditional tree is then built from the transactions that contain it.
    rules_ : dict
        Only when ``min_confidence`` is set: ``"antecedents"`` and ``"consequents"`` (lists of
        frozensets) and one array per metric of :func:`association_rules`.
    n_features_in_ : int
        Number of columns of an array, sparse matrix or DataFrame input (absent for a list of
        transactions).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame input whose column names are all strings.

    See Also
    --------
    fpgrowth : the same mining with mlxtend's DataFrame interface.
    association_rules : rules from a DataFrame of frequent item sets.

    Examples
    --------
    >>> from skedu.frequent_patterns import FPGrowth
    >>> baskets = [["bread", "milk"], ["bread", "butter"], ["bread", "milk", "butter"], ["milk"]]
    >>> model = FPGrowth(min_support=0.5).fit(baskets)
    >>> for itemset, support in sorted(zip(map(sorted, model.itemsets_), model.supports_)):
    ...     print(itemset, support)
    ['bread'] 0.75
    ['bread', 'butter'] 0.5
    ['bread', 'milk'] 0.5
    ['butter'] 0.5
    ['milk'] 0.75
    >>> model.transform([["bread", "milk"]]).nnz  # {bread}, {milk}, {bread, milk}
    3
    """

    _parameter_constraints = {
        "min_support": [Interval(Real, 0, 1, closed="right"),
                        Interval(Integral, 1, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "min_confidence": [Interval(Real, 0, 1, closed="both"), None],
        "max_itemsets": [Interval(Integral, 1, None, closed="left"), None],
        "max_rules": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Interval(Integral, None, -1, closed="right"),
                   Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, min_support=0.5, max_len=None, min_confidence=None,
                 max_itemsets=DEFAULT_MAX_ITEMSETS, max_rules=DEFAULT_MAX_RULES, n_jobs=None):
        self.min_support = min_support
        self.max_len = max_len
        self.min_confidence = min_confidence
        self.max_itemsets = max_itemsets
        self.max_rules = max_rules
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Mine the frequent item sets of ``X`` (and the rules when ``min_confidence`` is set).

        Parameters
        ----------
        X : list of iterables, ndarray of shape (n_transactions, n_items), sparse matrix or DataFrame
            Transactions: iterables of hashable items (repeats within one count once; a 1-D
            object array or a pandas Series of baskets is such a sequence; NaN is refused, not
            mined as an item), or a matrix with one column per item whose non-zero entries
            mark the items present (booleans, 0/1, or counts such as ``CountVectorizer``'s).
        y : None
            Ignored.

        Returns
        -------
        self : FPGrowth
        """
        return self._fit(X, zero_one=False)

    def _fit(self, X, zero_one, min_count=None):
        """``fit``; ``zero_one`` rejects matrices holding anything but 0 and 1 (mlxtend's rule);
        ``min_count`` replaces the threshold that ``min_support`` gives."""
        max_len = _NO_MAX_LEN if self.max_len is None else int(min(self.max_len, _NO_MAX_LEN))
        n_threads = effective_n_threads(self.n_jobs)
        self._matrix_input = is_matrix_input(X)
        indptr, ids, labels = transactions_to_ids(self, X, reset=True, zero_one=zero_one)
        n_transactions = indptr.shape[0] - 1
        if min_count is None:
            min_count = min_support_count(self.min_support, n_transactions, allow_count=True)
        frequent_ids, rank_of = _rank_items(ids, len(labels), min_count)
        ranked_indptr, ranks = rank_transactions(indptr, ids, rank_of)
        try:
            items, offsets, support_counts, n_tree_nodes = mine_frequent_itemsets(
                ranked_indptr, ranks, frequent_ids.shape[0], min_count, max_len, n_threads,
                -1 if self.max_itemsets is None else self.max_itemsets,
            )
        except OverflowError as error:
            raise TooManyItemsetsError(
                f"More than max_itemsets={self.max_itemsets} frequent item sets: {error.args[0]} "
                f"found so far, at min_support={self.min_support!r} ({min_count} of "
                f"{n_transactions} transactions). Raise min_support, set max_len, or raise "
                "max_itemsets (None for no limit) if the memory allows."
            ) from None
        self._frequent_ids = frequent_ids
        self._frequent_labels = [labels[i] for i in frequent_ids]
        self._rank_of_id = rank_of
        self._itemset_ranks = items
        self._itemset_offsets = offsets
        self.itemsets_ = _as_tuples(items, offsets, self._frequent_labels)
        self.support_counts_ = support_counts
        self.supports_ = support_counts / float(n_transactions)
        self.n_transactions_ = n_transactions
        self.n_tree_nodes_ = n_tree_nodes
        self._n_features_out = len(self.itemsets_)
        if self.min_confidence is not None:
            antecedents, consequents, (sAC, sA, sC) = generate_rules(
                items, offsets, self.supports_, self._frequent_labels, "confidence",
                self.min_confidence, n=n_transactions, n_threads=n_threads,
                max_rules=self.max_rules,
                advice=("Raise min_confidence or min_support, set max_len, or raise max_rules "
                        "(None for no limit) if the memory allows."),
            )
            metrics = rule_metrics(sAC, sA, sC, n=float(n_transactions))
            self.rules_ = {"antecedents": antecedents, "consequents": consequents, **metrics}
        return self

    def transform(self, X):
        """Which frequent item sets each transaction contains.

        Parameters
        ----------
        X : list of iterables, ndarray, sparse matrix or DataFrame
            Transactions of the same kind as in ``fit``; items unseen in ``fit`` are ignored.

        Returns
        -------
        indicators : scipy.sparse.csr_matrix of shape (n_transactions, n_itemsets), float64
            1 where the transaction contains all items of the set.

        Notes
        -----
        The sets are stored in a trie and each transaction walks it along its own items, in
        compiled code: time and memory follow the number of (transaction, contained set)
        pairs, not n_transactions × n_itemsets.
        """
        check_is_fitted(self)
        if is_matrix_input(X) != self._matrix_input:
            fitted = "an indicator matrix" if self._matrix_input else "a list of transactions"
            raise ValueError(f"FPGrowth was fitted on {fitted}; transform needs the same kind of input.")
        indptr, ids, labels = transactions_to_ids(self, X, reset=False)
        if self._matrix_input:
            rank_of = self._rank_of_id
        else:
            rank_of_label = {label: rank for rank, label in enumerate(self._frequent_labels)}
            rank_of = np.array([rank_of_label.get(label, -1) for label in labels], dtype=np.int32)
        ranked_indptr, ranks = rank_transactions(indptr, ids, rank_of.astype(np.int32, copy=False))
        n_sets = self._itemset_offsets.shape[0] - 1
        out_indptr, out_indices = contained_sets(
            self._itemset_ranks, self._itemset_offsets, ranked_indptr, ranks,
            effective_n_threads(self.n_jobs),
        )
        data = np.ones(out_indices.shape[0], dtype=np.float64)
        return sparse.csr_matrix((data, out_indices, out_indptr),
                                 shape=(out_indptr.shape[0] - 1, n_sets))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = []
        return tags


def _require_pandas(function_name):
    try:
        import pandas
    except ImportError as error:  # pragma: no cover - exercised only without pandas
        raise ImportError(
            f"skedu.frequent_patterns.{function_name} works on pandas DataFrames, and pandas is "
            "not installed. Install it with `pip install skedu[pandas]`, or use the FPGrowth "
            "estimator, which needs no pandas."
        ) from error
    return pandas


def _check_fraction(min_support):
    """mlxtend's min_support: a fraction in (0, 1]; an int is refused as ambiguous."""
    if isinstance(min_support, (bool, np.bool_)) or not isinstance(min_support, Real):
        raise TypeError(f"min_support must be a fraction in (0, 1], got {min_support!r}.")
    if isinstance(min_support, Integral):
        raise TypeError(
            f"fpgrowth takes min_support as a fraction of the transactions, as mlxtend does; "
            f"the int {min_support!r} is ambiguous (FPGrowth reads an int as a count of "
            "transactions). Pass a float (1.0 for every transaction), or use "
            "FPGrowth(min_support=<count>) for a number of transactions."
        )
    if not 0.0 < min_support <= 1.0:
        raise ValueError(
            "`min_support` must be a positive number within the interval `(0, 1]`. "
            f"Got {min_support!r}."
        )
    return float(min_support)


def _null_value_supports(values, items, offsets):
    """mlxtend's supports with missing values: of the rows where no item of the set is NaN,
    the fraction where every item is 1 (0 when no row qualifies)."""
    ones = values == 1
    missing = np.isnan(values)
    supports = np.empty(offsets.shape[0] - 1)
    for s in range(supports.shape[0]):
        columns = items[offsets[s]:offsets[s + 1]]
        available = values.shape[0] - np.count_nonzero(missing[:, columns].any(axis=1))
        present = np.count_nonzero(ones[:, columns].all(axis=1))
        supports[s] = 0.0 if available == 0 else present / available
    return supports


def fpgrowth(df, min_support=0.5, null_values=False, use_colnames=False, max_len=None,
             verbose=0, *, n_jobs=None, max_itemsets=DEFAULT_MAX_ITEMSETS):
    """Frequent item sets of a one-hot DataFrame, as mlxtend's ``fpgrowth`` returns them.

    The signature is mlxtend's (0.23.2 and later); ``n_jobs`` and ``max_itemsets`` are
    skedu's additions, by keyword only.

    Parameters
    ----------
    df : pandas.DataFrame of shape (n_transactions, n_items)
        Boolean or 0/1 columns, one per item (dense or sparse columns); with
        ``null_values=True`` also NaN.
    min_support : float, default=0.5
        Fraction of the transactions, in (0, 1]. An int is refused: mlxtend reads ``1`` as
        every transaction, :class:`FPGrowth` as one transaction.
    null_values : bool, default=False
        ``df`` holds NaN for unknown entries. As mlxtend: the support of a set is then the
        fraction of the rows where every item is 1 among the rows where none is NaN; the
        search counts NaN as present with mlxtend's threshold ``ceil(min_support * n)``, and
        keeps the sets whose support reaches ``min_support``. Without it, NaN is an error.
    use_colnames : bool, default=False
        Items as column names instead of column positions.
    max_len : int or None, default=None
        Largest number of items in a set.
    verbose : int, default=0
        Print the number of sets found and the time taken.
    n_jobs : int or None, default=None
        Threads, as in :class:`FPGrowth`.
    max_itemsets : int or None, default=10_000_000
        Stop with :class:`TooManyItemsetsError` beyond this many sets, as in :class:`FPGrowth`.

    Returns
    -------
    frequent_itemsets : pandas.DataFrame
        Columns ``support`` (float) and ``itemsets`` (frozensets).

    Examples
    --------
    >>> import pandas as pd
    >>> from skedu.frequent_patterns import fpgrowth
    >>> df = pd.DataFrame({"bread": [1, 1, 1, 0], "milk": [1, 0, 1, 1]}).astype(bool)
    >>> fpgrowth(df, min_support=0.5, use_colnames=True).shape
    (3, 2)
    """
    pandas = _require_pandas("fpgrowth")
    if not isinstance(df, pandas.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    min_support = _check_fraction(min_support)
    start = time.perf_counter()
    model = FPGrowth(min_support=min_support, max_len=max_len, n_jobs=n_jobs,
                     max_itemsets=max_itemsets)
    model._validate_params()
    null_supports = None
    if null_values:
        check_numeric_values(df)
        values = df.to_numpy(dtype=np.float64, na_value=np.nan)
        wrong = ~np.isnan(values) & (values != 0) & (values != 1)
        if wrong.any():
            raise ValueError(
                "The allowed values for a DataFrame are True, False, 0, 1, NaN. "
                f"Found value {values[wrong][0]!r}."
            )
        n = values.shape[0]
        missing = np.isnan(values)
        # mlxtend: items by their support among the rows where they are known; the search
        # counts NaN as present, at ceil(min_support * n) rows.
        with np.errstate(divide="ignore", invalid="ignore"):
            item_support = np.nansum(values, axis=0) / (n - missing.sum(axis=0))
        present = (values != 0) & (item_support >= min_support)[np.newaxis, :]
        model._fit(present, zero_one=True, min_count=max(1, math.ceil(min_support * n)))
        mined_columns = model._frequent_ids[model._itemset_ranks].astype(np.int32)
        null_supports = _null_value_supports(values, mined_columns, model._itemset_offsets)
    else:
        try:
            model._fit(df, zero_one=True)
        except ValueError as error:
            if "NaN" in str(error):
                raise ValueError(
                    "NaN values are not permitted in the DataFrame when null_values=False. "
                    "Pass null_values=True for mlxtend's handling of unknown entries."
                ) from error
            raise
    columns = list(df.columns)
    labels = ([columns[i] for i in model._frequent_ids] if use_colnames
              else model._frequent_ids.tolist())
    itemsets = [frozenset(itemset) for itemset in _as_tuples(
        model._itemset_ranks, model._itemset_offsets, labels)]
    if null_supports is None:
        result = pandas.DataFrame({"support": model.supports_, "itemsets": itemsets})
    else:
        result = pandas.DataFrame({"support": null_supports, "itemsets": itemsets})
        result = result[result["support"] >= min_support]
    if verbose:
        tree = (f"{model.n_tree_nodes_} FP-tree nodes" if model.n_tree_nodes_
                else "sparse: conditional trees from the transactions")
        print(f"{len(result)} itemset(s) from {model.n_transactions_} transactions "
              f"({tree}) in {time.perf_counter() - start:.3f} s")
    return result


def _rule_items(itemsets):
    """Flat (items, offsets) codes and their labels for a column of item sets."""
    indptr, ids, labels = encode_transactions(
        list(itemset) if isinstance(itemset, (set, frozenset)) else itemset
        for itemset in itemsets
    )
    # mlxtend turns numpy scalars into Python ones.
    labels = [label.item() if isinstance(label, np.generic) else label for label in labels]
    return ids, indptr, labels


def _missing_value_counts(antecedents, consequents, df_orig, labels_are_names):
    """mlxtend's ``disAC, disA, disC, dis_int, dis_int_`` for each rule (``null_values``)."""
    values = df_orig.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(values)
    ones = values == 1
    position = ({name: j for j, name in enumerate(df_orig.columns)} if labels_are_names
                else None)
    counts = np.zeros((5, len(antecedents)))
    for r, (antecedent, consequent) in enumerate(zip(antecedents, consequents)):
        a = [position[i] if position is not None else int(i) for i in antecedent]
        c = [position[i] if position is not None else int(i) for i in consequent]
        missing_a, missing_c = missing[:, a].any(axis=1), missing[:, c].any(axis=1)
        counts[:, r] = (
            np.count_nonzero(missing_a | missing_c), np.count_nonzero(missing_a),
            np.count_nonzero(missing_c), np.count_nonzero(missing_c & ones[:, a].all(axis=1)),
            np.count_nonzero(missing_a & ones[:, c].all(axis=1)),
        )
    return counts


def association_rules(df, num_itemsets=1, df_orig=None, null_values=False,
                      metric="confidence", min_threshold=0.8, support_only=False,
                      return_metrics=RULE_METRICS, *, n_jobs=None,
                      max_rules=DEFAULT_MAX_RULES):
    """Association rules from a DataFrame of frequent item sets, as mlxtend's function.

    The signature is mlxtend's (0.23.2 and later, as in 0.25); ``n_jobs`` and ``max_rules``
    are skedu's additions, by keyword only. The rules are generated in compiled code and the
    metrics use mlxtend's formulas, so the numbers are the same.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``support`` (fractions of the transactions, in [0, 1]) and ``itemsets``, as
        :func:`fpgrowth` returns; every subset of each set must be present (as it is in a
        complete FP-growth result) unless ``support_only``.
    num_itemsets : int, default=1
        Number of transactions of the data the sets were mined from (``len(df_orig)``). With
        complete data it changes the metrics only by rounding; it is needed with
        ``null_values``.
    df_orig : pandas.DataFrame, default=None
        The one-hot data with NaN, required with ``null_values``.
    null_values : bool, default=False
        ``df_orig`` holds NaN: confidence, lift, representativity and kulczynski discount
        the rows where items are unknown, as mlxtend does.
    metric : str, default="confidence"
        The metric that ``min_threshold`` applies to: one of "antecedent support", "consequent
        support", "support", "confidence", "lift", "representativity", "leverage",
        "conviction", "zhangs_metric", "jaccard", "certainty", "kulczynski". "support" when
        ``support_only``.
    min_threshold : float, default=0.8
        Rules with a smaller metric are left out.
    support_only : bool, default=False
        Compute the rule support only (the other metric columns are NaN); the antecedents and
        consequents need not be in ``df``.
    return_metrics : list of str, default=all metrics
        The metric columns returned, in this order.
    n_jobs : int or None, default=None
        Threads for generating the rules.
    max_rules : int or None, default=2_000_000
        Guard against runaway output: stop with :class:`TooManyRulesError` (a
        ``ValueError``) saying how many rules were found once there are more than this, before
        memory runs out (two million rules take about 1 GB as a DataFrame). None for no limit.
        With ``null_values`` every rule counts, as the threshold is applied afterwards.

    Returns
    -------
    rules : pandas.DataFrame
        Columns ``antecedents`` and ``consequents`` (frozensets) and one column per metric of
        ``return_metrics``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skedu.frequent_patterns import association_rules, fpgrowth
    >>> df = pd.DataFrame({"bread": [1, 1, 1, 0], "milk": [1, 0, 1, 1]}).astype(bool)
    >>> itemsets = fpgrowth(df, 0.5, use_colnames=True)
    >>> rules = association_rules(itemsets, len(df), min_threshold=0.6)
    >>> rules[["antecedents", "consequents", "confidence"]].shape
    (2, 3)
    """
    pandas = _require_pandas("association_rules")
    if not isinstance(df, pandas.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    if isinstance(num_itemsets, (bool, np.bool_)) or not isinstance(num_itemsets, Integral):
        hint = (" (pass metric by keyword: association_rules(df, num_itemsets, metric=...))"
                if isinstance(num_itemsets, str) else "")
        raise TypeError(
            "num_itemsets, the second argument since mlxtend 0.23.2, is the number of "
            f"transactions; got {num_itemsets!r}{hint}."
        )
    if num_itemsets < 1:
        raise ValueError(f"num_itemsets must be at least 1, got {num_itemsets}.")
    if null_values and df_orig is None:
        raise TypeError("If null values exist, df_orig must be provided.")
    if null_values and num_itemsets == 1:
        raise TypeError("If null values exist, num_itemsets must be provided.")
    if df.shape[0] == 0:
        raise ValueError("The input DataFrame `df` containing the frequent itemsets is empty.")
    if not {"support", "itemsets"} <= set(df.columns):
        raise ValueError("Dataframe needs to contain the columns 'support' and 'itemsets'.")
    if support_only:
        metric = "support"
    elif metric not in RULE_METRICS:
        raise ValueError(f"metric must be one of {list(RULE_METRICS)}, got {metric!r}.")
    return_metrics = list(return_metrics)
    unknown = [name for name in return_metrics if name not in RULE_METRICS]
    if unknown:
        raise ValueError(f"return_metrics holds unknown metrics {unknown}; known: "
                         f"{list(RULE_METRICS)}.")
    supports = pandas.to_numeric(df["support"], errors="coerce").to_numpy(dtype=np.float64)
    if not np.all((supports >= 0) & (supports <= 1)):
        bad = supports[~((supports >= 0) & (supports <= 1))][0]
        raise ValueError(
            "The 'support' column must hold fractions of the transactions, in [0, 1]; found "
            f"{bad!r}. A table of counts gives wrong metrics: divide it by the number of "
            "transactions first."
        )
    items, offsets, labels = _rule_items(df["itemsets"])
    if max_rules is not None and (isinstance(max_rules, (bool, np.bool_))
                                  or not isinstance(max_rules, Integral) or max_rules < 1):
        raise ValueError(f"max_rules must be a positive int or None, got {max_rules!r}.")
    n_threads = effective_n_threads(n_jobs)
    threshold = -np.inf if null_values else min_threshold
    antecedents, consequents, (sAC, sA, sC) = generate_rules(
        items, offsets, supports, labels, metric, threshold, n=float(num_itemsets),
        support_only=support_only, n_threads=n_threads, max_rules=max_rules,
        advice=(f"Raise min_threshold (metric={metric!r}), mine the item sets with a higher "
                "min_support or a smaller max_len, or raise max_rules (None for no limit) if "
                "the memory allows."),
    )
    columns = ["antecedents", "consequents"] + return_metrics
    if support_only:
        frame = pandas.DataFrame({"antecedents": antecedents, "consequents": consequents})
        for name in return_metrics:
            frame[name] = np.nan
        frame["support"] = sAC
        return frame if len(frame) else pandas.DataFrame(columns=columns)
    missing_counts = np.zeros((5, sAC.shape[0]))
    if null_values:
        labels_are_names = bool(labels) and isinstance(labels[0], str)
        missing_counts = _missing_value_counts(antecedents, consequents, df_orig,
                                               labels_are_names)
    metrics = rule_metrics(sAC, sA, sC, float(num_itemsets), *missing_counts)
    if null_values:
        keep = metrics[metric] >= min_threshold
        antecedents = [a for a, k in zip(antecedents, keep) if k]
        consequents = [c for c, k in zip(consequents, keep) if k]
        metrics = {name: values[keep] for name, values in metrics.items()}
    if not antecedents:
        return pandas.DataFrame(columns=columns)
    frame = pandas.DataFrame({"antecedents": antecedents, "consequents": consequents})
    for name in return_metrics:
        frame[name] = metrics[name]
    return frame
