"""What the core's one-call path is given, and when a call may take it.

The fast path (``_core.jwt_decode``, ``jwt_encode``, ``jws_header``)
reproduces the general path of :class:`~cyjwt.PyJWT` and
:class:`~cyjwt.PyJWS` for plain calls.  Anything a caller changed must
still be seen: a subclass or a patched class that overrides a method the
general path runs (``_decode_payload``, ``_validate_claims``, ``_load``
...), a method replaced on an instance (``mock.patch.object``), a patched
or subclassed algorithm.  So:

* :func:`eligible` says whether a class behaves exactly as the one it
  stands for, comparing every method the general path runs with the
  original taken at import.  The core remembers each answer together with
  the class's version (CPython changes it whenever an attribute of the
  class or of a base is set or deleted), so a patch made at any time is
  seen on the next call, for the price of one integer comparison.
* An instance qualifies only when its ``__dict__`` holds just the
  attributes its class's ``__init__`` sets (counted here, once): any
  method set on the instance adds one.

:class:`CoreWiring` is everything the core is handed, in one place.
"""

from __future__ import annotations

import json
from calendar import timegm
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, NamedTuple

from . import _core, algorithms, api_jws, api_jwt
from ._algorithms_hmac import CORE_HASH_NAMES
from .algorithms import HMACAlgorithm
from .api_jwk import PyJWK

#: PyJWT methods the general decode/encode path runs: a class whose
#: attribute differs from the original for any of them keeps the general path.
JWT_METHODS = (
    "encode",
    "decode",
    "decode_complete",
    "_encode_payload",
    "_decode_payload",
    "_merge_options",
    "_validate_claims",
    "_validate_required_claims",
    "_validate_sub",
    "_validate_jti",
    "_validate_iat",
    "_validate_nbf",
    "_validate_exp",
    "_validate_aud",
    "_validate_iss",
)
#: PyJWT methods the decode/encode path never runs (construction only).
JWT_NOT_ON_PATH = ("__init__", "_get_default_options", "_get_sig_options")

#: The same for PyJWS (``header_typ`` is the class attribute encode reads).
JWS_METHODS = (
    "encode",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "get_algorithm_by_name",
    "_decode_base64url_segment",
    "_load",
    "_verify_signature",
    "_validate_headers",
    "_validate_kid",
    "_validate_crit",
    "header_typ",
    "_supported_crit",
)
JWS_NOT_ON_PATH = (
    "__init__",
    "_get_default_options",
    "register_algorithm",
    "unregister_algorithm",
    "get_algorithms",
)

#: The private attributes the core reads, and why.  ``tests/test_wiring.py``
#: checks that each exists.
CORE_READS = {
    "PyJWT.options": "the instance's merged default options (PyJWT._merge_options)",
    "PyJWT._jws": "the PyJWS the instance signs and verifies with",
    "PyJWS._algorithms": "the algorithm objects registered by name",
    "PyJWS.header_typ": "the typ header encode writes",
    "HMACAlgorithm.hash_alg": "the hashlib constructor, mapped to the core's SHA-2",
    "api_jwt.datetime": "replaced by freezegun: such calls keep the general path",
    "api_jwt.json": "the general path's JSON (patched: such calls keep the general path)",
    "api_jws.json": "likewise, for headers",
}

#: The hashes the core computes itself, by hashlib constructor.
HASH_NAMES: Mapping[Callable[..., Any], str] = CORE_HASH_NAMES

_ASYMMETRIC_CLASSES: tuple[type, ...] = api_jws._CACHEABLE_ALGORITHMS
_JSON_LOADS = json.loads
_JSON_DUMPS = json.dumps


_MISSING = object()


def _defined(cls: type, name: str) -> Any:
    """*name* as the class dicts along *cls*'s MRO hold it (no descriptor
    binding: a classmethod would be a new object on every getattr)."""
    for klass in cls.__mro__:
        namespace = vars(klass)
        if name in namespace:
            return namespace[name]
    return _MISSING


def _snapshot(cls: type, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _defined(cls, name) for name in names}


def _snapshot_all(cls: type) -> dict[str, Any]:
    """Every attribute *cls* and its bases define (but object's)."""
    names = {name for klass in cls.__mro__[:-1] for name in vars(klass)}
    return _snapshot(cls, tuple(names))


