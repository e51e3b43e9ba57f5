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
   (:func:`mine_shard`): the compiled miner runs once on the conditional databases of the
   group's items (for item ``i``, the shard's prefixes before ``i`` in the rows holding ``i``),
   their items renamed apart, and every set found in ``i``'s database plus ``i`` is frequent
   with the same support.

The shards together report every frequent set exactly once, with its exact support.
"""

import numpy as np

from .._core._fp_encode import rank_transactions
from .._core._fptree import mine_frequent_itemsets

__all__ = ["item_groups", "group_prefixes", "mine_shard", "concatenate_rows"]

# Up to this many (anchor, item) pairs a shard counts them in a dense array (64 MB of int32
# ranks, 128 MB of counts) instead of sorting its keys.
_DENSE_KEYS = 1 << 24


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

    Every occurrence of a group item ``i`` in a shard row gives one row of ``i``'s conditional
    database (the row's items before ``i``). Those databases are mined in one call of the
    compiled miner: item ``j`` of ``i``'s database is renamed ``(i, j)``, so the databases share
    no item, a set found lies in one of them, and its support there is the support of the set
    plus ``i``.

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
        Passed to the miner (-1: no limit).

    Returns
    -------
    items : ndarray of int32
        Global ranks of the sets' items, one set after another (each set ends with its least
        frequent item).
    offsets : ndarray of shape (n_sets + 1,), int64
    supports : ndarray of shape (n_sets,), int64
    """
    row = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    occurrences = np.flatnonzero((ranks >= first) & (ranks < stop))
    anchors = ranks[occurrences]
    # The group's frequent items on their own (every occurrence of i is in this shard).
    single_counts = np.bincount(anchors - first, minlength=stop - first)
    frequent_anchor = single_counts >= min_count
    singles = (first + np.flatnonzero(frequent_anchor)).astype(np.int32)
    single_counts = single_counts[frequent_anchor].astype(np.int64)
    occurrences = occurrences[frequent_anchor[anchors - first]]
    if max_len < 2 or occurrences.shape[0] == 0:
        return singles, np.arange(singles.shape[0] + 1, dtype=np.int64), single_counts

    # The conditional databases, one row per occurrence: the row's items before the anchor,
    # renamed (anchor, item) and numbered by descending support, as the miner needs.
    starts = indptr[row[occurrences]]
    lengths = occurrences - starts
    prefix = ranks[_gather(starts, lengths)]
    # (anchor, item) numbered anchor-major: item j < anchor < stop.
    n_keys = (stop - first) * stop
    keys = np.repeat((ranks[occurrences] - first).astype(np.int64), lengths) * stop + prefix
    if n_keys <= _DENSE_KEYS:  # a count per possible pair: no sort of the keys
        counts = np.bincount(keys, minlength=n_keys)
        names, ids = None, keys
    else:
        names, ids, counts = np.unique(keys, return_inverse=True, return_counts=True)
    frequent = np.flatnonzero(counts >= min_count)
    by_support = frequent[np.argsort(-counts[frequent], kind="stable")]
    rank_of = np.full(counts.shape[0], -1, dtype=np.int32)
    rank_of[by_support] = np.arange(by_support.shape[0], dtype=np.int32)
    key_of_rank = by_support if names is None else names[by_support]
    cond_indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    cond_indptr, cond_ranks = rank_transactions(cond_indptr, ids.astype(np.int32), rank_of)
    del keys, ids, prefix
    sets, offsets, supports, _ = mine_frequent_itemsets(
        cond_indptr, cond_ranks, by_support.shape[0], min_count, max_len - 1, n_threads,
        max_itemsets)
    renamed = key_of_rank[sets]
    sizes = np.diff(offsets)
    # Each set's items, then its anchor (the same for all of its items).
    merged = np.empty(sets.shape[0] + sizes.shape[0], dtype=np.int32)
    is_anchor = np.zeros(merged.shape[0], dtype=bool)
    is_anchor[offsets[1:] + np.arange(sizes.shape[0])] = True
    merged[~is_anchor] = renamed % stop
    merged[is_anchor] = first + renamed[offsets[:-1]] // stop
    items = np.concatenate([singles, merged])
    all_sizes = np.concatenate([np.ones(singles.shape[0], dtype=np.int64), sizes + 1])
    return (items, np.concatenate([[0], np.cumsum(all_sizes)]).astype(np.int64),
            np.concatenate([single_counts, supports.astype(np.int64)]))
