"""Linear discriminant analysis: a classifier and a supervised projection to at most k - 1 axes."""

from ._lda import LinearDiscriminantAnalysis

__all__ = ["LinearDiscriminantAnalysis"]
