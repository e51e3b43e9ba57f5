"""Benchmarks of skedu against its peers; ``python -m benchmarks.run_all`` prints every table."""
