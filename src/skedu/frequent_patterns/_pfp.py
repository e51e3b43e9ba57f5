"""Parallel FP-growth (PFP) in numpy and the compiled miner, without any cluster code.

PFP (Li et al., "PFP: Parallel FP-Growth for Query Recommendation", 2008; Spark MLlib's
``FPGrowth``) mines each group of frequent items on its own shard:

1. the items' supports are counted and the frequent items ranked by descending support;
2. the ranks are cut into groups of consecutive ranks (:func:`item_groups`);
3. every transaction, as its ascending ranks, sends to each group it touches the prefix that
   ends at its last item of that group (:func:`group_prefixes`): a set whose least frequent
   item ``i`` is in the group lies within that prefix of every transaction containing it, so
   the shard sees every such transaction once;
4. a shard finds the sets whose least frequent item is one of its group's
   (:func:`mine_shard`): for each such item ``i``, the compiled miner runs on ``i``'s
   conditional database (the shard's prefixes before ``i`` in the transactions holding ``i``),
   and every set found there plus ``i`` is frequent with the same support.

The shards together report every frequent set exactly once, with its exact support.
"""

import numpy as np

from .._core._fp_encode import rank_transactions
from .._core._fptree import mine_frequent_itemsets

__all__ = ["item_groups", "group_prefixes", "mine_shard", "concatenate_rows"]


def item_groups(counts, n_groups):
    """Cut ranks ``0..n-1`` (by descending support) into groups of consecutive ranks.

    Parameters
    ----------
    counts : ndarray of shape (n_items,)
        Support of each rank, non-increasing.
    n_groups : int

    Returns
    -------
    bounds : ndarray of shape (n_groups_used + 1,), int64
        Group ``g`` holds ranks ``bounds[g]:bounds[g + 1]``; groups carry about equal shares
        of the total support (the number of prefix entries a group's items end), none empty.
    """
    n_items = counts.shape[0]
    n_groups = max(1, min(int(n_groups), n_items))
    share = np.cumsum(counts, dtype=np.float64) / max(1.0, float(np.sum(counts)))
    cuts = np.searchsorted(share, np.arange(1, n_groups) / n_groups, side="left") + 1
    return np.unique(np.concatenate([[0], np.clip(cuts, 1, n_items), [n_items]])).astype(np.int64)


def _gather(indptr_starts, lengths):
    """Flat positions ``start, start + 1, ..., start + length - 1`` of every segment."""
    total = int(lengths.sum())
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.repeat(indptr_starts - offsets, lengths) + np.arange(total)


def group_prefixes(indptr, ranks, bounds):
    """Each transaction's prefix for each group it touches.

    Parameters
    ----------
    indptr : ndarray of shape (n_transactions + 1,), int64
    ranks : ndarray of shape (n_entries,), int32
        Frequent items as ranks, ascending within each transaction.
    bounds : ndarray of shape (n_groups + 1,), int64
        From :func:`item_groups`.

    Returns
    -------
    shards : list of (indptr, ranks)
        For group ``g``: one row per transaction holding an item of ``g``, the transaction's
        ranks up to and including its last one in ``g``.
    """
    n_groups = bounds.shape[0] - 1
    group = np.searchsorted(bounds, ranks, side="right") - 1
    row = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    # Ranks ascend within a row and groups are ranges of ranks: a row's entries of one group
    # are consecutive, and the last of them ends that group's prefix.
    last = np.ones(ranks.shape[0], dtype=bool)
    last[:-1] = (group[:-1] != group[1:]) | (row[:-1] != row[1:])
    ends = np.flatnonzero(last)
    ends = ends[np.argsort(group[ends], kind="stable")]
    per_group = np.bincount(group[ends], minlength=n_groups)
    shards = []
    first = 0
    for g in range(n_groups):
        stop = ends[first:first + per_group[g]]
        first += per_group[g]
        starts = indptr[row[stop]]
        lengths = stop + 1 - starts
        shard_indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        shards.append((shard_indptr, ranks[_gather(starts, lengths)].astype(np.int32)))
    return shards


