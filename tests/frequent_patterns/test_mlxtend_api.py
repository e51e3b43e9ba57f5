"""mlxtend 0.25's calling conventions, input checks and guards of the FP-growth functions."""

import io
import tracemalloc

import numpy as np
import pytest

from tests import datasets
from skedu.frequent_patterns import (
    FPGrowth,
    TooManyItemsetsError,
    TooManyRulesError,
    association_rules,
    fpgrowth,
)
from tests.datasets import require_data

pd = pytest.importorskip("pandas", reason="pandas is needed for the DataFrame API tests")
mlxtend_fp = pytest.importorskip("mlxtend.frequent_patterns", reason="mlxtend is a test extra")


def one_hot_frame(transactions):
    items = sorted({item for t in transactions for item in t}, key=str)
    rows = [set(t) for t in transactions]
    return pd.DataFrame([[item in row for item in items] for row in rows],
                        columns=[str(item) for item in items])


def rules_by_key(rules):
    values = rules.drop(columns=["antecedents", "consequents"]).to_numpy(dtype=float)
    return dict(zip(zip(rules["antecedents"], rules["consequents"]), map(tuple, values)))


def assert_same_rules(ours, theirs):
    assert list(ours.columns) == list(theirs.columns)
    ours, theirs = rules_by_key(ours), rules_by_key(theirs)
    assert ours.keys() == theirs.keys()
    for key, row in ours.items():
        # mlxtend's formulas, operation for operation: equal floats (NaN where both are NaN).
        np.testing.assert_array_equal(row, theirs[key])


@pytest.mark.parametrize("name, n_rows, min_support, metric, threshold", [
    ("groceries.csv.xz", None, 0.005, "confidence", 0.2),
    ("groceries.csv.xz", None, 0.005, "kulczynski", 0.3),
    ("retail.dat.xz", 10_000, 0.005, "lift", 1.5),
    ("retail.dat.xz", 10_000, 0.005, "certainty", 0.0),
])
def test_rules_equal_mlxtend_025_called_as_mlxtend(name, n_rows, min_support, metric, threshold):
    require_data(name)
    transactions = datasets.load_transactions(name)[:n_rows]
    model = FPGrowth(min_support=min_support).fit(transactions)
    itemsets = pd.DataFrame({"support": model.supports_,
                             "itemsets": list(map(frozenset, model.itemsets_))})
    # The same call for both, positional num_itemsets as in mlxtend >= 0.23.2.
    n = len(transactions)
    ours = association_rules(itemsets, n, metric=metric, min_threshold=threshold)
    theirs = mlxtend_fp.association_rules(itemsets, n, metric=metric, min_threshold=threshold)
    assert len(ours) > 0
    assert_same_rules(ours, theirs)


def test_fpgrowth_signature_and_verbose_match_mlxtend(capsys):
    frame = pd.DataFrame(np.random.default_rng(0).random((50, 6)) < 0.5)
    # Positional arguments in mlxtend 0.25's order: df, min_support, null_values, use_colnames.
    ours = fpgrowth(frame, 0.2, False, True, 3, 1)
    assert "itemset(s)" in capsys.readouterr().out
    theirs = mlxtend_fp.fpgrowth(frame, 0.2, False, True, 3)
    assert dict(zip(ours["itemsets"], ours["support"])) == dict(
        zip(theirs["itemsets"], theirs["support"]))


def test_support_only_and_return_metrics_match_mlxtend():
    frame = one_hot_frame([["a", "b", "c"], ["a", "b"], ["a", "c"], ["b", "c"], ["a"]])
    itemsets = fpgrowth(frame, 0.2, use_colnames=True)
    incomplete = itemsets[itemsets["itemsets"].map(len) != 1]  # antecedents missing
    ours = association_rules(incomplete, len(frame), support_only=True, min_threshold=0.1)
    theirs = mlxtend_fp.association_rules(incomplete, len(frame), support_only=True,
                                          min_threshold=0.1)
    assert_same_rules(ours, theirs)
    chosen = ["lift", "support", "jaccard"]
    ours = association_rules(itemsets, len(frame), min_threshold=0.0, return_metrics=chosen)
    theirs = mlxtend_fp.association_rules(itemsets, len(frame), min_threshold=0.0,
                                          return_metrics=chosen)
    assert_same_rules(ours, theirs)
    empty = association_rules(itemsets, len(frame), min_threshold=2.0)
    assert len(empty) == 0 and list(empty.columns) == list(
        mlxtend_fp.association_rules(itemsets, len(frame), min_threshold=2.0).columns)
    with pytest.raises(KeyError, match="support_only=True"):
        association_rules(incomplete, len(frame))


