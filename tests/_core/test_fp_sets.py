"""Kernel tests: the itemset trie's containment walk and rule enumeration against naive twins."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skedu._core._fp_sets import METRICS, candidate_rules, contained_sets, rule_sides


def flat(sets):
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(s) for s in sets])
    items = np.array([i for s in sets for i in s], dtype=np.int32)
    return items, offsets


def all_subsets(universe, max_len):
    return [c for k in range(1, max_len + 1) for c in combinations(universe, k)]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.sets(st.integers(0, 6), max_size=7), min_size=1, max_size=15),
       keep=st.lists(st.booleans(), min_size=127, max_size=127),
       n_threads=st.sampled_from([1, 2]))
def test_contained_sets_match_naive(rows, keep, n_threads):
    # Any family of distinct sets (not necessarily closed under subsets), items in any order.
    family = [tuple(reversed(s)) for s, k in zip(all_subsets(range(7), 7), keep) if k]
    items, offsets = flat(family)
    row_items, indptr = flat([sorted(r) for r in rows])
    out_indptr, out_indices = contained_sets(items, offsets, indptr, row_items, n_threads)
    for r, row in enumerate(rows):
        expected = [s for s, itemset in enumerate(family) if set(itemset) <= row]
        assert out_indices[out_indptr[r]:out_indptr[r + 1]].tolist() == expected


def test_contained_sets_rejects_duplicates_and_bad_offsets():
    items, offsets = flat([(1, 2), (2, 1)])
    with pytest.raises(ValueError, match="twice"):
        contained_sets(items, offsets, np.zeros(1, np.int64), np.zeros(0, np.int32), 1)
    with pytest.raises(ValueError, match="offsets"):
        contained_sets(items, offsets[:-1], np.zeros(1, np.int64), np.zeros(0, np.int32), 1)


def naive_rules(family, supports, metric_index, threshold, n):
    from skedu.frequent_patterns._rules import rule_metrics

    support_of = dict(zip(map(frozenset, family), supports))
    rules = {}
    for itemset in map(frozenset, family):
        for size in range(1, len(itemset)):
            for chosen in combinations(sorted(itemset), size):
                a, c = frozenset(chosen), itemset - frozenset(chosen)
                values = rule_metrics(np.array([support_of[itemset]]), np.array([support_of[a]]),
                                      np.array([support_of[c]]), n)
                if values[METRICS[metric_index]][0] >= threshold:
                    rules[(a, c)] = (support_of[a], support_of[c])
    return rules


@settings(max_examples=40, deadline=None)
@given(transactions=st.lists(st.sets(st.integers(0, 5), max_size=6), min_size=1, max_size=20),
       metric_index=st.integers(0, len(METRICS) - 1), threshold=st.floats(-1, 2),
       n_threads=st.sampled_from([1, 2]))
def test_candidate_rules_match_naive(transactions, metric_index, threshold, n_threads):
    # Every set present in some transaction, with its exact support: a closed family.
    counts = {}
    for t in transactions:
        for subset in all_subsets(sorted(t), len(t)):
            counts[subset] = counts.get(subset, 0) + 1
    family = list(counts)
    n = len(transactions)
    supports = np.array([counts[s] / n for s in family])
    items, offsets = flat(family)
    set_index, masks, sA, sC, sorted_items, missing = candidate_rules(
        items, offsets, supports, metric_index, threshold, float(n), False, n_threads)
    assert missing is None
    antecedents, consequents = rule_sides(sorted_items, offsets, set_index, masks,
                                          list(range(6)))
    found = {(a, c): (x, y) for a, c, x, y in zip(antecedents, consequents, sA, sC)}
    assert found == naive_rules(family, supports, metric_index, threshold, float(n))


def test_candidate_rules_reports_a_missing_subset_and_support_only_needs_none():
    items, offsets = flat([(0, 1), (0,)])
    result = candidate_rules(items, offsets, np.array([0.5, 0.6]), 3, 0.0, 1.0, False, 1)
    assert result[-1] == (0, 0b10)  # {1} is missing
    set_index, masks, sA, sC, _, missing = candidate_rules(
        items, offsets, np.array([0.5, 0.6]), 2, 0.0, 1.0, True, 1)
    assert missing is None and set_index.tolist() == [0, 0] and np.isnan(sA).all()


@pytest.mark.parametrize("n_threads", [1, 2])
def test_candidate_rules_stop_past_max_rules_whatever_the_threads(n_threads):
    # Every subset of 12 items: 24,576 entries (the threaded path) and 3**12 - 2**13 + 1 rules
    # when every split is kept (support >= 0).
    family = all_subsets(range(12), 12)
    items, offsets = flat(family)
    supports = np.full(len(family), 0.5)
    n_rules = 3**12 - 2**13 + 1
    kept = candidate_rules(items, offsets, supports, 2, 0.0, 1.0, False, n_threads, n_rules)
    assert kept[0].shape[0] == n_rules
    for max_rules in (n_rules - 1, 1000):
        with pytest.raises(OverflowError) as error:
            candidate_rules(items, offsets, supports, 2, 0.0, 1.0, False, n_threads, max_rules)
        # Found so far: past the limit, and at most each thread's share plus the rule it stopped at.
        assert max_rules < error.value.args[0] <= n_threads * (max_rules + 1)
