"""Frequent itemsets by FP-growth, and association rules."""

from ._fpgrowth import FPGrowth, TooManyItemsetsError, association_rules, fpgrowth

__all__ = ["FPGrowth", "fpgrowth", "association_rules", "TooManyItemsetsError"]
