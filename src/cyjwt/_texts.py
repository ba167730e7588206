"""Texts fixed by the specs and by PyJWT, spelled once for every module.

The base64url alphabet (RFC 4648 section 5), and the wording of every
error the fast path and the general path share: PyJWT callers match on
these texts, so each rule's message is spelled once, here, and used by :mod:`cyjwt.api_jws`, :mod:`cyjwt.api_jwt`, the
compiled core (``_core_*.pxi``) and its pure twin (:mod:`cyjwt._core_py`).
The texts are PyJWT 2.15.1's, character for character.
"""

from __future__ import annotations

from typing import Final

#: RFC 4648 section 5, in value order (index = 6-bit value).
BASE64URL_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Token structure (PyJWS._load and the core's segment readers).
NOT_ENOUGH_SEGMENTS: Final = "Not enough segments"
BAD_PADDING: Final = "Invalid {} padding"  # .format(segment name)
HEADER_NOT_OBJECT: Final = "Invalid header string: must be a json object"
PAYLOAD_NOT_OBJECT: Final = "Invalid payload string: must be a json object"
BAD_JSON: Final = "Invalid {} string: {}"  # .format(segment name, json error)

# Headers and signature (PyJWS._verify_signature, _validate_kid).
KID_NOT_STRING: Final = "Key ID header parameter must be a string"
ALG_MISSING: Final = "Algorithm not specified"
ALG_NOT_ALLOWED: Final = "The specified alg value is not allowed"
ALG_NOT_SUPPORTED: Final = "Algorithm not supported"
SIGNATURE_FAILED: Final = "Signature verification failed"

# Claims (PyJWT._validate_*; the compiled twin is _core_claims.pxi).
IAT_NOT_INT: Final = "Issued At claim (iat) must be an integer."
NBF_NOT_INT: Final = "Not Before claim (nbf) must be an integer."
EXP_NOT_INT: Final = "Expiration Time claim (exp) must be an integer."
IAT_IMMATURE: Final = "The token is not yet valid (iat)"
NBF_IMMATURE: Final = "The token is not yet valid (nbf)"
EXPIRED: Final = "Signature has expired"
ISS_NOT_STRING: Final = "Payload Issuer (iss) must be a string"
ISS_INVALID: Final = "Invalid issuer"
ISS_PARAM_TYPE: Final = 'Issuer param must be "str" or "Container[str]"'
AUD_UNEXPECTED: Final = "Invalid audience"
AUD_FORMAT: Final = "Invalid claim format in token"
AUD_MISMATCH: Final = "Audience doesn't match"
SUB_NOT_STRING: Final = "Subject must be a string"
SUB_INVALID: Final = "Invalid subject"
JTI_NOT_STRING: Final = "JWT ID must be a string"

# Encoding (PyJWT.encode).
ENCODE_ISS_NOT_STRING: Final = "Issuer (iss) must be a string."
