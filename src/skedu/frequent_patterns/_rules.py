"""Association rules from a table of frequent item sets and their supports.

Every frequent set ``S`` of two or more items gives one candidate rule ``A -> S - A`` per
non-empty proper subset ``A``. The candidates are enumerated, looked up and filtered in compiled
code (:func:`skedu._core._fp_sets.candidate_rules`) over flat (items, offsets, supports) arrays:
the sets are stored in a trie where the supports of ``A`` and ``S - A`` are found by binary
search. Only the rules kept become Python objects. The metrics use mlxtend's formulas, operation
for operation, so that both give the same floats.
"""

import numpy as np

from .._core._fp_sets import METRICS, candidate_rules, rule_sides

RULE_METRICS = METRICS
# Guard against runaway output: two million rules are about 1 GB once they are frozensets and
# metric columns of a DataFrame (the compiled buffers hold 32 bytes a rule).
DEFAULT_MAX_RULES = 2_000_000


class TooManyRulesError(ValueError):
    """More association rules than ``max_rules``: the threshold is too loose for the sets."""


class MissingItemsetError(KeyError, ValueError):
    """A subset of a frequent set is missing from the table (a KeyError, as mlxtend raises)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def rule_metrics(sAC, sA, sC, n=1.0, disAC=0.0, disA=0.0, disC=0.0, dis_int=0.0, dis_int_=0.0):
    """Every rule metric, with mlxtend's formulas.

    Parameters
    ----------
    sAC, sA, sC : ndarray of shape (n_rules,)
        Supports (fractions) of A∪C, A and C.
    n : float
        mlxtend's ``num_itemsets``, the number of transactions.
    disAC, disA, disC, dis_int, dis_int_ : float or ndarray of shape (n_rules,)
        mlxtend's counts of rows with missing values (``null_values=True``); 0 otherwise:
        rows with a NaN in A∪C, in A, in C, in C with all of A present, in A with all of C
        present.

    Returns
    -------
    metrics : dict of str -> ndarray of shape (n_rules,)
        Keyed by the names in ``RULE_METRICS``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        confidence = (sAC * (n - disAC)) / (sA * (n - disA) - dis_int)
        reverse_confidence = (sAC * (n - disAC)) / (sC * (n - disC) - dis_int_)
        leverage = sAC - sA * sC
        conviction = np.full(sAC.shape, np.inf)
        below_one = confidence < 1.0
        conviction[below_one] = (1.0 - sC[below_one]) / (1.0 - confidence[below_one])
        zhang_denominator = np.maximum(sAC * (1 - sA), sA * (sC - sAC))
        zhangs_metric = np.where(zhang_denominator == 0, 0, leverage / zhang_denominator)
        certainty_denominator = 1 - sC
        certainty = np.where(
            certainty_denominator == 0, 0, (confidence - sC) / certainty_denominator
        )
        return {
            "antecedent support": sA,
            "consequent support": sC,
            "support": sAC,
            "confidence": confidence,
            "lift": confidence / sC,
            "representativity": np.broadcast_to((n - disAC) / n, sAC.shape).astype(np.float64),
            "leverage": leverage,
            "conviction": conviction,
            "zhangs_metric": zhangs_metric.astype(np.float64),
            "jaccard": sAC / (sA + sC - sAC),
            "certainty": certainty.astype(np.float64),
            "kulczynski": (confidence + reverse_confidence) / 2,
        }


def generate_rules(items, offsets, supports, labels, metric="confidence", min_threshold=0.8,
                   n=1.0, support_only=False, n_threads=1, max_rules=None, advice=""):
    """Rules ``antecedent -> consequent`` whose ``metric`` reaches ``min_threshold``.

    Parameters
    ----------
    items : ndarray of shape (n_entries,), int32
        Item codes (indices into ``labels``) of every set, one set after another.
    offsets : ndarray of shape (n_sets + 1,), int64
    supports : ndarray of shape (n_sets,), float64
        Support of each set as a fraction of the transactions.
    labels : list
        The item of each code.
    metric : str
        One of ``RULE_METRICS``, compared with ``min_threshold``.
    min_threshold : float
        Rules with ``metric < min_threshold`` are left out (``-inf`` keeps every rule).
    n : float
        Number of transactions, as mlxtend's ``num_itemsets``.
    support_only : bool
        Filter on the support alone and look up no subset (the other metrics are NaN).
    n_threads : int
    max_rules : int or None
        Stop with :class:`TooManyRulesError` once more rules than this are kept (None: no
        limit).
    advice : str
        What the caller can change, appended to that error's message.

    Returns
    -------
    antecedents, consequents : list of frozenset
    supports : tuple of three ndarray of shape (n_rules,)
        Supports of A∪C, A and C (NaN for A and C with ``support_only``).

    Raises
    ------
    MissingItemsetError
        When an antecedent or consequent is not among the sets (unless ``support_only``).
    TooManyRulesError
        When more than ``max_rules`` rules reach the threshold.
    """
    if metric not in RULE_METRICS:
        raise ValueError(f"metric must be one of {list(RULE_METRICS)}, got {metric!r}.")
    supports = np.ascontiguousarray(supports, dtype=np.float64)
    try:
        set_index, masks, sA, sC, sorted_items, missing = candidate_rules(
            items, offsets, supports, RULE_METRICS.index(metric), float(min_threshold),
            float(n), bool(support_only), n_threads, -1 if max_rules is None else max_rules,
        )
    except OverflowError as error:
        kept = (f"rules with {metric} >= {min_threshold!r}" if min_threshold > -np.inf
                else "candidate rules, every split of every set")
        raise TooManyRulesError(
            f"More than max_rules={max_rules} association rules: {error.args[0]} found so far "
            f"({kept}, from {offsets.shape[0] - 1} item sets); the search stopped before "
            f"their memory ran out. {advice}"
        ) from None
    if missing is not None:
        set_index, mask = missing
        members = sorted_items[offsets[set_index]:offsets[set_index + 1]]
        subset = {labels[code] for i, code in enumerate(members) if (mask >> i) & 1}
        whole = {labels[code] for code in members}
        raise MissingItemsetError(
            f"The subset {subset} of the frequent set {whole} is missing from the table "
            "(rules need the support of every antecedent and consequent). You are likely "
            "getting this error because the DataFrame is missing antecedent and/or consequent "
            "information; pass support_only=True to compute the rule support alone."
        )
    antecedents, consequents = rule_sides(sorted_items, offsets, set_index, masks, labels)
    return antecedents, consequents, (supports[set_index], sA, sC)
