"""FP-growth on a dask cluster: parallel FP-growth (PFP) over a ``dask.bag`` of transactions.

:func:`fpgrowth` follows Spark MLlib's ``FPGrowth``: a map-reduce counts the items' supports,
the frequent items are cut into groups, every partition sends each transaction's
group-dependent prefixes to the group's shard, and each shard is mined on a worker with the
compiled miner (:mod:`skedu.frequent_patterns._pfp`). The item sets and supports are those of
the local :func:`skedu.frequent_patterns.fpgrowth`.
"""

from numbers import Integral

import numpy as np

from .._core._fp_encode import encode_transactions, rank_transactions
from ..utils._cluster import task_threads
from ..utils._dask import is_dask_collection, require_dask
from ._fpgrowth import (DEFAULT_MAX_ITEMSETS, TooManyItemsetsError, _as_tuples, _check_fraction,
                        _require_pandas)
from ._input import min_support_count
from ._pfp import concatenate_rows, group_prefixes, item_groups, mine_shard

__all__ = ["fpgrowth"]

_NO_MAX_LEN = np.iinfo(np.int32).max


def _encode_partition(transactions):
    """A partition's transactions as item ids (compiled; validates the items), its item
    labels in order of first appearance, and each label's support."""
    indptr, ids, labels = encode_transactions(transactions)
    return indptr, ids, labels, np.bincount(ids, minlength=len(labels))


def _item_supports(encoded):
    """(number of transactions, support of each item), items in order of first appearance."""
    n_transactions, total = 0, {}
    for indptr, _, labels, counts in encoded:  # partition order: first appearance in the bag
        n_transactions += indptr.shape[0] - 1
        for label, count in zip(labels, counts.tolist()):
            total[label] = total.get(label, 0) + count
    return n_transactions, total


def _partition_prefixes(encoded, rank_of_item, bounds):
    """Ranked transactions of one partition cut into per-group prefixes (the shuffle's map)."""
    indptr, ids, labels, _ = encoded
    rank_of_id = np.array([rank_of_item.get(label, -1) for label in labels], dtype=np.int32)
    indptr, ranks = rank_transactions(indptr, ids, rank_of_id)
    return tuple(group_prefixes(indptr, ranks, bounds))


def _mine_group(pieces, group, bounds, min_count, max_len, max_itemsets, n_jobs):
    """Mine one group's shard (the shuffle's reduce) from its pieces, on a worker."""
    indptr, ranks = concatenate_rows(pieces)
    return mine_shard(indptr, ranks, int(bounds[group]), int(bounds[group + 1]), min_count,
                      max_len, task_threads(n_jobs), max_itemsets)


def _frame_transactions(frame, use_colnames):
    """A one-hot pandas DataFrame partition as a list of transactions (labels or positions)."""
    values = frame.to_numpy()
    if values.dtype != bool:
        numeric = values.astype(np.float64)
        if np.isnan(numeric).any() or not np.isin(numeric, (0, 1)).all():
            raise ValueError("The allowed values for a DataFrame are True, False, 0, 1.")
        values = numeric != 0
    labels = np.array(list(frame.columns) if use_colnames else range(values.shape[1]),
                      dtype=object)
    return [labels[row].tolist() for row in values]


def _as_bag(transactions, use_colnames):
    import dask.bag

    if is_dask_collection(transactions) and isinstance(transactions, dask.bag.Bag):
        return transactions
    if (is_dask_collection(transactions) and hasattr(transactions, "columns")
            and hasattr(transactions, "to_delayed")):
        # A dask DataFrame of one-hot columns: each partition becomes its transactions.
        parts = [dask.delayed(_frame_transactions)(part, use_colnames)
                 for part in transactions.to_delayed()]
        return dask.bag.from_delayed(parts)
    raise TypeError("transactions must be a dask.bag.Bag of transactions or a dask DataFrame "
                    f"of one-hot columns, got {type(transactions).__name__}; mine local data "
                    "with skedu.frequent_patterns.fpgrowth or FPGrowth.")


