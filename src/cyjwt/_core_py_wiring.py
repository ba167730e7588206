"""The pure twin's wiring: what fast_setup is handed, the caches the
one-call path keeps, and whether a call may take it (the compiled twin is
_core_wiring.pxi).  Part of :mod:`cyjwt._core_py`.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any, Optional

from ._core_py_codec import HmacPads


class _Wiring:
    """What fast_setup hands over (a _fastpath.CoreWiring), and the
    built-in classes' attributes as they were then."""

    #: class -> ((class in its MRO, that class's attributes then), ...)
    originals: dict[type, tuple[tuple[type, dict[str, Any]], ...]] = {}


#: The CoreWiring fast_setup was given.
_wiring: Any = None
#: A cached HMAC key: (prepared key, key-length warning or None, its pads;
#: None for a prepared key that is not exactly bytes).
KeyState = tuple[bytes, Optional[str], Optional[HmacPads]]
_KEY_CACHES: dict[tuple[str, type], dict[Any, KeyState]] = {}
_KEY_CACHE_SIZE = 256
_HEADER_SEGMENTS: dict[tuple[Any, bool], bytes] = {}
# More brackets than this, and a document may be too deep for json.loads
# at the depth the core calls it from (see _may_be_deep_json).
_MAX_DEPTH = 64


class _Plain:
    """The common case, checked without a call per class: PyJWT, PyJWS and
    HMACAlgorithm themselves, their class dicts (live: see _live_dict) and
    those dicts' contents at fast_setup, and their instances' attribute
    counts."""

    jwt_class: Any = None
    jws_class: Any = None
    hmac_class: Any = None
    jwt_dict: Any = None
    jws_dict: Any = None
    hmac_dict: Any = None
    jwt_snapshot: dict[str, Any] = {}
    jws_snapshot: dict[str, Any] = {}
    hmac_snapshot: dict[str, Any] = {}
    jwt_attrs = -1
    jws_attrs = -1
    hmac_attrs = -1


def fast_setup(wiring: Any) -> None:
    """Take what the fast path checks against from *wiring* (a CoreWiring)."""
    global _wiring
    _wiring = wiring
    classes = [wiring.hmac_class, *wiring.asymmetric_attrs]
    classes += [wiring.jwt_class, wiring.jws_class]
    # The classes compared are the built-in ones along each MRO, not the
    # abstract Algorithm base (nothing on the path is inherited from it).
    _Wiring.originals = {
        cls: tuple(
            (klass, dict(vars(klass)))
            for klass in cls.__mro__[:-1]
            if klass is cls or klass in classes
        )
        for cls in classes
    }
    for name in ("jwt", "jws", "hmac"):
        cls = getattr(wiring, f"{name}_class")
        setattr(_Plain, f"{name}_class", cls)
        setattr(_Plain, f"{name}_dict", _live_dict(cls))
        setattr(_Plain, f"{name}_snapshot", dict(vars(cls)))
        setattr(_Plain, f"{name}_attrs", getattr(wiring, f"{name}_attrs"))
    clear_caches()
    _HEADER_SEGMENTS.clear()


def _live_dict(cls: type) -> Any:
    """The namespace of *cls* itself, to compare with a snapshot: on CPython
    the dict behind its mappingproxy (its only referent; a dict compares
    with a dict faster than through the proxy; only ever read), elsewhere
    the proxy."""
    proxy = vars(cls)
    if sys.implementation.name == "cpython":
        referents = gc.get_referents(proxy)
        if len(referents) == 1 and type(referents[0]) is dict and referents[0] == proxy:
            return referents[0]
    return proxy


def clear_caches() -> None:
    """Forget cached keys (tests)."""
    _KEY_CACHES.clear()


