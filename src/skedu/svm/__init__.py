"""Linear support vector machines trained by stochastic gradient descent."""

from ._classes import LinearSVC, LinearSVR

__all__ = ["LinearSVC", "LinearSVR"]