def test_null_values_match_mlxtend():
    rng = np.random.default_rng(1)
    values = (rng.random((40, 5)) < 0.6).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values, columns=list("abcde"))
    ours = fpgrowth(frame, 0.3, null_values=True, use_colnames=True)
    with pytest.warns(DeprecationWarning):
        theirs = mlxtend_fp.fpgrowth(frame, 0.3, null_values=True, use_colnames=True)
    assert len(ours) > 5
    ours_support = dict(zip(ours["itemsets"], ours["support"]))
    theirs_support = dict(zip(theirs["itemsets"], theirs["support"]))
    assert ours_support.keys() == theirs_support.keys()
    for key, value in ours_support.items():
        assert value == pytest.approx(theirs_support[key], rel=1e-12)
    rules = association_rules(ours, len(frame), frame, null_values=True, metric="lift",
                              min_threshold=0.9)
    with pytest.warns(DeprecationWarning):
        expected = mlxtend_fp.association_rules(theirs, len(frame), frame, null_values=True,
                                                metric="lift", min_threshold=0.9)
    ours_rules, theirs_rules = rules_by_key(rules), rules_by_key(expected)
    assert ours_rules.keys() == theirs_rules.keys() and len(ours_rules) > 0
    for key, row in ours_rules.items():
        np.testing.assert_allclose(row, theirs_rules[key], rtol=1e-12)
    with pytest.raises(ValueError, match="NaN values are not permitted"):
        fpgrowth(frame, 0.3)
    with pytest.raises(TypeError, match="df_orig"):
        association_rules(ours, len(frame), null_values=True)


def test_rule_input_errors():
    frame = pd.DataFrame({"support": [0.5, 0.6, 0.7], "itemsets": [
        frozenset("ab"), frozenset("a"), frozenset("b")]})
    counts = frame.assign(support=[5, 6, 7])
    with pytest.raises(ValueError, match="fractions"):
        association_rules(counts, 10, metric="lift")
    with pytest.raises(TypeError, match="metric by keyword"):
        association_rules(frame, "lift")
    with pytest.raises(ValueError, match="return_metrics"):
        association_rules(frame, 10, return_metrics=["interest"])
    with pytest.raises(ValueError, match="twice"):
        association_rules(pd.concat([frame, frame]), 10)


RAGGED_BASKETS = "milk,bread\nbeer\nmilk,bread,eggs,beer\n"


def test_ragged_basket_csv_nan_is_refused_not_mined():
    table = pd.read_csv(io.StringIO(RAGGED_BASKETS), header=None, names=range(4))
    with pytest.raises(ValueError, match="missing value"):
        FPGrowth(min_support=1).fit(table.values.tolist())
    baskets = [[item for item in row if not pd.isna(item)]
               for row in table.itertuples(index=False)]
    assert len(FPGrowth(min_support=1).fit(baskets).itemsets_) == 15


def test_table_of_item_names_gets_mlxtends_message():
    table = pd.read_csv(io.StringIO(RAGGED_BASKETS), header=None, names=range(4))
    for call in (lambda: FPGrowth().fit(table), lambda: fpgrowth(table),
                 lambda: FPGrowth().fit(table.to_numpy())):
        with pytest.raises(ValueError, match="allowed values for a DataFrame are True, False, "
                                             "0, 1. Found value 'milk'"):
            call()


def test_one_dimensional_object_array_of_baskets():
    baskets = [["a", "b"], ["a"], ["b", "c", "a"]]
    column = np.empty(len(baskets), dtype=object)
    column[:] = baskets
    model = FPGrowth(min_support=1).fit(column)
    assert model.itemsets_ == FPGrowth(min_support=1).fit(baskets).itemsets_
    assert model.transform(column).shape == (3, len(model.itemsets_))


