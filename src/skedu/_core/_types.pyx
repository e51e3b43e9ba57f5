"""Python view of the engine's codes: ``Criterion`` and ``Splitter``, defined in ``_types.pxd``."""
