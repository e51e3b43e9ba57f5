"""FPGrowth, fpgrowth and association_rules: exact agreement with brute force, mlxtend and pyfim."""

import sys
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from tests import datasets
from skedu._core._fptree import _thread_thresholds
from skedu.frequent_patterns import FPGrowth, association_rules, fpgrowth
from tests.datasets import require_data

pd = pytest.importorskip("pandas", reason="pandas is needed for the DataFrame API tests")


def brute_force_itemsets(transactions, min_count, max_len=None):
    """Every set contained in at least ``min_count`` transactions, counting all subsets."""
    counts = {}
    for transaction in transactions:
        items = list(set(transaction))
        largest = len(items) if max_len is None else min(len(items), max_len)
        for size in range(1, largest + 1):
            for subset in combinations(items, size):
                key = frozenset(subset)
                counts[key] = counts.get(key, 0) + 1
    return {itemset: count for itemset, count in counts.items() if count >= min_count}


def fitted_as_dict(model):
    keys = [frozenset(itemset) for itemset in model.itemsets_]
    assert len(set(keys)) == len(keys), "a set was written twice"
    return dict(zip(keys, model.support_counts_.tolist()))


def frame_as_dict(frame):
    return dict(zip(frame["itemsets"], frame["support"].tolist()))


def one_hot(transactions, n_items):
    matrix = np.zeros((len(transactions), n_items), dtype=bool)
    for row, transaction in enumerate(transactions):
        matrix[row, list(transaction)] = True
    return matrix