def test_min_support_int_is_a_count_in_fpgrowth_class_and_refused_in_function():
    frame = pd.DataFrame(np.eye(3, dtype=bool))
    assert len(FPGrowth(min_support=1).fit(frame).itemsets_) == 3  # one transaction
    assert len(FPGrowth(min_support=1.0).fit(frame).itemsets_) == 0  # all of them
    with pytest.raises(TypeError, match="ambiguous"):
        fpgrowth(frame, min_support=1)
    with pytest.raises(ValueError, match="min_support"):
        FPGrowth(min_support=0).fit(frame)
    with pytest.raises(ValueError, match="n_jobs"):
        FPGrowth(n_jobs=0).fit(frame)


def test_max_itemsets_stops_with_the_count_found():
    require_data("mushroom.dat.xz")
    transactions = datasets.load_transactions("mushroom.dat.xz")
    with pytest.raises(TooManyItemsetsError, match=r"max_itemsets=1000 .*: \d+ found so far"):
        FPGrowth(min_support=0.1, max_itemsets=1000, n_jobs=2).fit(transactions)
    with pytest.raises(TooManyItemsetsError, match="max_itemsets"):
        fpgrowth(one_hot_frame(transactions[:500]), 0.3, max_itemsets=100)



@pytest.mark.parametrize("n_jobs", [1, 2])
def test_max_rules_stops_with_the_count_found(n_jobs):
    require_data("mushroom.dat.xz")
    transactions = datasets.load_transactions("mushroom.dat.xz")
    frame = one_hot_frame(transactions)
    itemsets = fpgrowth(frame, 0.4, use_colnames=True)
    everything = association_rules(itemsets, len(frame), metric="support", min_threshold=0.0)
    assert len(everything) > 5000  # every split of 565 sets
    # A limit it stays within changes nothing; one rule fewer stops it.
    within = association_rules(itemsets, len(frame), metric="support", min_threshold=0.0,
                               max_rules=len(everything), n_jobs=n_jobs)
    pd.testing.assert_frame_equal(within, everything)
    pattern = rf"max_rules={len(everything) - 1} association rules: \d+ found so far"
    with pytest.raises(TooManyRulesError, match=pattern):
        association_rules(itemsets, len(frame), metric="support", min_threshold=0.0,
                          max_rules=len(everything) - 1, n_jobs=n_jobs)
    with pytest.raises(TooManyRulesError, match="raise max_rules"):
        association_rules(itemsets, len(frame), max_rules=100, n_jobs=n_jobs)
    with pytest.raises(TooManyRulesError, match="min_confidence"):
        FPGrowth(min_support=0.4, min_confidence=0.5, max_rules=100,
                 n_jobs=n_jobs).fit(transactions)
    assert len(FPGrowth(min_support=0.4, min_confidence=0.5, max_rules=None)
               .fit(transactions).rules_["confidence"]) > 100
    with pytest.raises(ValueError, match="max_rules"):
        association_rules(itemsets, len(frame), max_rules=0)
    with pytest.raises(ValueError, match="max_rules"):
        FPGrowth(max_rules=0).fit(transactions)


def test_transform_memory_follows_the_output():
    # The former sparse product of transactions by sets peaked at 2.4 GB here (4 MB output).
    require_data("groceries.csv.xz")
    transactions = datasets.load_transactions("groceries.csv.xz")
    model = FPGrowth(min_support=0.0005).fit(transactions)
    tracemalloc.start()
    try:
        indicators = model.transform(transactions)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    output = indicators.data.nbytes + indicators.indices.nbytes + indicators.indptr.nbytes
    assert len(model.itemsets_) > 40_000
    assert peak < 1.5 * output + (1 << 20)
    itemsets = list(map(frozenset, model.itemsets_))
    some = np.random.default_rng(0).choice(len(transactions), 8, replace=False)
    for row in some:
        expected = [s for s, itemset in enumerate(itemsets)
                    if itemset.issubset(transactions[row])]
        assert indicators[row].indices.tolist() == expected
