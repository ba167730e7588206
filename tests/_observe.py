"""Describe what a call did in terms two libraries can be compared by:
its result (types and dict order kept), or its exception (class names
along the MRO, message, cause, context), and its warnings."""

from __future__ import annotations

import warnings
from typing import Any, Callable


def observe(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """Call and describe what came out, warnings included, in comparable terms."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: tuple[Any, ...] = ("ok", normalise(func(*args, **kwargs)))
        except Exception as err:
            cause = err.__cause__
            result = (
                "error",
                [cls.__name__ for cls in type(err).__mro__],
                str(err),
                None if cause is None else (type(cause).__name__, str(cause)),
                err.__suppress_context__,
                None
                if err.__context__ is None
                else (type(err.__context__).__name__, str(err.__context__)),
            )
    seen = [(w.category.__name__, str(w.message)) for w in caught]
    return result + (seen,)


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", [(k, normalise(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [normalise(v) for v in value])
    return (type(value).__name__, value)
