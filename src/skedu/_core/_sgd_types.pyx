"""Loss, optimiser and schedule codes of the SGD kernel (declared in ``_sgd_types.pxd``).

The ``cpdef enum`` declarations make ``Loss``, ``Optimizer`` and ``Schedule`` Python enums of
this module, so Python code and the kernel share one definition.
"""
