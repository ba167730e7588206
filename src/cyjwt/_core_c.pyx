# The compiled core of cyjwt: one extension module over OpenSSL's
# libcrypto, in topic files included below (define before use):
#
#   _core_capi.pxi        C-API pieces Cython does not declare
#   _libcrypto.pxd        the libcrypto functions used (cimported)
#   _core_b64.pxi         base64url, token splitting, decoded segments
#   _core_hmac.pxi        HMAC-SHA2 with per-key precomputed pads
#   _core_json_read.pxi   a compact JSON reader (json.loads' subset)
#   _core_json_write.pxi  a compact JSON writer (json.dumps' subset)
#   _core_wiring.pxi      what the Python layer hands over; caches; eligibility
#   _core_claims.pxi      claim checks and ClaimPolicy
#   _core_asym.pxi        RS*, PS*, ES*, EdDSA sign/verify without Python frames
#   _core_decode.pxi      one-call decode and get_unverified_header
#   _core_encode.pxi      one-call encode
#   _core_entry.pxi       jwt.decode, jwt.encode, ... as C functions
#
# Its pure-Python twin is _core_py.py: same public names, same results,
# same exceptions.  _core.py chooses one; _core_c.pyi types this one.
# Cython directives are set in setup.py, in one place.

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_SetItem
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_FromDouble
from cpython.list cimport PyList_Append, PyList_GET_ITEM
from cpython.long cimport PyLong_AsDouble, PyLong_AsLongLongAndOverflow, PyLong_FromLongLong
from cpython.object cimport Py_GT, Py_LE, PyObject, PyObject_RichCompareBool
from cpython.sequence cimport PySequence_Contains
from cpython.tuple cimport PyTuple_GET_ITEM
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport uint8_t, uint16_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.math cimport isinf, isnan
from libc.string cimport memchr, memcmp, memcpy, memset

from ._libcrypto cimport *

import json
import time
from binascii import b2a_base64 as _b2a_base64
from sys import intern as _intern

from ._sentinels import ALGORITHM_UNSET
from ._texts import (
    ALG_MISSING,
    ALG_NOT_ALLOWED,
    AUD_FORMAT,
    AUD_MISMATCH,
    AUD_UNEXPECTED,
    BAD_JSON,
    BAD_PADDING,
    BASE64URL_ALPHABET,
    ENCODE_ISS_NOT_STRING,
    EXPIRED,
    EXP_NOT_INT,
    HEADER_NOT_OBJECT,
    IAT_IMMATURE,
    IAT_NOT_INT,
    ISS_INVALID,
    ISS_NOT_STRING,
    ISS_PARAM_TYPE,
    JTI_NOT_STRING,
    KID_NOT_STRING,
    NBF_IMMATURE,
    NBF_NOT_INT,
    NOT_ENOUGH_SEGMENTS,
    PAYLOAD_NOT_OBJECT,
    SIGNATURE_FAILED,
    SUB_INVALID,
    SUB_NOT_STRING,
)
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
)

include "_core_capi.pxi"

# The twin's names (tests/test_wiring.py checks that each one exists here
# and that the stub lists the same), plus the OpenSSL version.
from ._core_py import __all__ as _TWIN_NAMES

__all__ = [*_TWIN_NAMES, "OPENSSL_VERSION"]

IMPLEMENTATION = "cython"
OPENSSL_VERSION = OpenSSL_version(OPENSSL_VERSION_CONST).decode("ascii")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")

include "_core_b64.pxi"
include "_core_hmac.pxi"
include "_core_json_read.pxi"
include "_core_json_write.pxi"
include "_core_wiring.pxi"
include "_core_claims.pxi"
include "_core_asym.pxi"
include "_core_decode.pxi"
include "_core_encode.pxi"
include "_core_entry.pxi"
