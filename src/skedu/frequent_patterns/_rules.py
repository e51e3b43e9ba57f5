"""Association rules from a table of frequent item sets and their supports.

Every frequent set ``S`` of two or more items gives one candidate rule ``A -> S - A`` per
non-empty proper subset ``A``; the supports of ``A`` and ``S - A`` are looked up in a hash table
of the sets (they are frequent too, being subsets of a frequent set). The metrics are computed on
whole columns with numpy, with the same formulas as mlxtend's ``association_rules``.
"""

from itertools import combinations

import numpy as np

RULE_METRICS = (
    "antecedent support",
    "consequent support",
    "support",
    "confidence",
    "lift",
    "representativity",
    "leverage",
    "conviction",
    "zhangs_metric",
    "jaccard",
    "certainty",
    "kulczynski",
)


def rule_metrics(sAC, sA, sC):
    """Every rule metric from the supports (fractions) of A∪C, A and C.

    Parameters
    ----------
    sAC, sA, sC : ndarray of shape (n_rules,)

    Returns
    -------
    metrics : dict of str -> ndarray of shape (n_rules,)
        Keyed by the names in ``RULE_METRICS``.
    """
    confidence = sAC / sA
    leverage = sAC - sA * sC
    conviction = np.full(sAC.shape, np.inf)
    below_one = confidence < 1.0
    conviction[below_one] = (1.0 - sC[below_one]) / (1.0 - confidence[below_one])
    zhang_denominator = np.maximum(sAC * (1 - sA), sA * (sC - sAC))
    certainty_denominator = 1 - sC
    with np.errstate(divide="ignore", invalid="ignore"):
        zhangs_metric = np.where(zhang_denominator == 0, 0.0, leverage / zhang_denominator)
        certainty = np.where(
            certainty_denominator == 0, 0.0, (confidence - sC) / certainty_denominator
        )
    return {
        "antecedent support": sA,
        "consequent support": sC,
        "support": sAC,
        "confidence": confidence,
        "lift": confidence / sC,
        "representativity": np.ones_like(sAC),
        "leverage": leverage,
        "conviction": conviction,
        "zhangs_metric": zhangs_metric,
        "jaccard": sAC / (sA + sC - sAC),
        "certainty": certainty,
        "kulczynski": (sAC / sA + sAC / sC) / 2,
    }


def generate_rules(itemsets, supports, metric="confidence", min_threshold=0.8):
    """Rules ``antecedent -> consequent`` from frequent sets whose ``metric`` reaches a threshold.

    Parameters
    ----------
    itemsets : sequence of iterables of hashable
        Frequent item sets; every subset of a set of two or more items must be present.
    supports : array-like of shape (n_sets,)
        Support of each set as a fraction of the transactions.
    metric : str
        One of ``RULE_METRICS``.
    min_threshold : float
        Rules with ``metric < min_threshold`` are left out.

    Returns
    -------
    antecedents, consequents : list of frozenset
    metrics : dict of str -> ndarray of shape (n_rules,)
    """
    if metric not in RULE_METRICS:
        raise ValueError(f"metric must be one of {list(RULE_METRICS)}, got {metric!r}.")
    keys = [frozenset(itemset) for itemset in itemsets]
    support_of = dict(zip(keys, np.asarray(supports, dtype=np.float64).tolist()))
    antecedents, consequents, sAC, sA, sC = [], [], [], [], []
    for itemset in keys:
        if len(itemset) < 2:
            continue
        support = support_of[itemset]
        for size in range(len(itemset) - 1, 0, -1):
            for chosen in combinations(itemset, size):
                antecedent = frozenset(chosen)
                consequent = itemset - antecedent
                try:
                    antecedent_support = support_of[antecedent]
                    consequent_support = support_of[consequent]
                except KeyError as missing:
                    raise ValueError(
                        f"The subset {set(missing.args[0])} of the frequent set {set(itemset)} is "
                        "missing from the table: rules need every subset of each frequent set."
                    ) from None
                antecedents.append(antecedent)
                consequents.append(consequent)
                sAC.append(support)
                sA.append(antecedent_support)
                sC.append(consequent_support)
    metrics = rule_metrics(np.array(sAC, dtype=np.float64), np.array(sA, dtype=np.float64),
                           np.array(sC, dtype=np.float64))
    keep = metrics[metric] >= min_threshold
    if not keep.all():
        kept_indices = np.flatnonzero(keep)
        antecedents = [antecedents[i] for i in kept_indices]
        consequents = [consequents[i] for i in kept_indices]
        metrics = {name: values[keep] for name, values in metrics.items()}
    return antecedents, consequents, metrics
