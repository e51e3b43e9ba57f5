"""Parallel FP-growth's pieces without a cluster: the shards of any grouping together give the
local miner's item sets and supports, each set once (the dask function only moves them)."""

import numpy as np
import pytest

from skedu._core._fp_encode import encode_transactions, rank_transactions
from skedu.frequent_patterns import FPGrowth
from skedu.frequent_patterns import _pfp
from skedu.frequent_patterns._fpgrowth import _rank_items
from skedu.frequent_patterns._input import min_support_count
from tests.datasets import load_transactions, require_data


def _sharded(transactions, min_support, n_groups, n_partitions, max_len):
    indptr, ids, labels = encode_transactions(transactions)
    min_count = min_support_count(min_support, len(transactions), allow_count=False)
    frequent, rank_of = _rank_items(ids, len(labels), min_count)
    indptr, ranks = rank_transactions(indptr, ids, rank_of)
    bounds = _pfp.item_groups(np.bincount(ranks, minlength=len(frequent)), n_groups)
    # The partitions' prefixes, as the map step cuts them, and each group's shard mined.
    cuts = np.linspace(0, len(indptr) - 1, n_partitions + 1).astype(int)
    pieces = [_pfp.group_prefixes(indptr[a:b + 1] - indptr[a], ranks[indptr[a]:indptr[b]], bounds)
              for a, b in zip(cuts[:-1], cuts[1:])]
    found = {}
    for group in range(len(bounds) - 1):
        shard = _pfp.concatenate_rows([piece[group] for piece in pieces])
        items, offsets, supports = _pfp.mine_shard(*shard, bounds[group], bounds[group + 1],
                                                   min_count, max_len, 1)
        for s in range(len(supports)):
            itemset = frozenset(labels[frequent[rank]] for rank in items[offsets[s]:offsets[s + 1]])
            assert itemset not in found, "a set reported by two shards"
            assert max(items[offsets[s]:offsets[s + 1]]) in range(bounds[group], bounds[group + 1])
            found[itemset] = int(supports[s])
    return found


def _local(transactions, min_support, max_len):
    model = FPGrowth(min_support=min_support, max_len=max_len).fit(transactions)
    return dict(zip(map(frozenset, model.itemsets_), model.support_counts_.tolist()))


@pytest.mark.parametrize("n_groups, n_partitions", [(1, 1), (3, 2), (8, 5), (1000, 3)])
@pytest.mark.parametrize("max_len", [None, 1, 2, 3])
def test_shards_give_the_local_itemsets(n_groups, n_partitions, max_len):
    rng = np.random.default_rng(0)
    # Skewed item frequencies, as in baskets: a few common items, many rare ones.
    transactions = [sorted(set(rng.zipf(1.6, rng.integers(1, 15)).tolist()))
                    for _ in range(400)]
    limit = 10**6 if max_len is None else max_len
    expected = _local(transactions, 0.02, max_len)
    assert len(expected) > 20
    assert _sharded(transactions, 0.02, n_groups, n_partitions, limit) == expected


@pytest.mark.parametrize("name, min_support", [("mushroom.dat.xz", 0.15), ("chess.dat.xz", 0.8),
                                               ("retail.dat.xz", 0.002)])
def test_shards_on_fimi_files(name, min_support):
    require_data(name)
    transactions = load_transactions(name)
    expected = _local(transactions, min_support, None)
    assert _sharded(transactions, min_support, 4, 3, 10**6) == expected


def test_item_groups_cover_every_rank_once():
    counts = np.array([50, 40, 40, 10, 5, 5, 5, 1])
    for n_groups in (1, 2, 3, 8, 20):
        bounds = _pfp.item_groups(counts, n_groups)
        assert bounds[0] == 0 and bounds[-1] == len(counts)
        assert np.all(np.diff(bounds) > 0) and len(bounds) - 1 <= min(n_groups, len(counts))
