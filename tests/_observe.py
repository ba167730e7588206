"""Describe what a call did in terms two libraries can be compared by:
its result (types and dict order kept), or its exception (class names
along the MRO, message, cause, context), and its warnings."""

from __future__ import annotations

import re
import types
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


# Messages that embed an object's address (PyJWT formats a generator into
# one) are compared without it.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def both(action: Callable[[types.ModuleType], Any]) -> tuple[Any, ...]:
    """Run *action* with cyjwt and with PyJWT (each passed as the module);
    they must be observed alike.  What cyjwt did is returned."""
    import jwt as pyjwt

    import cyjwt

    seen = observe(action, cyjwt)
    assert ADDRESS.sub("", repr(seen)) == ADDRESS.sub("", repr(observe(action, pyjwt)))
    return seen


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", [(k, normalise(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [normalise(v) for v in value])
    return (type(value).__name__, value)


#: Methods that only the general path runs (the one-call paths of both
#: cores read, verify and sign without them), as "module.function".
GENERAL_PATH = frozenset(
    {
        "api_jws.decode_complete",
        "api_jws._load",
        "api_jws._verify_signature",
        "api_jws.encode",
        "api_jwt._encode_payload",
        "api_jwt._decode_payload",
    }
)


def python_calls(func: Callable[[], Any]) -> tuple[Any, set[str]]:
    """*func*'s result and the Python functions it ran, as "module.function"."""
    import os
    import sys

    seen: set[str] = set()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            module = os.path.splitext(os.path.basename(frame.f_code.co_filename))[0]
            seen.add(f"{module}.{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        result = func()
    finally:
        sys.setprofile(None)
    return result, seen
