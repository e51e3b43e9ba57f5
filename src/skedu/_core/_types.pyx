"""Python view of the kernels' codes (``Criterion``, ``Splitter``, ``BoostingLoss``), defined
in ``_types.pxd``."""
