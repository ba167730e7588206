"""Typed dictionaries for the ``options`` arguments, as in PyJWT 2.15.1."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, TypedDict

__all__ = ["JWKDict", "HashlibHash", "SigOptions", "Options", "FullOptions"]

JWKDict = Dict[str, Any]

HashlibHash = Callable[..., Any]


class SigOptions(TypedDict, total=False):
    """Options understood by :class:`cyjwt.api_jws.PyJWS`."""

    verify_signature: bool
    enforce_minimum_key_length: bool


class Options(TypedDict, total=False):
    """Options for :func:`cyjwt.decode` and :func:`cyjwt.decode_complete`.

    Every ``verify_*`` switch defaults to the value of ``verify_signature``.
    Claims other than ``aud`` and ``iss`` are only checked when present:
    list them in ``require`` to insist on them.
    """

    verify_signature: bool
    require: List[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool


class FullOptions(TypedDict):
    """:class:`Options` with every key present, as held by :class:`cyjwt.PyJWT`."""

    verify_signature: bool
    require: List[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
