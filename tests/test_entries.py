"""The module-level functions (``jwt.decode``, ``jwt.decode_complete``,
``jwt.encode``, ``jwt.get_unverified_header``): the compiled core binds C
entries in place of PyJWT's bound methods (``_core_entry.pxi``).  Whatever
they take or hand back to the method, a caller sees PyJWT's behaviour:
signature, names, results, errors, warnings and where a warning points."""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

import jwt as pyjwt
import pytest

import cyjwt
from _observe import observe

pytestmark = pytest.mark.usefixtures("active_core")

KEY = "e" * 32
NAMES = ("encode", "decode", "decode_complete", "get_unverified_header")


@pytest.mark.parametrize("name", NAMES)
def test_introspection_is_the_methods(name: str) -> None:
    ours = getattr(cyjwt, name)
    theirs = getattr(pyjwt, name)
    assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters)
    method = getattr(type(ours.__self__), name)
    assert inspect.signature(ours) == inspect.signature(getattr(ours.__self__, name))
    assert ours.__name__ == theirs.__name__ == name
    assert ours.__qualname__ == method.__qualname__ == theirs.__qualname__
    assert ours.__doc__ == method.__doc__
    assert inspect.ismethod(ours)
    assert ours.__self__ is getattr(cyjwt, name).__self__


def _both(call: Callable[[Any], Any]) -> None:
    assert observe(call, cyjwt) == observe(call, pyjwt)


TOKEN = pyjwt.encode({"sub": "x"}, KEY, algorithm="HS256")

CALLS: dict[str, Callable[[Any], Any]] = {
    "decode, no arguments": lambda lib: lib.decode(),
    "decode, only keywords": lambda lib: lib.decode(jwt=TOKEN, key=KEY, algorithms=["HS256"]),
    "decode, key missing": lambda lib: lib.decode(TOKEN, algorithms=["HS256"]),
    "decode, all positional": lambda lib: lib.decode(
        TOKEN, KEY, ["HS256"], None, None, None, None, None, None, 0
    ),
    "decode, unknown keyword": lambda lib: lib.decode(TOKEN, KEY, algorithms=["HS256"], foo=1),
    "decode, verify given": lambda lib: lib.decode(TOKEN, KEY, algorithms=["HS256"], verify=False),
    "decode, detached payload": lambda lib: lib.decode(
        TOKEN, KEY, algorithms=["HS256"], detached_payload=b"x"
    ),
    "decode, keyword named kwargs": lambda lib: lib.decode(
        TOKEN, KEY, algorithms=["HS256"], kwargs=1
    ),
    "decode, keys from a dict": lambda lib: lib.decode(
        **{"jwt": TOKEN, "key": KEY, "algorithms": ["HS256"], "leeway": 3}
    ),
    "decode_complete, no arguments": lambda lib: lib.decode_complete(),
    "decode_complete, issuer before subject": lambda lib: lib.decode_complete(
        TOKEN, KEY, ["HS256"], None, None, None, None, "me", None, 0
    ),
    "decode_complete, unknown keyword": lambda lib: lib.decode_complete(
        TOKEN, KEY, algorithms=["HS256"], bar=2
    ),
    "encode, no arguments": lambda lib: lib.encode(),
    "encode, no key": lambda lib: lib.encode({"a": 1}),
    "encode, keywords": lambda lib: lib.encode(payload={"a": 1}, key=KEY, algorithm="HS384"),
    "encode, algorithm None": lambda lib: lib.encode({"a": 1}, KEY, None),
    "encode, not a dict": lambda lib: lib.encode([1], KEY),
    "encode, dict subclass": lambda lib: lib.encode(type("D", (dict,), {})(a=1), KEY),
    "encode, unknown keyword": lambda lib: lib.encode({"a": 1}, KEY, foo=1),
    "encode, all positional": lambda lib: lib.encode(
        {"a": 1}, KEY, "HS256", {"kid": "k"}, None, False
    ),
    "header, no arguments": lambda lib: lib.get_unverified_header(),
    "header, keyword": lambda lib: lib.get_unverified_header(jwt=TOKEN),
    "header, garbage": lambda lib: lib.get_unverified_header("a.b"),
}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_calls_behave_as_pyjwt(case: str) -> None:
    _both(CALLS[case])


def _warning_site(call: Callable[[], Any]) -> tuple[str, str]:
    """The first warning's category and where it points: "caller" (this
    file) or the library module's file name."""
    import os

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except Exception:
            pass
    assert caught
    where = caught[0].filename
    return caught[0].category.__name__, ("caller" if where == __file__ else os.path.basename(where))


WARNING_CALLS: dict[str, Callable[[Any], Any]] = {
    "decode, unknown keyword": lambda lib: lib.decode(TOKEN, KEY, algorithms=["HS256"], foo=1),
    "decode, verify given": lambda lib: lib.decode(TOKEN, KEY, algorithms=["HS256"], verify=False),
    "decode_complete, unknown keyword": lambda lib: lib.decode_complete(
        TOKEN, KEY, algorithms=["HS256"], foo=1
    ),
    "decode_complete, verify given": lambda lib: lib.decode_complete(
        TOKEN, KEY, algorithms=["HS256"], verify=False
    ),
    "encode, short key": lambda lib: lib.encode({"a": 1}, "short", algorithm="HS256"),
    "decode, short key": lambda lib: lib.decode(
        pyjwt.encode({"a": 1}, "k", algorithm="HS256"), "k", algorithms=["HS256"]
    ),
}


@pytest.mark.parametrize("case", sorted(WARNING_CALLS))
def test_warnings_point_where_pyjwts_do(case: str) -> None:
    """The method warns from its own frame, so a warning points where
    PyJWT's does (the caller, or the library's module), though the entry
    that called the method has no frame of its own."""
    call = WARNING_CALLS[case]
    assert _warning_site(lambda: call(cyjwt)) == _warning_site(lambda: call(pyjwt))
