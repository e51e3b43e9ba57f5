"""Frequent itemsets by FP-growth, and association rules."""

from ._fpgrowth import (
    FPGrowth,
    TooManyItemsetsError,
    TooManyRulesError,
    association_rules,
    fpgrowth,
)

__all__ = ["FPGrowth", "fpgrowth", "association_rules", "TooManyItemsetsError",
           "TooManyRulesError"]
