"""Shared fixtures: the real data sets, skipped with a reason when absent."""

import pytest

from benchmarks import datasets


def require_data(name):
    """Skip the calling test when the shared data file ``name`` is absent."""
    if not datasets.available(name):
        pytest.skip(f"shared data file {name} not found (set SKEDU_DATA_HOME)")