@parametrize_with_checks([FPGrowth(), FPGrowth(min_support=2, max_len=2, min_confidence=0.5)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------------------------------
# Exactness against brute force, mlxtend and pyfim
# ---------------------------------------------------------------------------------------------

transactions_strategy = st.lists(
    st.lists(st.integers(0, 7), max_size=7), min_size=1, max_size=25
)


@settings(max_examples=60, deadline=None)
@given(transactions=transactions_strategy, min_support=st.floats(0.01, 1.0),
       max_len=st.one_of(st.none(), st.integers(1, 4)))
def test_matches_brute_force(transactions, min_support, max_len):
    model = FPGrowth(min_support=min_support, max_len=max_len).fit(transactions)
    min_count = model.support_counts_.min() if len(model.itemsets_) else None
    n = len(transactions)
    expected_count = next(c for c in range(1, n + 2) if c / n >= min_support or c == n + 1)
    assert min_count is None or min_count >= expected_count
    assert fitted_as_dict(model) == brute_force_itemsets(transactions, expected_count, max_len)


@settings(max_examples=40, deadline=None)
@given(transactions=transactions_strategy, min_count=st.integers(1, 25))
def test_matches_mlxtend_fpgrowth_and_apriori(transactions, min_count):
    mlxtend = pytest.importorskip("mlxtend.frequent_patterns", reason="mlxtend is a test extra")
    # mlxtend's fpgrowth mines with ceil(min_support * n), which rounds some exact thresholds
    # up (7 / 25 * 25 = 7.000000000000001 -> 8) and loses the sets at the threshold; a fraction
    # halfway between two counts means the same to every implementation.
    min_support = min(1.0, (min_count - 0.5) / len(transactions))
    frame = pd.DataFrame(one_hot(transactions, 8))
    ours = frame_as_dict(fpgrowth(frame, min_support=min_support))
    assert ours == frame_as_dict(mlxtend.fpgrowth(frame, min_support=min_support))
    assert ours == frame_as_dict(mlxtend.apriori(frame, min_support=min_support))


@settings(max_examples=30, deadline=None)
@given(transactions=transactions_strategy, min_count=st.integers(1, 5))
def test_supports_are_monotone_under_inclusion(transactions, min_count):
    model = FPGrowth(min_support=min_count).fit(transactions)
    support = fitted_as_dict(model)
    for itemset, count in support.items():
        assert count >= min_count
        for item in itemset:
            if len(itemset) > 1:
                assert support[itemset - {item}] >= count


FIMI_CASES = [
    # (file, fraction of transactions kept, two supports in percent); pyfim's relim is the
    # reference because its fpgrowth leaves out the sets of items present in every transaction.
    ("retail.dat.xz", 0.25, (1.0, 0.2)),
    ("T10I4D100K.dat.xz", 0.25, (1.0, 0.4)),
    ("mushroom.dat.xz", 1.0, (30.0, 20.0)),
    ("chess.dat.xz", 1.0, (85.0, 75.0)),
    ("groceries.csv.xz", 1.0, (2.0, 0.5)),
]


@pytest.mark.parametrize("name, fraction, supports", FIMI_CASES)
def test_matches_pyfim_relim_on_fimi_files(name, fraction, supports):
    fim = pytest.importorskip("fim", reason="pyfim is a test extra")
    require_data(name)
    transactions = datasets.load_transactions(name)
    transactions = transactions[: int(len(transactions) * fraction)]
    for percent in supports:
        min_count = int(np.ceil(percent / 100 * len(transactions)))
        expected = {frozenset(s): c for s, c in fim.relim(transactions, supp=-min_count, report="a")}
        model = FPGrowth(min_support=min_count, n_jobs=2).fit(transactions)
        assert fitted_as_dict(model) == expected


def test_thread_count_does_not_change_the_result():
    require_data("T10I4D100K.dat.xz")
    transactions = datasets.load_transactions("T10I4D100K.dat.xz")[:20_000]
    # Sparse data, mined from the transactions (no top-level tree); the threaded path is taken
    # from 100,000 entry reads of the counting scans (length * (length - 1) / 2 a row) on.
    previous = _thread_thresholds(min_scan=100_000)
    try:
        one = FPGrowth(min_support=0.003, n_jobs=1).fit(transactions)
        two = FPGrowth(min_support=0.003, n_jobs=2).fit(transactions)
    finally:
        _thread_thresholds(*previous)
    assert one.n_tree_nodes_ == 0
    frequent = {itemset[0] for itemset in one.itemsets_ if len(itemset) == 1}
    lengths = np.array([len(frequent.intersection(t)) for t in transactions])
    assert np.sum(lengths * (lengths - 1) // 2) >= 100_000
    assert one.itemsets_ == two.itemsets_
    np.testing.assert_array_equal(one.support_counts_, two.support_counts_)


def test_support_exactly_at_a_fractional_threshold_is_kept():
    # 7 / 25 * 25 rounds to 7.000000000000001: a threshold taken as ceil(min_support * n) would
    # lose the pair, whose support 7 / 25 meets min_support = 7 / 25.
    transactions = [["a", "b"]] * 7 + [["a"]] * 18
    found = fitted_as_dict(FPGrowth(min_support=7 / 25).fit(transactions))
    assert found[frozenset("ab")] == 7
    frame = pd.DataFrame(one_hot([[0, 1]] * 7 + [[0]] * 18, 2))
    assert frame_as_dict(fpgrowth(frame, min_support=7 / 25))[frozenset([0, 1])] == 7 / 25


def test_item_present_in_every_transaction_is_kept():
    # pyfim's fpgrowth drops {"a"} and {"a", "b"} here; by definition they are frequent.
    transactions = [["a", "b"], ["a", "b"], ["a", "c"]]
    found = fitted_as_dict(FPGrowth(min_support=2).fit(transactions))
    assert found == {frozenset("a"): 3, frozenset("b"): 2, frozenset("ab"): 2}


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

def test_all_input_kinds_agree():
    rng = np.random.default_rng(0)
    dense = rng.random((60, 9)) < 0.4
    transactions = [np.flatnonzero(row).tolist() for row in dense]
    expected = fitted_as_dict(FPGrowth(min_support=0.1).fit(transactions))
    for X in (dense, dense.astype(np.float32), sparse.csr_matrix(dense), sparse.csc_matrix(dense),
              pd.DataFrame(dense), pd.DataFrame(dense).astype(pd.SparseDtype(bool, False))):
        assert fitted_as_dict(FPGrowth(min_support=0.1).fit(X)) == expected


def test_series_of_baskets_is_a_list_of_transactions():
    baskets = pd.Series([["tea", "milk"], ["tea"], ("milk", "tea", "tea")])
    model = FPGrowth(min_support=2).fit(baskets)
    assert fitted_as_dict(model) == brute_force_itemsets(list(baskets), 2)
    assert model.transform(baskets).shape == (3, 3)


def test_sparse_input_is_not_densified(monkeypatch):
    X = sparse.random(200, 50_000, density=1e-4, format="csr", random_state=0)
    X.data[:] = 1
    monkeypatch.setattr(sparse.csr_matrix, "toarray", lambda *a, **k: pytest.fail("densified"))
    model = FPGrowth(min_support=1, max_len=1).fit(X)
    assert len(model.itemsets_) == len(np.unique(X.indices))


def test_dataframe_labels_are_column_names():
    frame = pd.DataFrame({"bread": [1, 1, 0], "milk": [1, 1, 1]}).astype(bool)
    model = FPGrowth(min_support=2).fit(frame)
    assert set(model.itemsets_) == {("milk",), ("bread",), ("milk", "bread")} or set(
        model.itemsets_) == {("milk",), ("bread",), ("bread", "milk")}
    assert list(model.feature_names_in_) == ["bread", "milk"]


def test_counts_mark_items_present():
    counts = np.array([[3, 0, 1], [1, 2, 0], [0, 0, 5]])
    model = FPGrowth(min_support=1).fit(counts)
    assert fitted_as_dict(model) == brute_force_itemsets([[0, 2], [0, 1], [2]], 1)


def test_edge_cases_empty_duplicates_single_mixed_unicode():
    transactions = [[], ["é", "é", 1, (2, "x")], ["é", 1], [], [1.5, None]]
    model = FPGrowth(min_support=1).fit(transactions)
    assert fitted_as_dict(model) == brute_force_itemsets(transactions, 1)
    assert model.n_transactions_ == 5
    assert fitted_as_dict(FPGrowth(min_support=1.0).fit([["only", "one"]])) == {
        frozenset(["only"]): 1, frozenset(["one"]): 1, frozenset(["only", "one"]): 1}
    names = ["🍞 pain", "лук", "牛奶"]
    model = FPGrowth(min_support=0.5).fit([names, names[:2], names[1:]])
    assert frozenset(["лук", "牛奶"]) in fitted_as_dict(model)


def test_all_empty_transactions_and_support_above_every_item():
    model = FPGrowth(min_support=0.5).fit([[], []])
    assert model.itemsets_ == [] and model.supports_.shape == (0,)
    model = FPGrowth(min_support=0.9).fit([["a"], ["b"], ["c"]])
    assert model.itemsets_ == []
    assert model.transform([["a"]]).shape == (1, 0)
    frame = fpgrowth(pd.DataFrame(np.eye(3, dtype=bool)), min_support=0.9)
    assert list(frame.columns) == ["support", "itemsets"] and len(frame) == 0


@pytest.mark.parametrize("min_support", [0.0, -0.1, 1.5, float("nan"), 0])
def test_bad_min_support_is_a_clear_error(min_support):
    with pytest.raises(ValueError, match="min_support"):
        FPGrowth(min_support=min_support).fit([["a"]])


def test_bad_parameters_and_inputs_are_clear_errors():
    with pytest.raises(TypeError, match="min_support"):
        FPGrowth(min_support="0.5").fit([["a"]])
    with pytest.raises(ValueError, match="max_len"):
        FPGrowth(max_len=0).fit([["a"]])
    with pytest.raises(TypeError, match="max_len"):
        FPGrowth(max_len=1.5).fit([["a"]])
    with pytest.raises(ValueError, match="min_confidence"):
        FPGrowth(min_confidence=1.5).fit([["a"]])
    with pytest.raises(ValueError, match="no transactions"):
        FPGrowth().fit([])
    with pytest.raises(TypeError, match="string"):
        FPGrowth().fit(["abc", "de"])
    with pytest.raises(TypeError, match="list of transactions"):
        FPGrowth().fit(42)
    with pytest.raises(TypeError, match="unhashable"):
        FPGrowth().fit([[["a"]]])
    with pytest.raises(ValueError, match="NaN"):
        FPGrowth().fit(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="0 and 1"):
        fpgrowth(pd.DataFrame([[1, 2]]), min_support=0.5)
    with pytest.raises(ValueError, match="min_support"):
        fpgrowth(pd.DataFrame([[1, 0]]), min_support=0.0)
    with pytest.raises(TypeError, match="DataFrame"):
        fpgrowth([[1, 0]])


def test_transform_marks_contained_sets_and_checks_input_kind():
    rng = np.random.default_rng(3)
    transactions = [rng.choice(list("abcdef"), size=rng.integers(0, 6), replace=False).tolist()
                    for _ in range(80)]
    model = FPGrowth(min_support=0.1).fit(transactions)
    new = transactions[:20] + [["a", "unseen"], []]
    indicators = model.transform(new).toarray()
    expected = np.array([[set(itemset) <= set(t) for itemset in model.itemsets_] for t in new])
    np.testing.assert_array_equal(indicators, expected.astype(float))
    with pytest.raises(ValueError, match="same kind"):
        model.transform(np.ones((2, 6)))
    dense = one_hot([[ord(i) - 97 for i in t] for t in transactions], 6)
    matrix_model = FPGrowth(min_support=0.1).fit(dense)
    with pytest.raises(ValueError, match="features"):
        matrix_model.transform(dense[:, :5])


def test_pipeline_feeds_a_classifier():
    rng = np.random.default_rng(4)
    X = rng.random((300, 12)) < 0.3
    y = (X[:, 0] & X[:, 1]).astype(int)
    pipeline = make_pipeline(FPGrowth(min_support=0.05, max_len=2), LogisticRegression())
    assert pipeline.fit(X, y).score(X, y) > 0.95


def test_max_len_matches_mlxtend():
    mlxtend = pytest.importorskip("mlxtend.frequent_patterns", reason="mlxtend is a test extra")
    require_data("chess.dat.xz")
    transactions = datasets.load_transactions("chess.dat.xz")[:500]
    frame = pd.DataFrame(one_hot(transactions, max(map(max, transactions)) + 1))
    ours = fpgrowth(frame, min_support=0.8, max_len=3, use_colnames=True)
    theirs = mlxtend.fpgrowth(frame, min_support=0.8, max_len=3, use_colnames=True)
    assert frame_as_dict(ours) == frame_as_dict(theirs)


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

def rules_by_key(rules):
    return {(a, c): row for a, c, row in zip(rules["antecedents"], rules["consequents"],
                                             rules.drop(columns=["antecedents", "consequents"])
                                             .to_dict("records"))}


@pytest.mark.parametrize("metric, threshold", [("confidence", 0.4), ("lift", 1.1),
                                               ("leverage", 0.0), ("zhangs_metric", -1.0)])
def test_rules_match_mlxtend(metric, threshold):
    mlxtend = pytest.importorskip("mlxtend.frequent_patterns", reason="mlxtend is a test extra")
    require_data("groceries.csv.xz")
    transactions = datasets.load_transactions("groceries.csv.xz")
    items = sorted({item for t in transactions for item in t})
    frame = pd.DataFrame([[item in set(t) for item in items] for t in transactions], columns=items)
    itemsets = fpgrowth(frame, min_support=0.01, use_colnames=True)
    ours = association_rules(itemsets, len(frame), metric=metric, min_threshold=threshold)
    theirs = mlxtend.association_rules(itemsets, len(frame), metric=metric, min_threshold=threshold)
    assert list(ours.columns) == list(theirs.columns)
    ours, theirs = rules_by_key(ours), rules_by_key(theirs)
    assert ours.keys() == theirs.keys() and len(ours) > 0
    for key, row in ours.items():
        # Same formulas on the same float supports: equal up to rounding.
        np.testing.assert_allclose(list(row.values()), list(theirs[key].values()), rtol=1e-12)


def test_estimator_rules_and_rule_errors():
    transactions = [["a", "b"], ["a", "b"], ["a", "c"], ["b"]]
    model = FPGrowth(min_support=2, min_confidence=0.6).fit(transactions)
    rules = set(zip(model.rules_["antecedents"], model.rules_["consequents"]))
    assert rules == {(frozenset("a"), frozenset("b")), (frozenset("b"), frozenset("a"))}
    np.testing.assert_allclose(model.rules_["confidence"], 2 / 3)
    frame = pd.DataFrame({"support": [0.5], "itemsets": [frozenset("ab")]})
    with pytest.raises(ValueError, match="missing"):
        association_rules(frame, min_threshold=0.1)
    with pytest.raises(ValueError, match="metric"):
        association_rules(frame, metric="interest")
    with pytest.raises(ValueError, match="empty"):
        association_rules(frame.iloc[:0])


def test_dataframe_functions_need_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pandas is not installed"):
        fpgrowth(np.ones((2, 2)))
    with pytest.raises(ImportError, match="pandas is not installed"):
        association_rules(None)
    assert len(FPGrowth(min_support=1).fit([["a"]]).itemsets_) == 1
