"""Kernel tests: FP-tree mining and transaction encoding against naive Python twins."""

from itertools import combinations

import numpy as np
import pytest

from skedu._core._fp_encode import encode_transactions, itemsets_as_tuples, rank_transactions
from skedu._core._fptree import MODE_ROWS, MODE_TREE, _thread_thresholds, mine_frequent_itemsets

# Both ways of reading the top-level conditional databases: the FP-tree, and the transactions.
MODES = [MODE_TREE, MODE_ROWS]


def naive_frequent_itemsets(transactions, min_count, max_len):
    """Every set of ranks in at least ``min_count`` transactions, by counting all subsets."""
    counts = {}
    for transaction in transactions:
        items = sorted(set(transaction))
        for size in range(1, min(len(items), max_len) + 1):
            for subset in combinations(items, size):
                counts[subset] = counts.get(subset, 0) + 1
    return {frozenset(s): c for s, c in counts.items() if c >= min_count}


def to_csr(transactions):
    indptr = np.zeros(len(transactions) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(t) for t in transactions])
    ranks = np.array([r for t in transactions for r in sorted(t)], dtype=np.int32)
    return indptr, ranks


def mined_as_dict(items, offsets, supports):
    sets = [frozenset(items[offsets[s]:offsets[s + 1]].tolist()) for s in range(len(supports))]
    assert len(set(sets)) == len(sets), "a set was written twice"
    return dict(zip(sets, supports.tolist()))


# Ranks must follow descending support (0 the most frequent) for the kernel's input contract.
HAND_MADE = [
    # a chain (single path), a fork, repeated transactions and an empty one
    [[0, 1, 2], [0, 1, 2], [0, 1], [0], []],
    [[0, 1], [0, 2], [1, 2], [0, 1, 2], [0, 3], [1, 3]],
    # item 0 in every transaction: sets made only of it must be present
    [[0, 1, 3], [0, 2], [0, 1, 2], [0, 1], [0, 2, 3]],
    # perfect extensions below the top level: 3 always comes with 2
    [[0, 2, 3], [0, 2, 3], [1, 2, 3], [0, 1], [0, 1], [1]],
]


@pytest.mark.parametrize("transactions", HAND_MADE)
@pytest.mark.parametrize("min_count", [1, 2, 3])
@pytest.mark.parametrize("max_len", [1, 2, 100])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("mode", MODES)
def test_mining_matches_naive_counting(transactions, min_count, max_len, n_threads, mode):
    counts = np.bincount([r for t in transactions for r in t], minlength=4)
    n_frequent = int(np.sum(counts >= min_count))
    kept = [[r for r in t if counts[r] >= min_count] for t in transactions]
    indptr, ranks = to_csr(kept)
    items, offsets, supports, n_nodes = mine_frequent_itemsets(
        indptr, ranks, n_frequent, min_count, max_len, n_threads, mode=mode
    )
    assert mined_as_dict(items, offsets, supports) == naive_frequent_itemsets(
        transactions, min_count, max_len
    )
    assert n_nodes <= ranks.shape[0] + 1 and (n_nodes == 0) == (mode == MODE_ROWS)


def test_tree_size_counts_shared_prefixes():
    indptr, ranks = to_csr([[0, 1, 2], [0, 1, 2], [0, 1], [0, 2], [1]])
    *_, n_nodes = mine_frequent_itemsets(indptr, ranks, 3, 1, 100, 1)
    assert n_nodes == 1 + 3 + 1 + 1  # root, path 0-1-2, 0-2 branch, 1 at the root


@pytest.mark.parametrize("mode", MODES)
def test_mining_random_against_naive(mode):
    rng = np.random.default_rng(0)
    for _ in range(20):
        n_items = int(rng.integers(1, 9))
        transactions = [list(np.flatnonzero(rng.random(n_items) < 0.5)) for _ in range(30)]
        counts = np.bincount([r for t in transactions for r in t], minlength=n_items)
        order = np.argsort(-counts, kind="stable")
        rank_of = np.empty(n_items, dtype=int)
        rank_of[order] = np.arange(n_items)
        min_count = int(rng.integers(1, 10))
        ranked = [[rank_of[i] for i in t if counts[i] >= min_count] for t in transactions]
        indptr, ranks = to_csr(ranked)
        result = mine_frequent_itemsets(indptr, ranks, int(np.sum(counts >= min_count)),
                                        min_count, 100, 2, mode=mode)
        assert mined_as_dict(*result[:3]) == naive_frequent_itemsets(ranked, min_count, 100)