def _class_ok(cls: type) -> bool:
    """Whether *cls* behaves as at import: for a built-in class, every
    attribute along its MRO compared at once; for a subclass, decided by
    _fastpath.eligible on every call (Python cannot see a class's version)."""
    originals = _Wiring.originals.get(cls)
    if originals is None:
        return bool(_wiring.eligible(cls))
    for klass, attributes in originals:
        if vars(klass) != attributes:
            return False
    return True


def _plain_jwt(jwt_obj: Any) -> bool:
    """A PyJWT whose class, instance and PyJWS behave as PyJWT's do."""
    plain = _Plain
    jws = jwt_obj._jws
    if type(jwt_obj) is plain.jwt_class and type(jws) is plain.jws_class:
        # The common case: each class dict compared whole, in C.
        return (
            plain.jwt_dict == plain.jwt_snapshot
            and plain.jws_dict == plain.jws_snapshot
            and len(jwt_obj.__dict__) == plain.jwt_attrs
            and len(jws.__dict__) == plain.jws_attrs
        )
    if not _class_ok(type(jwt_obj)) or len(vars(jwt_obj)) != plain.jwt_attrs:
        return False
    return _class_ok(type(jws)) and len(vars(jws)) == plain.jws_attrs


def _algorithm_kind(alg_obj: Any) -> int:
    """1: the built-in HMAC algorithm, 2: a built-in asymmetric one, both
    unpatched; 0: the general path's to run."""
    plain = _Plain
    kind = type(alg_obj)
    if kind is plain.hmac_class:
        ok = plain.hmac_dict == plain.hmac_snapshot and len(alg_obj.__dict__) == plain.hmac_attrs
        return 1 if ok else 0
    attrs = _wiring.asymmetric_attrs.get(kind)
    if attrs is None:
        return 0
    return 2 if _class_ok(kind) and len(vars(alg_obj)) == attrs else 0


def _may_be_deep_json(data: bytes) -> bool:
    """Whether *data* could be JSON nested deeper than _MAX_DEPTH.

    json.loads meets its recursion limit at a depth that depends on how
    many frames stand below it, so such documents (and keys) go to the
    general path, whose frames are PyJWT's.
    """
    if data.count(b"{") + data.count(b"[") <= _MAX_DEPTH:
        return False
    return data.lstrip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff")[:1] in (b"{", b"[")


def _deep_json_key(key: Any) -> bool:
    if type(key) is str:
        try:
            key = key.encode("utf-8")
        except UnicodeEncodeError:
            return False  # prepare_key raises it, where PyJWT does
    return _may_be_deep_json(key)


def _key_state(alg_obj: Any, hash_name: str, key: Any) -> Optional[KeyState]:
    """(prepared key, key-length warning or None, its HMAC pads), after the
    algorithm's key checks; None when the general path must load the key."""
    slot = (hash_name, type(key))
    cache = _KEY_CACHES.get(slot)
    if cache is None:
        cache = _KEY_CACHES[slot] = {}
    found = cache.get(key)
    if found is None:
        if _deep_json_key(key):
            return None
        prepared = alg_obj.prepare_key(key)  # raises what the general path raises
        pads = HmacPads(hash_name.lower(), prepared) if type(prepared) is bytes else None
        found = (prepared, alg_obj.check_key_length(prepared), pads)
        if len(cache) >= _KEY_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def _plain_world(decoding: bool) -> bool:
    """Nothing the general path reads from its modules was replaced: the
    ``json`` they use, json.loads (the general path also reads HMAC keys
    with it) and json.dumps, and for a decode ``datetime`` (freezegun);
    else the call is the general path's."""
    wiring = _wiring
    if wiring.api_jwt_namespace.get("json") is not json:
        return False
    if wiring.api_jws_namespace.get("json") is not json:
        return False
    if wiring.json_namespace.get("loads") is not wiring.json_loads:
        return False
    if wiring.json_namespace.get("dumps") is not wiring.json_dumps:
        return False
    return not decoding or wiring.api_jwt_namespace.get("datetime") is wiring.datetime_class