# The originals, taken before any caller can patch them.
_ORIGINALS: dict[type, dict[str, Any]] = {
    api_jwt.PyJWT: _snapshot(api_jwt.PyJWT, JWT_METHODS),
    api_jws.PyJWS: _snapshot(api_jws.PyJWS, JWS_METHODS),
    HMACAlgorithm: _snapshot_all(HMACAlgorithm),
}
for _cls in _ASYMMETRIC_CLASSES:
    _ORIGINALS[_cls] = _snapshot_all(_cls)


def _unchanged(cls: type, originals: dict[str, Any]) -> bool:
    return all(_defined(cls, name) is value for name, value in originals.items())


def eligible(cls: type) -> bool:
    """True when *cls* behaves exactly as the class it stands for."""
    if issubclass(cls, api_jwt.PyJWT):
        return _unchanged(cls, _ORIGINALS[api_jwt.PyJWT])
    if issubclass(cls, api_jws.PyJWS):
        return _unchanged(cls, _ORIGINALS[api_jws.PyJWS])
    originals = _ORIGINALS.get(cls)  # algorithms: the built-in classes only
    return originals is not None and _unchanged(cls, originals)


def _attribute_count(obj: object) -> int:
    return len(vars(obj))


class CoreWiring(NamedTuple):
    """Everything the core is handed by :func:`setup`, once, at import."""

    #: Keys of this class bring their own algorithm: the general path's.
    pyjwk_class: type
    #: The built-in HMAC algorithm, computed by the core itself.
    hmac_class: type
    #: Attributes an HMACAlgorithm instance has after __init__.
    hmac_attrs: int
    #: The built-in asymmetric algorithms -> their instances' attribute count.
    asymmetric_attrs: Mapping[type, int]
    #: hashlib constructor -> the core's SHA-2 name.
    hash_names: Mapping[Callable[..., Any], str]
    #: api_jws._prepare_key: loads (and keeps) asymmetric keys.
    prepare_key: Callable[[Any, Any], Any]
    #: vars(api_jwt): its ``datetime`` replaced means freezegun is active.
    api_jwt_namespace: dict[str, Any]
    #: vars(api_jws), and vars(json) with json.loads and json.dumps as they
    #: were at import: the general path reads and writes JSON through them,
    #: so a patched one (``mock.patch("jwt.api_jwt.json.loads")``) must run.
    api_jws_namespace: dict[str, Any]
    json_namespace: dict[str, Any]
    json_loads: Callable[..., Any]
    json_dumps: Callable[..., Any]
    datetime_class: type
    timedelta_class: type
    timegm: Callable[[Any], int]
    #: Whether a class may take the fast path (:func:`eligible`).
    eligible: Callable[[type], bool]
    #: encode's "no algorithm given" marker.
    algorithm_unset: object
    #: Attributes PyJWT and PyJWS instances have after __init__.
    jwt_attrs: int
    jws_attrs: int
    #: The classes the fast path stands in for.
    jwt_class: type
    jws_class: type


def _asymmetric_attrs() -> dict[type, int]:
    counts: dict[type, int] = {}
    for alg_obj in algorithms.get_default_algorithms().values():
        if type(alg_obj) in _ASYMMETRIC_CLASSES:
            counts[type(alg_obj)] = max(counts.get(type(alg_obj), 0), _attribute_count(alg_obj))
    return counts


def wiring() -> CoreWiring:
    """The wiring of this process's classes and hooks."""
    return CoreWiring(
        pyjwk_class=PyJWK,
        hmac_class=HMACAlgorithm,
        hmac_attrs=_attribute_count(HMACAlgorithm(HMACAlgorithm.SHA256)),
        asymmetric_attrs=_asymmetric_attrs(),
        hash_names=HASH_NAMES,
        prepare_key=api_jws._prepare_key,
        api_jwt_namespace=vars(api_jwt),
        api_jws_namespace=vars(api_jws),
        json_namespace=vars(json),
        json_loads=_JSON_LOADS,
        json_dumps=_JSON_DUMPS,
        datetime_class=datetime,
        timedelta_class=timedelta,
        timegm=timegm,
        eligible=eligible,
        algorithm_unset=api_jws._ALGORITHM_UNSET,
        jwt_attrs=_attribute_count(api_jwt.PyJWT()),
        jws_attrs=_attribute_count(api_jws.PyJWS()),
        jwt_class=api_jwt.PyJWT,
        jws_class=api_jws.PyJWS,
    )


def setup() -> None:
    """Hand the core its wiring; run once at import."""
    _core.fast_setup(wiring())