def concatenate_rows(pieces):
    """One (indptr, ranks) from several, rows one after another."""
    indptrs = [indptr for indptr, _ in pieces]
    sizes = np.array([indptr[-1] for indptr in indptrs], dtype=np.int64)
    shifts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    indptr = np.concatenate([[0]] + [indptr[1:] + shift for indptr, shift in zip(indptrs, shifts)])
    ranks = np.concatenate([np.empty(0, np.int32)] + [ranks for _, ranks in pieces])
    return indptr.astype(np.int64), ranks.astype(np.int32)


def mine_shard(indptr, ranks, first, stop, min_count, max_len, n_threads, max_itemsets=-1):
    """The frequent sets whose least frequent item has a rank in ``[first, stop)``.

    Parameters
    ----------
    indptr, ranks : ndarray
        The shard's prefixes (:func:`group_prefixes`), ranks ascending within each row.
    first, stop : int
        The group's ranks.
    min_count : int
    max_len : int
        Largest set size.
    n_threads : int
        Threads of the compiled miner.
    max_itemsets : int, default=-1
        Passed to the miner for each item (-1: no limit).

    Returns
    -------
    items : ndarray of int32
        Global ranks of the sets' items, one set after another (each set ends with its least
        frequent item).
    offsets : ndarray of shape (n_sets + 1,), int64
    supports : ndarray of shape (n_sets,), int64
    """
    row = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    in_group = np.flatnonzero((ranks >= first) & (ranks < stop))
    in_group = in_group[np.argsort(ranks[in_group], kind="stable")]
    items_out, sizes_out, supports_out = [], [], []
    bounds = np.searchsorted(ranks[in_group], np.arange(first, stop + 1))
    for item in range(first, stop):
        positions = in_group[bounds[item - first]:bounds[item - first + 1]]
        if positions.shape[0] < min_count:
            continue
        items_out.append(np.array([item], dtype=np.int32))
        sizes_out.append(np.array([1]))
        supports_out.append(np.array([positions.shape[0]], dtype=np.int64))
        if max_len < 2:
            continue
        # The item's conditional database: each transaction's prefix before the item.
        starts = indptr[row[positions]]
        lengths = positions - starts
        prefix = ranks[_gather(starts, lengths)]
        present, counts = np.unique(prefix, return_counts=True)
        keep = counts >= min_count
        if not keep.any():
            continue
        present, counts = present[keep], counts[keep]
        order = present[np.argsort(-counts, kind="stable")]  # local ranks by support
        local_of = np.full(item, -1, dtype=np.int32)
        local_of[order] = np.arange(order.shape[0], dtype=np.int32)
        cond_indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        cond_indptr, cond_ranks = rank_transactions(cond_indptr, prefix.astype(np.int32),
                                                    local_of)
        sets, offsets, supports, _ = mine_frequent_itemsets(
            cond_indptr, cond_ranks, order.shape[0], min_count, max_len - 1, n_threads,
            max_itemsets)
        sizes = np.diff(offsets)
        # Each set found, then the item itself: append the item after every set.
        ends = offsets[1:] + np.arange(1, sizes.shape[0] + 1)
        merged = np.empty(sets.shape[0] + sizes.shape[0], dtype=np.int32)
        mask = np.ones(merged.shape[0], dtype=bool)
        mask[ends - 1] = False
        merged[mask] = order[sets]
        merged[~mask] = item
        items_out.append(merged)
        sizes_out.append(sizes + 1)
        supports_out.append(supports.astype(np.int64))
    if not items_out:
        return np.empty(0, np.int32), np.zeros(1, np.int64), np.empty(0, np.int64)
    sizes = np.concatenate(sizes_out)
    return (np.concatenate(items_out), np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            np.concatenate(supports_out))
