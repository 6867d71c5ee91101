"""Optional dependencies, imported when first needed.

The core needs only cvxpy, highspy, numpy and scipy; sweeps (pandas, dask,
tqdm, threadpoolctl), frames (pandas), plots (matplotlib) and exact certificates
(python-flint) are extras. :func:`require` imports one and, if it is missing,
says which extra installs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from lpmech.errors import MissingExtraError


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming ``lpmech[extra]``.

    >>> require("numpy", "core", "arrays").__name__
    'numpy'
    >>> require("no_such_module", "sweep", "a sweep")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lpmech.errors.MissingExtraError: a sweep needs no_such_module, ...: pip install "lpmech[sweep]"
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingExtraError(
            f'{purpose} needs {module}, which is not installed: pip install "lpmech[{extra}]"',
            extra,
        ) from error
