"""Frequent item sets by FP-growth, and association rules.

- :class:`FPGrowth`: a scikit-learn transformer; ``fit`` mines the frequent item sets (and rules
  when ``min_confidence`` is set), ``transform`` marks which of them each transaction contains.
- :func:`fpgrowth` and :func:`association_rules`: drop-in replacements for mlxtend's functions of
  the same names, taking and returning pandas DataFrames (pandas is an optional dependency).

The FP-tree and its recursive mining run in compiled code (``skedu._core._fptree``); Python only
validates, encodes items and builds the returned objects.
"""

import gc
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._core._fp_encode import itemsets_as_tuples, rank_transactions
from .._core._fptree import mine_frequent_itemsets
from ._input import is_matrix_input, min_support_count, transactions_to_ids
from ._rules import RULE_METRICS, generate_rules
from ..utils import effective_n_threads

__all__ = ["FPGrowth", "fpgrowth", "association_rules"]

_NO_MAX_LEN = np.iinfo(np.int32).max


def _check_max_len(max_len):
    if max_len is None:
        return _NO_MAX_LEN
    if isinstance(max_len, (bool, np.bool_)) or not isinstance(max_len, Integral):
        raise TypeError(f"max_len must be an int or None, got {max_len!r}.")
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}.")
    return int(min(max_len, _NO_MAX_LEN))


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
        (at least 1). A set is frequent when its support is at least this.
    max_len : int or None, default=None
        Largest number of items in a set; None for no limit.
    min_confidence : float or None, default=None
        When set, ``fit`` also derives the association rules whose confidence reaches it
        (``rules_``).
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
        proportional to it.
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

    def __init__(self, min_support=0.5, max_len=None, min_confidence=None, n_jobs=None):
        self.min_support = min_support
        self.max_len = max_len
        self.min_confidence = min_confidence
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        """Mine the frequent item sets of ``X`` (and the rules when ``min_confidence`` is set).

        Parameters
        ----------
        X : list of iterables, ndarray of shape (n_transactions, n_items), sparse matrix or DataFrame
            Transactions: iterables of hashable items (repeats within one count once), or a
            matrix with one column per item whose non-zero entries mark the items present
            (booleans, 0/1, or counts such as ``CountVectorizer``'s).
        y : None
            Ignored.

        Returns
        -------
        self : FPGrowth
        """
        return self._fit(X, zero_one=False)

    def _fit(self, X, zero_one):
        """``fit``; ``zero_one`` rejects matrices holding anything but 0 and 1 (mlxtend's rule)."""
        max_len = _check_max_len(self.max_len)
        if self.min_confidence is not None:
            if isinstance(self.min_confidence, bool) or not isinstance(self.min_confidence, Real):
                raise TypeError(f"min_confidence must be a number or None, got {self.min_confidence!r}.")
            if not 0.0 <= self.min_confidence <= 1.0:
                raise ValueError(f"min_confidence must be in [0, 1], got {self.min_confidence!r}.")
        n_threads = effective_n_threads(self.n_jobs)
        self._matrix_input = is_matrix_input(X)
        indptr, ids, labels = transactions_to_ids(self, X, reset=True, zero_one=zero_one)
        n_transactions = indptr.shape[0] - 1
        min_count = min_support_count(self.min_support, n_transactions, allow_count=True)
        frequent_ids, rank_of = _rank_items(ids, len(labels), min_count)
        ranked_indptr, ranks = rank_transactions(indptr, ids, rank_of)
        items, offsets, support_counts, n_tree_nodes = mine_frequent_itemsets(
            ranked_indptr, ranks, frequent_ids.shape[0], min_count, max_len, n_threads
        )
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
            antecedents, consequents, metrics = generate_rules(
                self.itemsets_, self.supports_, "confidence", self.min_confidence
            )
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
        n_items = len(self._frequent_labels)
        n_sets = self._itemset_offsets.shape[0] - 1
        transactions = sparse.csr_matrix(
            (np.ones(ranks.shape[0], dtype=np.int32), ranks, ranked_indptr),
            shape=(ranked_indptr.shape[0] - 1, n_items),
        )
        itemsets = sparse.csr_matrix(
            (np.ones(self._itemset_ranks.shape[0], dtype=np.int32), self._itemset_ranks,
             self._itemset_offsets),
            shape=(n_sets, n_items),
        )
        # Items shared by each (transaction, set) pair; the set is contained when all are.
        shared = (transactions @ itemsets.T).tocsr()
        set_sizes = np.diff(self._itemset_offsets)
        shared.data = (shared.data == set_sizes[shared.indices]).astype(np.float64)
        shared.eliminate_zeros()
        return shared

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