def fpgrowth(transactions, min_support=0.5, use_colnames=False, max_len=None, *, n_groups=None,
             n_jobs=None, max_itemsets=DEFAULT_MAX_ITEMSETS):
    """Frequent item sets of a dask bag of transactions, by parallel FP-growth (PFP).

    Three steps on the cluster: a map-reduce over the bag's partitions counts each item's
    support; each partition sends every transaction's prefix (items by descending support, up
    to its last item of the group) to each group's shard; each shard is mined on a worker by
    the compiled miner, keeping the sets whose least frequent item is in its group. The client
    only concatenates the results.

    Parameters
    ----------
    transactions : dask.bag.Bag or dask.dataframe.DataFrame
        A bag whose elements are transactions (iterables of hashable items; repeats count
        once), or a DataFrame of one-hot columns (bool or 0/1), one per item.
    min_support : float, default=0.5
        Fraction of the transactions, in (0, 1], as :func:`skedu.frequent_patterns.fpgrowth`.
    use_colnames : bool, default=False
        DataFrame input: items as column names instead of column positions. A bag's items are
        its own.
    max_len : int or None, default=None
        Largest number of items in a set.
    n_groups : int or None, default=None
        Shards, each mined by one task (None: the number of partitions of the bag). More
        groups give more, smaller tasks and send more (shorter) prefixes.
    n_jobs : int or None, default=None
        Threads of each shard's miner, at most the worker's.
    max_itemsets : int or None, default=10_000_000
        Stop with :class:`~skedu.frequent_patterns.TooManyItemsetsError` beyond this many sets.

    Returns
    -------
    frequent_itemsets : pandas.DataFrame
        Columns ``support`` (float) and ``itemsets`` (frozensets), as the local ``fpgrowth``
        returns, the sets of each group one after another.

    Examples
    --------
    >>> import dask.bag as db
    >>> from skedu.frequent_patterns.dask import fpgrowth
    >>> baskets = db.from_sequence([["bread", "milk"], ["bread", "butter"],
    ...                             ["bread", "milk", "butter"], ["milk"]], npartitions=2)
    >>> result = fpgrowth(baskets, min_support=0.5)
    >>> sorted((sorted(s), p) for s, p in zip(result["itemsets"], result["support"]))[:2]
    [(['bread'], 0.75), (['bread', 'butter'], 0.5)]
    """
    dask = require_dask("skedu.frequent_patterns.dask.fpgrowth")
    pandas = _require_pandas("dask.fpgrowth")
    min_support = _check_fraction(min_support)
    if max_len is not None and (not isinstance(max_len, Integral) or max_len < 1):
        raise ValueError(f"max_len must be a positive int or None, got {max_len!r}.")
    if n_groups is not None and (not isinstance(n_groups, Integral) or n_groups < 1):
        raise ValueError(f"n_groups must be a positive int or None, got {n_groups!r}.")
    if max_itemsets is not None and (not isinstance(max_itemsets, Integral) or max_itemsets < 1):
        raise ValueError(f"max_itemsets must be a positive int or None, got {max_itemsets!r}.")
    bag = _as_bag(transactions, use_colnames)

    # 1. Supports by map-reduce; the items ranked as the local fpgrowth ranks them. The encoded
    # partitions stay on the workers for step 3.
    encoded = dask.persist(*[dask.delayed(_encode_partition)(part) for part in bag.to_delayed()])
    n_transactions, counts = dask.delayed(_item_supports)(list(encoded)).compute()
    if n_transactions == 0:
        raise ValueError("transactions is empty: there is nothing to mine.")
    min_count = min_support_count(min_support, n_transactions, allow_count=False)
    labels = [item for item, count in counts.items() if count >= min_count]
    supports = np.array([counts[item] for item in labels], dtype=np.int64)
    order = np.argsort(-supports, kind="stable")
    labels, supports = [labels[i] for i in order], supports[order]
    if not labels:
        return pandas.DataFrame({"support": np.empty(0), "itemsets": []})

    # 2. Groups of consecutive ranks; 3. the prefixes shuffled to their shards; 4. mined.
    bounds = item_groups(supports, n_groups or bag.npartitions)
    rank_of_item = dask.delayed({item: rank for rank, item in enumerate(labels)}, pure=True)
    n_shards = bounds.shape[0] - 1
    # pieces[p][g]: partition p's prefixes for group g, a task output of its own, so that a
    # shard fetches only its group's prefixes from each partition.
    pieces = [dask.delayed(_partition_prefixes, nout=n_shards)(part, rank_of_item, bounds)
              for part in encoded]
    max_len = _NO_MAX_LEN if max_len is None else int(min(max_len, _NO_MAX_LEN))
    limit = -1 if max_itemsets is None else int(max_itemsets)
    shards = [dask.delayed(_mine_group)([piece[group] for piece in pieces], group, bounds,
                                        min_count, max_len, limit, n_jobs)
              for group in range(n_shards)]
    try:
        results = dask.compute(*shards)
    except OverflowError as error:
        raise TooManyItemsetsError(
            f"More than max_itemsets={max_itemsets} frequent item sets in one shard "
            f"({error.args[0]}), at min_support={min_support!r}. Raise min_support, set max_len, "
            "or raise max_itemsets (None for no limit) if the memory allows.") from None
    n_sets = sum(result[2].shape[0] for result in results)
    if max_itemsets is not None and n_sets > max_itemsets:
        raise TooManyItemsetsError(
            f"More than max_itemsets={max_itemsets} frequent item sets: {n_sets} found, at "
            f"min_support={min_support!r}. Raise min_support, set max_len, or raise "
            "max_itemsets (None for no limit) if the memory allows.")
    items = concatenate_rows([(offsets, items) for items, offsets, _ in results])
    itemsets = [frozenset(itemset) for itemset in _as_tuples(items[1], items[0], labels)]
    support_counts = np.concatenate([result[2] for result in results])
    return pandas.DataFrame({"support": support_counts / float(n_transactions),
                             "itemsets": itemsets})