def test_output_order_does_not_depend_on_threads_or_mode():
    rng = np.random.default_rng(1)
    transactions = [sorted(set(rng.integers(0, 40, size=8).tolist())) for _ in range(8000)]
    indptr, ranks = to_csr(transactions)
    one = mine_frequent_itemsets(indptr, ranks, 40, 5, 100, 1, mode=MODE_TREE)
    two = mine_frequent_itemsets(indptr, ranks, 40, 5, 100, 2, mode=MODE_TREE)
    assert one[3] >= _thread_thresholds()[0]  # large enough for the threaded path
    for a, b in zip(one[:3], two[:3]):
        np.testing.assert_array_equal(a, b)
    # The rows mode gives the same arrays, in one thread and past its threading threshold
    # (lowered to 3 million entry reads: 12,000 rows of about 28 items, 378 reads each).
    wide = [set(rng.integers(0, 300, size=29).tolist()) for _ in range(12000)]
    counts = np.bincount([i for t in wide for i in t], minlength=300)
    rank_of = np.empty(300, dtype=int)
    rank_of[np.argsort(-counts, kind="stable")] = np.arange(300)
    wide_indptr, wide_ranks = to_csr([[rank_of[i] for i in t] for t in wide])
    assert sum(len(t) * (len(t) - 1) // 2 for t in wide) > 3_000_000
    for data, n_items, min_count in (((indptr, ranks), 40, 5), ((wide_indptr, wide_ranks), 300, 70)):
        tree = mine_frequent_itemsets(*data, n_items, min_count, 100, 1, mode=MODE_TREE)
        assert tree[0].shape[0] > 2 * n_items  # pairs and more
        previous = _thread_thresholds(min_scan=3_000_000)
        try:
            for n_threads in (1, 2):
                rows = mine_frequent_itemsets(*data, n_items, min_count, 100, n_threads,
                                              mode=MODE_ROWS)
                for a, b in zip(tree[:3], rows[:3]):
                    np.testing.assert_array_equal(a, b)
        finally:
            _thread_thresholds(*previous)


@pytest.mark.parametrize("transactions", [[[]], [[], []]])
def test_mining_without_frequent_items_returns_nothing(transactions):
    indptr, ranks = to_csr(transactions)
    items, offsets, supports, n_nodes = mine_frequent_itemsets(indptr, ranks, 0, 1, 10, 2)
    assert items.shape == (0,) and offsets.tolist() == [0] and supports.shape == (0,)
    assert n_nodes == 1


def test_mining_rejects_bad_thresholds():
    indptr, ranks = to_csr([[0]])
    with pytest.raises(ValueError, match="min_count"):
        mine_frequent_itemsets(indptr, ranks, 1, 0, 10, 1)
    with pytest.raises(ValueError, match="max_len"):
        mine_frequent_itemsets(indptr, ranks, 1, 1, 0, 1)
    with pytest.raises(ValueError, match="indptr"):
        mine_frequent_itemsets(np.array([0, 5]), ranks, 1, 1, 10, 1)
    with pytest.raises(ValueError, match="ranks"):
        mine_frequent_itemsets(indptr, np.array([3], dtype=np.int32), 1, 1, 10, 1)


def test_encode_transactions_drops_repeats_and_keeps_first_appearance_order():
    indptr, ids, labels = encode_transactions([["b", "a", "b"], [], ("a", 3), iter(["c"])])
    assert labels == ["b", "a", 3, "c"]
    assert indptr.tolist() == [0, 2, 2, 4, 5]
    assert ids.tolist() == [0, 1, 1, 2, 3]


def test_encode_transactions_grows_past_its_first_buffers():
    transactions = [[i, i + 1] for i in range(3000)]
    indptr, ids, labels = encode_transactions(transactions)
    assert len(labels) == 3001 and indptr[-1] == 6000
    assert [labels[i] for i in ids[indptr[2999]:]] == [2999, 3000]


def test_encode_transactions_rejects_a_string_transaction():
    with pytest.raises(TypeError, match="string"):
        encode_transactions(["abc"])


def test_rank_transactions_matches_python():
    rng = np.random.default_rng(2)
    transactions = [rng.permutation(50)[: rng.integers(0, 45)].tolist() for _ in range(40)]
    indptr = np.zeros(41, dtype=np.int64)
    indptr[1:] = np.cumsum([len(t) for t in transactions])
    ids = np.array([i for t in transactions for i in t], dtype=np.int32)
    rank_of = rng.permutation(50).astype(np.int32)
    rank_of[rng.random(50) < 0.3] = -1
    ranked_indptr, ranks = rank_transactions(indptr, ids, rank_of)
    for row, transaction in enumerate(transactions):
        expected = sorted(int(rank_of[i]) for i in transaction if rank_of[i] >= 0)
        assert ranks[ranked_indptr[row]:ranked_indptr[row + 1]].tolist() == expected


def test_itemsets_as_tuples():
    items = np.array([2, 0, 1], dtype=np.int32)
    offsets = np.array([0, 1, 3], dtype=np.int64)
    assert itemsets_as_tuples(items, offsets, ["x", "y", "z"]) == [("z",), ("x", "y")]


def test_encode_transactions_treats_equal_items_as_one():
    # Small ints go through an array, everything else through a dict: equal items must still
    # share one id, as in a Python set.
    indptr, ids, labels = encode_transactions([[5, 5.0], [True, 1], [-1, 2**40, 2**40, 1.0]])
    assert labels == [5, True, -1, 2**40]
    assert ids.tolist() == [0, 1, 2, 3, 1]
    assert indptr.tolist() == [0, 1, 2, 5]