def fpgrowth(df, min_support=0.5, use_colnames=False, max_len=None, n_jobs=None):
    """Frequent item sets of a one-hot DataFrame, as mlxtend's ``fpgrowth`` returns them.

    Parameters
    ----------
    df : pandas.DataFrame of shape (n_transactions, n_items)
        Boolean or 0/1 columns, one per item (dense or sparse columns).
    min_support : float, default=0.5
        Fraction of the transactions, in (0, 1].
    use_colnames : bool, default=False
        Items as column names instead of column positions.
    max_len : int or None, default=None
        Largest number of items in a set.
    n_jobs : int or None, default=None
        Threads, as in :class:`FPGrowth`.

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
    if isinstance(min_support, (bool, np.bool_)) or not isinstance(min_support, Real):
        raise TypeError(f"min_support must be a number, got {min_support!r}.")
    model = FPGrowth(min_support=float(min_support), max_len=max_len, n_jobs=n_jobs)
    model._fit(df, zero_one=True)
    labels = model._frequent_labels if use_colnames else model._frequent_ids.tolist()
    itemsets = [frozenset(itemset) for itemset in _as_tuples(
        model._itemset_ranks, model._itemset_offsets, labels)]
    return pandas.DataFrame({"support": model.supports_, "itemsets": itemsets})


def association_rules(frequent_itemsets, metric="confidence", min_threshold=0.8):
    """Association rules from a DataFrame of frequent item sets, as mlxtend's function.

    Parameters
    ----------
    frequent_itemsets : pandas.DataFrame
        Columns ``support`` (fractions) and ``itemsets``, as :func:`fpgrowth` returns; every
        subset of each set must be present (as it is in a complete FP-growth result).
    metric : str, default="confidence"
        The metric that ``min_threshold`` applies to: one of "antecedent support", "consequent
        support", "support", "confidence", "lift", "representativity", "leverage",
        "conviction", "zhangs_metric", "jaccard", "certainty", "kulczynski".
    min_threshold : float, default=0.8
        Rules with a smaller metric are left out.

    Returns
    -------
    rules : pandas.DataFrame
        Columns ``antecedents`` and ``consequents`` (frozensets) and one column per metric, in
        mlxtend's order.

    Examples
    --------
    >>> import pandas as pd
    >>> from skedu.frequent_patterns import association_rules, fpgrowth
    >>> df = pd.DataFrame({"bread": [1, 1, 1, 0], "milk": [1, 0, 1, 1]}).astype(bool)
    >>> rules = association_rules(fpgrowth(df, 0.5, use_colnames=True), min_threshold=0.6)
    >>> rules[["antecedents", "consequents", "confidence"]].shape
    (2, 3)
    """
    pandas = _require_pandas("association_rules")
    if not isinstance(frequent_itemsets, pandas.DataFrame):
        raise TypeError(
            f"frequent_itemsets must be a pandas DataFrame, got {type(frequent_itemsets).__name__}."
        )
    if not {"support", "itemsets"} <= set(frequent_itemsets.columns):
        raise ValueError("frequent_itemsets needs the columns 'support' and 'itemsets'.")
    if frequent_itemsets.shape[0] == 0:
        raise ValueError("frequent_itemsets is empty: there are no sets to derive rules from.")
    antecedents, consequents, metrics = generate_rules(
        frequent_itemsets["itemsets"].tolist(), frequent_itemsets["support"].to_numpy(),
        metric, min_threshold,
    )
    columns = {"antecedents": antecedents, "consequents": consequents}
    columns.update((name, metrics[name]) for name in RULE_METRICS)
    return pandas.DataFrame(columns)
