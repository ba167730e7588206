# Compiled core of cyjwt: base64url, token splitting, HMAC-SHA2 over
# OpenSSL's libcrypto, a compact JSON reader and writer, and the one-call
# HS* encode/decode.  Its pure-Python twin is _core_py.py; both must give
# the same results and raise the same exceptions.  Cython directives are
# set in setup.py, in one place.

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_SetItem
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_FromDouble
from cpython.list cimport PyList_Append
from cpython.long cimport PyLong_AsDouble, PyLong_AsLongLongAndOverflow, PyLong_FromLongLong
from cpython.object cimport Py_GT, Py_LE, PyObject, PyObject_RichCompareBool
from cpython.sequence cimport PySequence_Contains
from cpython.tuple cimport PyTuple_GET_ITEM
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport uint8_t
from libc.stdlib cimport free, malloc
from libc.math cimport isinf, isnan
from libc.string cimport memcmp, memcpy

import json
from sys import intern as _intern
import time

cdef extern from *:
    """
    /* Borrowed dict lookup without PyDict_GetItem's error save/restore.
       Every key looked up through it is a str, whose hash cannot fail. */
    static PyObject *cyjwt_dict_get(PyObject *d, PyObject *key) {
        return PyDict_GetItemWithError(d, key);
    }
    """
    PyObject *PyDict_GetItem "cyjwt_dict_get"(object d, object key) except? NULL

cdef extern from *:
    """
    #ifdef Py_GIL_DISABLED
    #define CYJWT_FREE_THREADED 1
    #else
    #define CYJWT_FREE_THREADED 0
    #endif
    """
    # On a free-threaded build a module global may be replaced while another
    # thread reads it; the last-header cache is then left out.
    bint CYJWT_FREE_THREADED

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    const char *PyUnicode_AsUTF8AndSize(object o, Py_ssize_t *size) except NULL
    object PyUnicode_FromStringAndSize(const char *s, Py_ssize_t size)
    double PyOS_string_to_double(
        const char *s, char **endptr, PyObject *overflow_exception
    ) except? -1.0
    object PyLong_FromString(const char *s, char **pend, int base)
    str PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void Py_INCREF(object o)
    char *PyOS_double_to_string(
        double val, char format_code, int precision, int flags, int *type
    ) except NULL
    void PyMem_Free(void *p)
    int Py_DTSF_ADD_DOT_0
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    int PyUnicode_KIND(object o)
    void *PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index)

cdef extern from "openssl/crypto.h" nogil:
    int CRYPTO_memcmp(const void *a, const void *b, size_t n)
    const char *OpenSSL_version(int t)
    int OPENSSL_VERSION_CONST "OPENSSL_VERSION"

cdef extern from "openssl/sha.h" nogil:
    ctypedef struct SHA256_CTX:
        pass
    ctypedef struct SHA512_CTX:
        pass
    int SHA256_Init(SHA256_CTX *c)
    int SHA256_Update(SHA256_CTX *c, const void *data, size_t n)
    int SHA256_Final(unsigned char *md, SHA256_CTX *c)
    int SHA384_Init(SHA512_CTX *c)
    int SHA384_Update(SHA512_CTX *c, const void *data, size_t n)
    int SHA384_Final(unsigned char *md, SHA512_CTX *c)
    int SHA512_Init(SHA512_CTX *c)
    int SHA512_Update(SHA512_CTX *c, const void *data, size_t n)
    int SHA512_Final(unsigned char *md, SHA512_CTX *c)
    unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md)
    unsigned char *SHA384(const unsigned char *d, size_t n, unsigned char *md)
    unsigned char *SHA512(const unsigned char *d, size_t n, unsigned char *md)

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

IMPLEMENTATION = "cython"
OPENSSL_VERSION = OpenSSL_version(OPENSSL_VERSION_CONST).decode("ascii")

# -------------------------------------------------------------------------
# base64url

cdef const char *_B64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
cdef signed char _B64_VALUE[256]


cdef void _init_b64_table() noexcept:
    cdef int i
    for i in range(256):
        _B64_VALUE[i] = -1
    for i in range(64):
        _B64_VALUE[<uint8_t>_B64_CHARS[i]] = i


_init_b64_table()


cdef inline Py_ssize_t _b64_encoded_len(Py_ssize_t n) noexcept:
    return (n // 3) * 4 + ((n % 3) * 4 + 2) // 3


cdef Py_ssize_t _b64_encode_into(const uint8_t *src, Py_ssize_t n, char *out) noexcept nogil:
    cdef Py_ssize_t i = 0, o = 0
    cdef unsigned int v
    while i + 3 <= n:
        v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2]
        out[o] = _B64_CHARS[(v >> 18) & 63]
        out[o + 1] = _B64_CHARS[(v >> 12) & 63]
        out[o + 2] = _B64_CHARS[(v >> 6) & 63]
        out[o + 3] = _B64_CHARS[v & 63]
        i += 3
        o += 4
    if n - i == 1:
        v = src[i] << 16
        out[o] = _B64_CHARS[(v >> 18) & 63]
        out[o + 1] = _B64_CHARS[(v >> 12) & 63]
        o += 2
    elif n - i == 2:
        v = (src[i] << 16) | (src[i + 1] << 8)
        out[o] = _B64_CHARS[(v >> 18) & 63]
        out[o + 1] = _B64_CHARS[(v >> 12) & 63]
        out[o + 2] = _B64_CHARS[(v >> 6) & 63]
        o += 3
    return o


cdef Py_ssize_t _b64_decode_strict(const uint8_t *src, Py_ssize_t n, uint8_t *out) noexcept nogil:
    """Decode *n* characters of canonical unpadded base64url; -1 if not canonical."""
    cdef Py_ssize_t i = 0, o = 0, rem = n % 4
    cdef int a, b, c, d
    if rem == 1:
        return -1
    while i + 4 <= n:
        a = _B64_VALUE[src[i]]
        b = _B64_VALUE[src[i + 1]]
        c = _B64_VALUE[src[i + 2]]
        d = _B64_VALUE[src[i + 3]]
        if (a | b | c | d) < 0:
            return -1
        out[o] = <uint8_t>((a << 2) | (b >> 4))
        out[o + 1] = <uint8_t>(((b & 15) << 4) | (c >> 2))
        out[o + 2] = <uint8_t>(((c & 3) << 6) | d)
        i += 4
        o += 3
    if rem == 2:
        a = _B64_VALUE[src[i]]
        b = _B64_VALUE[src[i + 1]]
        if (a | b) < 0 or (b & 15):
            return -1
        out[o] = <uint8_t>((a << 2) | (b >> 4))
        o += 1
    elif rem == 3:
        a = _B64_VALUE[src[i]]
        b = _B64_VALUE[src[i + 1]]
        c = _B64_VALUE[src[i + 2]]
        if (a | b | c) < 0 or (c & 3):
            return -1
        out[o] = <uint8_t>((a << 2) | (b >> 4))
        out[o + 1] = <uint8_t>(((b & 15) << 4) | (c >> 2))
        o += 2
    return o


cdef Py_ssize_t _unpadded_len(const uint8_t *src, Py_ssize_t n) noexcept nogil:
    """Length without the one or two '=' that may close the last group; -1 if bad."""
    cdef Py_ssize_t stripped = n
    while stripped > 0 and src[stripped - 1] == b'=':
        stripped -= 1
    if stripped == n:
        return n
    if n - stripped > 2 or n % 4:
        return -1
    return stripped


cdef bytes _decode_segment(const uint8_t *src, Py_ssize_t n, str name):
    cdef Py_ssize_t size = _unpadded_len(src, n)
    cdef bytes result
    cdef Py_ssize_t written
    if size < 0 or size % 4 == 1:
        raise DecodeError(f"Invalid {name} padding")
    result = PyBytes_FromStringAndSize(NULL, (size // 4) * 3 + ((size % 4) * 3) // 4)
    written = _b64_decode_strict(src, size, <uint8_t *>PyBytes_AS_STRING(result))
    if written < 0:
        raise DecodeError(f"Invalid {name} padding")
    return result


def b64url_encode(data):
    """base64url without padding."""
    cdef const uint8_t[::1] view = data
    cdef Py_ssize_t n = view.shape[0]
    cdef bytes out = PyBytes_FromStringAndSize(NULL, _b64_encoded_len(n))
    if n:
        _b64_encode_into(&view[0], n, PyBytes_AS_STRING(out))
    return out


def b64url_decode_segment(segment, str name):
    """Strictly decode one token segment (see the pure twin for the rules)."""
    _require_bytes(segment, "segment")
    return _decode_segment(
        <const uint8_t *>PyBytes_AS_STRING(segment), PyBytes_GET_SIZE(segment), name
    )


cdef inline Py_ssize_t _find_first_dot(const char *s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if s[i] == b'.':
            return i
    return -1


cdef inline Py_ssize_t _find_last_dot(const char *s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i = n - 1
    while i >= 0:
        if s[i] == b'.':
            return i
        i -= 1
    return -1


cdef inline int _require_bytes(object value, str what) except -1:
    """bytes or a subclass of it (whose buffer is read directly)."""
    if not isinstance(value, bytes):
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
    return 0


cdef _not_enough_segments():
    """PyJWT's error, chained to (and raised while handling) an unpacking ValueError."""
    try:
        raise ValueError("not enough values to unpack (expected 2, got 1)")
    except ValueError as err:
        raise DecodeError("Not enough segments") from err


cdef _missing_alg():
    """PyJWT looks ``alg`` up and turns the KeyError into this (context kept)."""
    try:
        raise KeyError("alg")
    except KeyError:
        raise InvalidAlgorithmError("Algorithm not specified") from None


def split_token(token):
    """Split a compact JWS into (signing input, header, payload, signature)."""
    _require_bytes(token, "token")
    cdef const char *s = PyBytes_AS_STRING(token)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(token)
    cdef Py_ssize_t last = _find_last_dot(s, n)
    cdef Py_ssize_t first = _find_first_dot(s, last) if last >= 0 else -1
    if first < 0:
        _not_enough_segments()
    return (
        s[:last],
        s[:first],
        s[first + 1:last],
        s[last + 1:n],
    )


# -------------------------------------------------------------------------
# HMAC-SHA2 with the key's inner and outer pads hashed once

DEF SHA256_ID = 0
DEF SHA384_ID = 1
DEF SHA512_ID = 2
# Messages longer than this are hashed without the GIL.
DEF NOGIL_THRESHOLD = 16384

cdef dict _HASH_IDS = {"SHA256": SHA256_ID, "SHA384": SHA384_ID, "SHA512": SHA512_ID}
cdef Py_ssize_t _DIGEST_SIZE[3]
_DIGEST_SIZE[:] = [32, 48, 64]


cdef class _HmacKey:
    """Precomputed HMAC state for one key and hash; immutable once built."""

    cdef int hash_id
    cdef SHA256_CTX inner256
    cdef SHA256_CTX outer256
    cdef SHA512_CTX inner512
    cdef SHA512_CTX outer512
    # The key-length warning for this key and hash, or None.
    cdef object length_message

    cdef void _setup(self, int hash_id, const uint8_t *key, Py_ssize_t key_len) noexcept nogil:
        cdef uint8_t block[128]
        cdef uint8_t pad[128]
        cdef Py_ssize_t block_size = 64 if hash_id == SHA256_ID else 128
        cdef Py_ssize_t i
        self.hash_id = hash_id
        for i in range(128):
            block[i] = 0
        if key_len > block_size:
            if hash_id == SHA256_ID:
                SHA256(key, key_len, block)
            elif hash_id == SHA384_ID:
                SHA384(key, key_len, block)
            else:
                SHA512(key, key_len, block)
        else:
            memcpy(block, key, key_len)
        for i in range(block_size):
            pad[i] = block[i] ^ 0x36
        if hash_id == SHA256_ID:
            SHA256_Init(&self.inner256)
            SHA256_Update(&self.inner256, pad, block_size)
        elif hash_id == SHA384_ID:
            SHA384_Init(&self.inner512)
            SHA384_Update(&self.inner512, pad, block_size)
        else:
            SHA512_Init(&self.inner512)
            SHA512_Update(&self.inner512, pad, block_size)
        for i in range(block_size):
            pad[i] = block[i] ^ 0x5c
        if hash_id == SHA256_ID:
            SHA256_Init(&self.outer256)
            SHA256_Update(&self.outer256, pad, block_size)
        elif hash_id == SHA384_ID:
            SHA384_Init(&self.outer512)
            SHA384_Update(&self.outer512, pad, block_size)
        else:
            SHA512_Init(&self.outer512)
            SHA512_Update(&self.outer512, pad, block_size)

    cdef Py_ssize_t digest(self, const void *msg, Py_ssize_t n, uint8_t *out) noexcept nogil:
        cdef SHA256_CTX c256
        cdef SHA512_CTX c512
        cdef uint8_t inner[64]
        if self.hash_id == SHA256_ID:
            c256 = self.inner256
            SHA256_Update(&c256, msg, n)
            SHA256_Final(inner, &c256)
            c256 = self.outer256
            SHA256_Update(&c256, inner, 32)
            SHA256_Final(out, &c256)
            return 32
        c512 = self.inner512
        if self.hash_id == SHA384_ID:
            SHA384_Update(&c512, msg, n)
            SHA384_Final(inner, &c512)
            c512 = self.outer512
            SHA384_Update(&c512, inner, 48)
            SHA384_Final(out, &c512)
            return 48
        SHA512_Update(&c512, msg, n)
        SHA512_Final(inner, &c512)
        c512 = self.outer512
        SHA512_Update(&c512, inner, 64)
        SHA512_Final(out, &c512)
        return 64


cdef _HmacKey _new_hmac_key(int hash_id, object key):
    cdef _HmacKey state = _HmacKey.__new__(_HmacKey)
    state._setup(hash_id, <const uint8_t *>PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key))
    return state


cdef Py_ssize_t _mac(_HmacKey state, const char *msg, Py_ssize_t n, uint8_t *out):
    cdef Py_ssize_t size
    if n > NOGIL_THRESHOLD:
        with nogil:
            size = state.digest(msg, n, out)
        return size
    return state.digest(msg, n, out)


cdef int _hash_id(str hash_name) except -1:
    found = _HASH_IDS.get(hash_name)
    if found is None:
        raise KeyError(hash_name)
    return found


def hmac_sign(str hash_name, key, msg):
    """HMAC of *msg* under *key* with ``SHA256``, ``SHA384`` or ``SHA512``."""
    _require_bytes(key, "key")
    _require_bytes(msg, "msg")
    cdef uint8_t out[64]
    cdef _HmacKey state = _new_hmac_key(_hash_id(hash_name), key)
    cdef Py_ssize_t size = _mac(state, PyBytes_AS_STRING(msg), PyBytes_GET_SIZE(msg), out)
    return PyBytes_FromStringAndSize(<char *>out, size)


def hmac_verify(str hash_name, key, msg, sig):
    """Constant-time check that *sig* is the HMAC of *msg* under *key*."""
    _require_bytes(key, "key")
    _require_bytes(msg, "msg")
    _require_bytes(sig, "sig")
    cdef uint8_t out[64]
    cdef _HmacKey state = _new_hmac_key(_hash_id(hash_name), key)
    cdef Py_ssize_t size = _mac(state, PyBytes_AS_STRING(msg), PyBytes_GET_SIZE(msg), out)
    if PyBytes_GET_SIZE(sig) != size:
        return False
    return CRYPTO_memcmp(PyBytes_AS_STRING(sig), out, size) == 0


# -------------------------------------------------------------------------
# JSON reading: a strict subset of json.loads.  Whatever the subset does
# not cover (escaped surrogates, NaN, huge numbers, deep nesting, invalid
# UTF-8, a BOM ...) makes it give up, and json.loads reads the document
# instead, so values and error messages are always json.loads' own.

DEF MAX_DEPTH = 64
DEF MAX_INT_DIGITS = 18


cdef struct _Reader:
    const uint8_t *s
    Py_ssize_t n
    Py_ssize_t i
    bint failed


cdef inline void _skip_ws(_Reader *r) noexcept:
    cdef uint8_t c
    while r.i < r.n:
        c = r.s[r.i]
        if c == 32 or c == 9 or c == 10 or c == 13:
            r.i += 1
        else:
            return


cdef inline int _hex4(const uint8_t *p) noexcept:
    cdef int v = 0, k, d
    cdef uint8_t c
    for k in range(4):
        c = p[k]
        if 48 <= c <= 57:
            d = c - 48
        elif 97 <= c <= 102:
            d = c - 87
        elif 65 <= c <= 70:
            d = c - 55
        else:
            return -1
        v = (v << 4) | d
    return v


cdef inline str _ascii_str(const uint8_t *p, Py_ssize_t n):
    cdef str text = PyUnicode_New(n, 127)
    memcpy(PyUnicode_DATA(text), p, n)
    return text


# Object keys seen before, reused so that building the dict neither
# allocates nor hashes them again.  A slot is filled once and never
# replaced, so a reader never sees a string being freed (safe without
# the GIL too); a key that collides is simply built afresh.
DEF KEY_SLOTS = 512
DEF MAX_CACHED_KEY = 24
cdef PyObject *_KEY_TABLE[KEY_SLOTS]


cdef str _object_key(const uint8_t *p, Py_ssize_t n):
    cdef unsigned int h = 2166136261u
    cdef Py_ssize_t k
    cdef PyObject *slot
    cdef str key
    if n > MAX_CACHED_KEY:
        return _ascii_str(p, n)
    for k in range(n):
        h = (h ^ p[k]) * 16777619u
    h = (h ^ <unsigned int>n) % KEY_SLOTS
    slot = _KEY_TABLE[h]
    if slot != NULL:
        if (PyUnicode_GET_LENGTH(<object>slot) == n
                and memcmp(PyUnicode_DATA(<object>slot), p, n) == 0):
            return <str>slot
        return _ascii_str(p, n)
    # Interned, so that looking up a claim by a literal name ("exp")
    # matches by identity.
    key = _intern(_ascii_str(p, n))
    Py_INCREF(key)
    _KEY_TABLE[h] = <PyObject *>key
    return key


cdef object _read_key(_Reader *r):
    """An object key: like _read_string, with plain ASCII keys cached."""
    cdef Py_ssize_t start = r.i + 1
    cdef Py_ssize_t j = start
    cdef uint8_t c
    while j < r.n:
        c = r.s[j]
        if c == 34:
            r.i = j + 1
            return _object_key(r.s + start, j - start)
        if c == 92 or c < 32 or c >= 128:
            return _read_string(r)
        j += 1
    return None


cdef object _read_string(_Reader *r):
    """Read a string whose opening quote is at r.i; None on giving up."""
    cdef Py_ssize_t start = r.i + 1
    cdef Py_ssize_t j = start
    cdef bint ascii_only = True
    cdef bint escaped = False
    cdef uint8_t c
    while j < r.n:
        c = r.s[j]
        if c == 34:
            break
        if c == 92:
            escaped = True
            j += 2
            continue
        if c < 32:
            return None
        if c >= 128:
            ascii_only = False
        j += 1
    if j >= r.n:
        return None
    r.i = j + 1
    if not escaped:
        if ascii_only:
            return _ascii_str(r.s + start, j - start)
        try:
            return PyUnicode_DecodeUTF8(<const char *>r.s + start, j - start, NULL)
        except UnicodeDecodeError:
            return None
    return _unescape(r.s + start, j - start)


cdef object _unescape(const uint8_t *p, Py_ssize_t n):
    cdef bytearray out = bytearray()
    cdef Py_ssize_t k = 0, run = 0
    cdef uint8_t c
    cdef int cp
    while k < n:
        c = p[k]
        if c != 92:
            k += 1
            continue
        out += (<const char *>p)[run:k]
        if k + 1 >= n:
            return None
        c = p[k + 1]
        if c == 34 or c == 92 or c == 47:
            out.append(c)
        elif c == 98:
            out.append(8)
        elif c == 102:
            out.append(12)
        elif c == 110:
            out.append(10)
        elif c == 114:
            out.append(13)
        elif c == 116:
            out.append(9)
        elif c == 117:
            if k + 6 > n:
                return None
            cp = _hex4(p + k + 2)
            if cp < 0 or 0xD800 <= cp <= 0xDFFF:
                return None
            out += chr(cp).encode("utf-8")
            k += 6
            run = k
            continue
        else:
            return None
        k += 2
        run = k
    out += (<const char *>p)[run:n]
    try:
        return PyUnicode_DecodeUTF8(out, len(out), NULL)
    except UnicodeDecodeError:
        return None


cdef object _read_number(_Reader *r):
    cdef Py_ssize_t start = r.i
    cdef Py_ssize_t j = start
    cdef bint is_float = False
    cdef char buf[64]
    cdef long long v = 0
    cdef Py_ssize_t digits
    if j < r.n and r.s[j] == 45:
        j += 1
    if j >= r.n:
        return None
    if r.s[j] == 48:
        j += 1
    elif 49 <= r.s[j] <= 57:
        while j < r.n and 48 <= r.s[j] <= 57:
            j += 1
    else:
        return None
    digits = j - start
    if j < r.n and r.s[j] == 46:
        is_float = True
        j += 1
        if j >= r.n or not (48 <= r.s[j] <= 57):
            return None
        while j < r.n and 48 <= r.s[j] <= 57:
            j += 1
    if j < r.n and (r.s[j] == 101 or r.s[j] == 69):
        is_float = True
        j += 1
        if j < r.n and (r.s[j] == 43 or r.s[j] == 45):
            j += 1
        if j >= r.n or not (48 <= r.s[j] <= 57):
            return None
        while j < r.n and 48 <= r.s[j] <= 57:
            j += 1
    r.i = j
    if is_float:
        if j - start >= 63:
            return None
        memcpy(buf, r.s + start, j - start)
        buf[j - start] = 0
        return PyFloat_FromDouble(PyOS_string_to_double(buf, NULL, NULL))
    if digits > MAX_INT_DIGITS:
        return None
    j = start + (1 if r.s[start] == 45 else 0)
    while j < r.i:
        v = v * 10 + (r.s[j] - 48)
        j += 1
    return PyLong_FromLongLong(-v if r.s[start] == 45 else v)


cdef inline bint _literal_at(_Reader *r, const char *word, Py_ssize_t n) noexcept:
    """Whether *word* (n bytes) stands at the reader's position; consume it if so."""
    if r.n - r.i < n or memcmp(r.s + r.i, word, n) != 0:
        return False
    r.i += n
    return True


cdef inline object _fail(_Reader *r):
    r.failed = True
    return None


cdef object _read_value(_Reader *r, int depth):
    cdef uint8_t c
    cdef dict obj
    cdef list arr
    _skip_ws(r)
    if r.i >= r.n:
        return _fail(r)
    c = r.s[r.i]
    if c == 34:
        value = _read_string(r)
        if value is None:
            r.failed = True
        return value
    if c == 123:
        if depth >= MAX_DEPTH:
            return _fail(r)
        r.i += 1
        obj = {}
        _skip_ws(r)
        if r.i < r.n and r.s[r.i] == 125:
            r.i += 1
            return obj
        while True:
            _skip_ws(r)
            if r.i >= r.n or r.s[r.i] != 34:
                return _fail(r)
            key = _read_key(r)
            if key is None:
                return _fail(r)
            _skip_ws(r)
            if r.i >= r.n or r.s[r.i] != 58:
                return _fail(r)
            r.i += 1
            value = _read_value(r, depth + 1)
            if r.failed:
                return _fail(r)
            PyDict_SetItem(obj, key, value)
            _skip_ws(r)
            if r.i >= r.n:
                return _fail(r)
            c = r.s[r.i]
            r.i += 1
            if c == 125:
                return obj
            if c != 44:
                return _fail(r)
    if c == 91:
        if depth >= MAX_DEPTH:
            return _fail(r)
        r.i += 1
        arr = []
        _skip_ws(r)
        if r.i < r.n and r.s[r.i] == 93:
            r.i += 1
            return arr
        while True:
            value = _read_value(r, depth + 1)
            if r.failed:
                return _fail(r)
            PyList_Append(arr, value)
            _skip_ws(r)
            if r.i >= r.n:
                return _fail(r)
            c = r.s[r.i]
            r.i += 1
            if c == 93:
                return arr
            if c != 44:
                return _fail(r)
    if c == 116 and _literal_at(r, b"true", 4):
        return True
    if c == 102 and _literal_at(r, b"false", 5):
        return False
    if c == 110 and _literal_at(r, b"null", 4):
        return None  # JSON null: not a failure
    if c == 45 or 48 <= c <= 57:
        value = _read_number(r)
        if value is None:
            r.failed = True
        return value
    return _fail(r)


cdef object _loads(const uint8_t *s, Py_ssize_t n):
    """Parse a JSON document; raises _GiveUp when json.loads must decide."""
    cdef _Reader r
    r.s = s
    r.n = n
    r.i = 0
    r.failed = False
    value = _read_value(&r, 0)
    if not r.failed:
        _skip_ws(&r)
        if r.i == r.n:
            return value
    raise _GiveUp


class _GiveUp(Exception):
    """The compact reader declines; json.loads reads the document instead."""


def json_loads(data):
    """``json.loads(data)`` for bytes, faster on the documents tokens carry."""
    _require_bytes(data, "data")
    try:
        return _loads(<const uint8_t *>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    except _GiveUp:
        pass
    return json.loads(data)


# -------------------------------------------------------------------------
# JSON writing: json.dumps(obj, separators=(",", ":")) for plain dicts,
# lists, tuples, str, int, float, bool and None.  Anything else (a
# subclass, a non-str key, deep nesting, a cycle) makes it give up and
# json.dumps does the whole document, errors included.


cdef struct _Buf:
    char *data
    Py_ssize_t size
    Py_ssize_t cap


cdef int _reserve(_Buf *b, Py_ssize_t extra) except -1:
    cdef Py_ssize_t want = b.size + extra
    cdef Py_ssize_t cap
    cdef char *grown
    if want <= b.cap:
        return 0
    cap = b.cap * 2 if b.cap else 256
    while cap < want:
        cap *= 2
    grown = <char *>malloc(cap)
    if grown == NULL:
        raise MemoryError()
    if b.size:
        memcpy(grown, b.data, b.size)
    free(b.data)
    b.data = grown
    b.cap = cap
    return 0


cdef inline int _put(_Buf *b, const char *s, Py_ssize_t n) except -1:
    _reserve(b, n)
    memcpy(b.data + b.size, s, n)
    b.size += n
    return 0


cdef const char *_HEX = b"0123456789abcdef"


# json.dumps' two-character escapes for control characters (\b \t \n \f \r);
# 0 where it writes \u00XX instead.
cdef char _SHORT_ESCAPE[32]
_SHORT_ESCAPE[:] = [0] * 32
_SHORT_ESCAPE[8] = b'b'
_SHORT_ESCAPE[9] = b't'
_SHORT_ESCAPE[10] = b'n'
_SHORT_ESCAPE[12] = b'f'
_SHORT_ESCAPE[13] = b'r'


cdef inline void _put_u_escape(_Buf *b, unsigned int c) noexcept:
    b.data[b.size] = b'\\'
    b.data[b.size + 1] = b'u'
    b.data[b.size + 2] = _HEX[(c >> 12) & 15]
    b.data[b.size + 3] = _HEX[(c >> 8) & 15]
    b.data[b.size + 4] = _HEX[(c >> 4) & 15]
    b.data[b.size + 5] = _HEX[c & 15]
    b.size += 6


cdef int _write_str(_Buf *b, str s) except -1:
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef const uint8_t *ascii
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    cdef unsigned int hi, lo
    if PyUnicode_IS_ASCII(s):
        # Most strings need no escaping at all: copy them whole.
        ascii = <const uint8_t *>data
        for i in range(n):
            if ascii[i] < 32 or ascii[i] == 34 or ascii[i] == 92 or ascii[i] == 127:
                break
        else:
            _reserve(b, n + 2)
            b.data[b.size] = b'"'
            memcpy(b.data + b.size + 1, ascii, n)
            b.data[b.size + 1 + n] = b'"'
            b.size += n + 2
            return 0
    # Worst case: 12 bytes for each character (a surrogate pair), two quotes.
    _reserve(b, 12 * n + 2)
    b.data[b.size] = b'"'
    b.size += 1
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if 32 <= c < 127:
            if c == 34 or c == 92:
                b.data[b.size] = b'\\'
                b.size += 1
            b.data[b.size] = <char>c
            b.size += 1
        elif c < 32 and _SHORT_ESCAPE[c]:
            b.data[b.size] = b'\\'
            b.data[b.size + 1] = _SHORT_ESCAPE[c]
            b.size += 2
        elif c >= 0x10000:
            hi = <unsigned int>c - 0x10000
            lo = 0xDC00 | (hi & 0x3FF)
            hi = 0xD800 | ((hi >> 10) & 0x3FF)
            _put_u_escape(b, hi)
            _put_u_escape(b, lo)
        else:
            _put_u_escape(b, <unsigned int>c)
    b.data[b.size] = b'"'
    b.size += 1
    return 0


cdef int _write_float(_Buf *b, double d) except -1:
    cdef char *text
    cdef bytes repr_
    if isnan(d):
        return _put(b, "NaN", 3)
    if isinf(d):
        return _put(b, "Infinity", 8) if d > 0 else _put(b, "-Infinity", 9)
    text = PyOS_double_to_string(d, b'r', 0, Py_DTSF_ADD_DOT_0, NULL)
    try:
        repr_ = text
        _put(b, repr_, len(repr_))
    finally:
        PyMem_Free(text)
    return 0


cdef int _write(_Buf *b, object obj, int depth) except -1:
    """Append *obj* as compact JSON; 1 means "give up", 0 success."""
    cdef type t = type(obj)
    cdef long long v
    cdef int overflow
    cdef bytes text
    cdef bint first
    cdef Py_ssize_t i, n
    if t is str:
        return _write_str(b, <str>obj)
    if t is int:
        v = PyLong_AsLongLongAndOverflow(obj, &overflow)
        if overflow:
            text = str(obj).encode("ascii")
            return _put(b, text, len(text))
        return _put_ll(b, v)
    if obj is None:
        return _put(b, "null", 4)
    if obj is True:
        return _put(b, "true", 4)
    if obj is False:
        return _put(b, "false", 5)
    if t is float:
        return _write_float(b, PyFloat_AS_DOUBLE(obj))
    if depth >= MAX_DEPTH:
        return 1
    if t is dict:
        _put(b, "{", 1)
        first = True
        for key, value in (<dict>obj).items():
            if type(key) is not str:
                return 1
            if not first:
                _put(b, ",", 1)
            first = False
            _write_str(b, <str>key)
            _put(b, ":", 1)
            if _write(b, value, depth + 1):
                return 1
        return _put(b, "}", 1)
    if t is list or t is tuple:
        _put(b, "[", 1)
        n = len(obj)
        for i in range(n):
            if i:
                _put(b, ",", 1)
            if _write(b, obj[i], depth + 1):
                return 1
        return _put(b, "]", 1)
    return 1


cdef int _put_ll(_Buf *b, long long v) except -1:
    cdef char digits[24]
    cdef int k = 24
    cdef bint negative = v < 0
    # -(v + 1) + 1 stays in range for the most negative value too.
    cdef unsigned long long u = <unsigned long long>v
    if negative:
        u = <unsigned long long>(-(v + 1)) + 1
    while True:
        k -= 1
        digits[k] = <char>(48 + u % 10)
        u //= 10
        if u == 0:
            break
    if negative:
        k -= 1
        digits[k] = b'-'
    return _put(b, digits + k, 24 - k)


cdef bytes _dumps_or_none(object obj):
    cdef _Buf b
    b.data = NULL
    b.size = 0
    b.cap = 0
    try:
        if _write(&b, obj, 0):
            return None
        return PyBytes_FromStringAndSize(b.data, b.size)
    finally:
        free(b.data)


cdef bytes _json_dumps(object obj):
    cdef bytes out = _dumps_or_none(obj)
    if out is None:
        out = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return out


def json_dumps(obj):
    """``json.dumps(obj, separators=(",", ":")).encode()``, faster on plain data."""
    return _json_dumps(obj)


# -------------------------------------------------------------------------
# The one-call HS* encode and decode.  jwt_decode / jwt_encode return None
# when a call is not theirs to take (see _fastpath.py); the caller then
# runs the general path, which gives the same result more slowly.

cdef object _PyJWK = None
cdef object _HMACAlgorithm = None
# The built-in asymmetric Algorithm classes, and api_jws._prepare_key
# (which keeps keys loaded from PEM text).
cdef tuple _ASYMMETRIC = ()
cdef object _PREPARE_KEY = None
cdef dict _HASH_BY_FUNC = {}
cdef dict _API_JWT_GLOBALS = None
cdef object _REAL_DATETIME = None
cdef object _TIMEDELTA = None
cdef object _ELIGIBLE = None
cdef object _UNSET = None
cdef object _TIMEGM = None
cdef object _TIME_NS = time.time_ns
cdef dict _TYPE_OK = {}
cdef list _KEY_CACHES = [{}, {}, {}]
# Bound on the number of cached keys per hash; past it the cache restarts.
DEF KEY_CACHE_SIZE = 256
DEF TYPE_CACHE_SIZE = 256
cdef dict _HEADER_SEGMENTS_SORTED = {}
cdef dict _HEADER_SEGMENTS_UNSORTED = {}


def fast_setup(pyjwk_cls, hmac_cls, dict hash_by_func, tuple asymmetric_classes,
               prepare_key, dict api_jwt_globals, real_datetime, timedelta_cls, eligible,
               unset, timegm):
    """Hand the core the classes and hooks the fast path checks against."""
    global _PyJWK, _HMACAlgorithm, _HASH_BY_FUNC, _API_JWT_GLOBALS, _REAL_DATETIME
    global _TIMEDELTA, _ELIGIBLE, _UNSET, _TIMEGM, _ASYMMETRIC, _PREPARE_KEY
    _PyJWK = pyjwk_cls
    _HMACAlgorithm = hmac_cls
    _ASYMMETRIC = asymmetric_classes
    _PREPARE_KEY = prepare_key
    _HASH_BY_FUNC = {func: _HASH_IDS[name] for func, name in hash_by_func.items()}
    _API_JWT_GLOBALS = api_jwt_globals
    _REAL_DATETIME = real_datetime
    _TIMEDELTA = timedelta_cls
    _ELIGIBLE = eligible
    _UNSET = unset
    _TIMEGM = timegm
    _TYPE_OK.clear()
    for cache in _KEY_CACHES:
        cache.clear()
    _HEADER_SEGMENTS_SORTED.clear()
    _HEADER_SEGMENTS_UNSORTED.clear()


cdef bytes _header_segment(str alg, bint sort_keys, object extra):
    """The header segment for *alg* plus *extra* (a tuple of str pairs, or None).

    Kept per algorithm and extra headers: a service signs with the same
    ``kid`` over and over.  Built exactly as PyJWS.encode builds it.
    """
    cdef dict kept = _HEADER_SEGMENTS_SORTED if sort_keys else _HEADER_SEGMENTS_UNSORTED
    slot = alg if extra is None else (alg, extra)
    cdef PyObject *found = PyDict_GetItem(kept, slot)
    if found != NULL:
        return <bytes>found
    header = {"typ": "JWT", "alg": alg}
    if extra is not None:
        header.update(extra)
    text = json.dumps(header, separators=(",", ":"), sort_keys=sort_keys)
    segment = b64url_encode(text.encode())
    if _make_room(kept, 256):
        kept[slot] = segment
    return segment


cdef object _plain_extra_headers(object headers):
    """*headers* as a tuple of (str, str) pairs when the core can sign with
    them; None for no headers; False to send the call to the general path
    (values other than str, or keys that change the algorithm, typ or
    payload encoding)."""
    if headers is None:
        return None
    if type(headers) is not dict:
        return False
    if not headers:
        return None
    for name, value in (<dict>headers).items():
        if type(name) is not str or type(value) is not str:
            return False
        if name == "alg" or name == "typ" or name == "b64" or name == "crit":
            return False
    return tuple((<dict>headers).items())


cdef inline bint _make_room(dict cache, Py_ssize_t size) except -1:
    """Whether one more entry may go into *cache*, emptying it when full.

    The hot path reads these caches through borrowed references.  With the
    GIL nothing can run between such a read and its use; on a free-threaded
    build another thread could, so there a full cache is left as it is and
    the new entry is simply not kept.
    """
    if len(cache) < size:
        return True
    if CYJWT_FREE_THREADED:
        return False
    cache.clear()
    return True


def clear_caches():
    """Forget cached keys and class checks (tests; after patching a class).

    Not to be called while other threads decode on a free-threaded build.
    """
    _TYPE_OK.clear()
    for cache in _KEY_CACHES:
        cache.clear()


cdef bint _type_ok(type t) except -1:
    cdef PyObject *found_ptr
    found_ptr = PyDict_GetItem(_TYPE_OK, t)
    found = None if found_ptr == NULL else <object>found_ptr
    if found is None:
        found = bool(_ELIGIBLE(t))
        if _make_room(_TYPE_OK, TYPE_CACHE_SIZE):
            _TYPE_OK[t] = found
    return found is True


cdef _HmacKey _key_state(object alg_obj, int hash_id, object key):
    """The HMAC state of *key*, after the algorithm's own key checks."""
    cdef dict cache = <dict>_KEY_CACHES[hash_id]
    cdef _HmacKey state
    cdef PyObject *found_ptr
    found_ptr = PyDict_GetItem(cache, key)
    if found_ptr != NULL:
        return <_HmacKey>found_ptr
    prepared = alg_obj.prepare_key(key)  # raises what the general path raises
    message = alg_obj.check_key_length(prepared)
    state = _new_hmac_key(hash_id, prepared)
    state.length_message = message
    if _make_room(cache, KEY_CACHE_SIZE):
        cache[key] = state
    return state


cdef object _time_claim(dict payload, str claim, object error, str description):
    """int(payload[claim]) as PyJWT takes it; None when the claim is absent."""
    cdef PyObject *found = PyDict_GetItem(payload, claim)
    if found == NULL:
        return None
    value = <object>found
    if type(value) is int:
        return value
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        # Raised inside the handler, so __context__ is set as in PyJWT.
        raise error(f"{description} must be an integer.") from None


cdef bint _int_gt(object number, double bound) except -1:
    """number > bound, exactly as Python compares an int with a float."""
    cdef int overflow
    cdef long long v = PyLong_AsLongLongAndOverflow(number, &overflow)
    if not overflow and -9007199254740992LL <= v <= 9007199254740992LL:
        return <double>v > bound
    return PyObject_RichCompareBool(number, PyFloat_FromDouble(bound), Py_GT)


cdef bint _int_le(object number, double bound) except -1:
    """number <= bound, exactly as Python compares an int with a float (NaN too)."""
    cdef int overflow
    cdef long long v = PyLong_AsLongLongAndOverflow(number, &overflow)
    if not overflow and -9007199254740992LL <= v <= 9007199254740992LL:
        return <double>v <= bound
    return PyObject_RichCompareBool(number, PyFloat_FromDouble(bound), Py_LE)


cdef bint _is_plain_container(object value) noexcept:
    cdef type t = type(value)
    return t is list or t is tuple or t is set or t is frozenset


cdef bint _audience_matches(object claimed, object audience) except -1:
    """Whether any expected audience is among those the token claims."""
    if type(claimed) is str:
        if type(audience) is str:
            return claimed == audience
        for aud in audience:
            if claimed is aud or claimed == aud:
                return True
        return False
    if type(claimed) is not list:
        raise InvalidAudienceError("Invalid claim format in token")
    for item in <list>claimed:
        if type(item) is not str:
            raise InvalidAudienceError("Invalid claim format in token")
    if type(audience) is str:
        return PySequence_Contains(claimed, audience)
    for aud in audience:
        if PySequence_Contains(claimed, aud):
            return True
    return False


cdef int _check_claims(dict payload, object require, bint verify_iat, bint verify_nbf,
                       bint verify_exp, bint verify_iss, bint verify_aud, bint verify_sub,
                       bint verify_jti, double leeway, object audience, object issuer,
                       object subject) except -1:
    cdef double now
    cdef PyObject *found
    if require:
        for claim in require:
            if payload.get(claim) is None:
                raise MissingRequiredClaimError(claim)

    # datetime.now(tz=timezone.utc).timestamp(): microseconds, floored.
    # time.time_ns is called (not the C clock) so that time-machine, which
    # patches that function in place, is seen; freezegun patches datetime,
    # which sends the call to the general path.
    now = <double>(<long long>_TIME_NS() // 1000) / 1e6

    if verify_iat:
        iat = _time_claim(payload, "iat", InvalidIssuedAtError, "Issued At claim (iat)")
        if iat is not None and _int_gt(iat, now + leeway):
            raise ImmatureSignatureError("The token is not yet valid (iat)")
    if verify_nbf:
        nbf = _time_claim(payload, "nbf", DecodeError, "Not Before claim (nbf)")
        if nbf is not None and _int_gt(nbf, now + leeway):
            raise ImmatureSignatureError("The token is not yet valid (nbf)")
    if verify_exp:
        exp = _time_claim(payload, "exp", DecodeError, "Expiration Time claim (exp)")
        if exp is not None and _int_le(exp, now - leeway):
            raise ExpiredSignatureError("Signature has expired")

    if verify_iss and issuer is not None:
        found = PyDict_GetItem(payload, "iss")
        if found == NULL:
            raise MissingRequiredClaimError("iss")
        iss = <object>found
        if type(iss) is not str:
            raise InvalidIssuerError("Payload Issuer (iss) must be a string")
        if type(issuer) is str:
            if iss != issuer:
                raise InvalidIssuerError("Invalid issuer")
        else:
            try:
                matched = iss in issuer
            except TypeError:
                raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None
            if not matched:
                raise InvalidIssuerError("Invalid issuer")

    if verify_aud:
        found = PyDict_GetItem(payload, "aud")
        if audience is None:
            if found != NULL and <object>found:
                raise InvalidAudienceError("Invalid audience")
        elif found == NULL or not <object>found:
            raise MissingRequiredClaimError("aud")
        elif not _audience_matches(<object>found, audience):
            raise InvalidAudienceError("Audience doesn't match")

    if verify_sub:
        found = PyDict_GetItem(payload, "sub")
        if found != NULL:
            if type(<object>found) is not str:
                raise InvalidSubjectError("Subject must be a string")
            if subject is not None and <object>found != subject:
                raise InvalidSubjectError("Invalid subject")

    if verify_jti:
        found = PyDict_GetItem(payload, "jti")
        if found != NULL and type(<object>found) is not str:
            raise InvalidJTIError("JWT ID must be a string")
    return 0


cdef object _merged_options(object own, object given):
    """The options PyJWT._merge_options gives for a verified decode, or None.

    None sends the call to the general path: options that are not plain
    dicts, or that turn signature verification off.
    """
    cdef PyObject *found
    if type(own) is not dict:
        return None
    if given is None:
        return own
    if type(given) is not dict:
        return None
    found = PyDict_GetItem(given, "verify_signature")
    if found != NULL and not <object>found:
        return None
    merged = (<dict>own).copy()
    merged.update(<dict>given)
    return merged


cdef inline bint _truthy_option(dict options, str name, bint *ok):
    value = PyDict_GetItem(options, name)
    if value == NULL:
        ok[0] = False
        return False
    return bool(<object>value)


cdef object _token_header(object token, const char **s_out, Py_ssize_t *n_out,
                          Py_ssize_t *first_out, Py_ssize_t *last_out, bint *from_cache):
    """Split *token* and read its header: the first steps of PyJWS._load.

    Returns the header dict (raising what _load raises on the way), or None
    when the token is not the core's to read (not bytes or an ASCII str) or
    its header asks for the general path (``b64``, ``crit``).
    """
    cdef const char *s
    cdef Py_ssize_t n, first, last
    if type(token) is bytes:
        s = PyBytes_AS_STRING(token)
        n = PyBytes_GET_SIZE(token)
    elif type(token) is str and PyUnicode_IS_ASCII(token):
        s = PyUnicode_AsUTF8AndSize(token, &n)
    else:
        return None
    last = _find_last_dot(s, n)
    first = _find_first_dot(s, last) if last >= 0 else -1
    if first < 0:
        _not_enough_segments()
    header = _cached_header(s, first)
    from_cache[0] = header is not None
    if header is None:
        header = _segment_json(<const uint8_t *>s, first, "header")
        if type(header) is not dict:
            raise DecodeError("Invalid header string: must be a json object")
        _remember_header(s, first, <dict>header)
    if PyDict_GetItem(header, "b64") != NULL or PyDict_GetItem(header, "crit") != NULL:
        return None
    s_out[0] = s
    n_out[0] = n
    first_out[0] = first
    last_out[0] = last
    return header


def jwt_decode(self, token, key, algorithms, options, audience, issuer, subject, leeway,
               bint complete):
    """PyJWT.decode / decode_complete in one call; None: not ours."""
    cdef const char *s
    cdef Py_ssize_t n, first, last
    cdef double lw
    cdef bint ok = True
    cdef bint verify_iat, verify_nbf, verify_exp, verify_iss, verify_aud, verify_sub, verify_jti
    cdef bint from_cache = False
    cdef type tk = type(key)
    cdef type ta = type(algorithms)
    cdef _Segment payload_seg, sig_seg

    # Everything that can send the call back to the general path is
    # decided before anything observable (a warning, an error) happens.
    if not _type_ok(type(self)):
        return None
    if PyDict_GetItem(_API_JWT_GLOBALS, "datetime") != <PyObject *>_REAL_DATETIME:
        return None  # datetime is patched (freezegun): let the general path see it
    if tk is not str and tk is not bytes and (tk is _PyJWK or isinstance(key, _PyJWK)):
        return None
    if (ta is not list and ta is not tuple) or not algorithms:
        return None
    if audience is not None and type(audience) is not str and not _is_plain_container(audience):
        return None
    if issuer is not None and type(issuer) is not str and not _is_plain_container(issuer):
        return None
    if subject is not None and type(subject) is not str:
        return None
    if type(leeway) is int:
        if not -(1 << 53) <= leeway <= (1 << 53):
            return None  # too large for a double: let the general path raise where PyJWT does
        lw = PyLong_AsDouble(leeway)
    elif type(leeway) is float:
        lw = PyFloat_AS_DOUBLE(leeway)
    elif type(leeway) is _TIMEDELTA:
        lw = leeway.total_seconds()
    else:
        return None
    jws = self._jws
    if not _type_ok(type(jws)):
        return None
    options = _merged_options(self.options, options)
    if options is None:
        return None
    require = (<dict>options).get("require", None)
    if type(require) is not list and type(require) is not tuple:
        return None
    verify_iat = _truthy_option(options, "verify_iat", &ok)
    verify_nbf = _truthy_option(options, "verify_nbf", &ok)
    verify_exp = _truthy_option(options, "verify_exp", &ok)
    verify_iss = _truthy_option(options, "verify_iss", &ok)
    verify_aud = _truthy_option(options, "verify_aud", &ok)
    verify_sub = _truthy_option(options, "verify_sub", &ok)
    verify_jti = _truthy_option(options, "verify_jti", &ok)
    if not ok or (verify_aud and (<dict>options).get("strict_aud", False)):
        return None

    header = _token_header(token, &s, &n, &first, &last, &from_cache)
    if header is None:
        return None

    # The payload is decoded now (its padding errors come first) but read
    # as JSON only once the signature holds; the signature is decoded into
    # a buffer of its own.
    _segment_init(&payload_seg)
    _segment_init(&sig_seg)
    try:
        return _decode_verified(
            self, jws, s, n, first, last, header, from_cache, algorithms, key, complete,
            &payload_seg, &sig_seg, require, verify_iat, verify_nbf, verify_exp, verify_iss,
            verify_aud, verify_sub, verify_jti, lw, audience, issuer, subject,
        )
    finally:
        _segment_free(&payload_seg)
        _segment_free(&sig_seg)


cdef object _decode_verified(
    object self, object jws, const char *s, Py_ssize_t n, Py_ssize_t first, Py_ssize_t last,
    dict header, bint from_cache, object algorithms, object key, bint complete,
    _Segment *payload_seg, _Segment *sig_seg, object require, bint verify_iat,
    bint verify_nbf, bint verify_exp, bint verify_iss, bint verify_aud, bint verify_sub,
    bint verify_jti, double lw, object audience, object issuer, object subject,
):
    cdef PyObject *found_ptr
    cdef int hash_id = 0
    cdef _HmacKey state
    cdef uint8_t mac[64]
    cdef Py_ssize_t size
    _segment_fill(payload_seg, <const uint8_t *>s + first + 1, last - first - 1, "payload")
    _segment_fill(sig_seg, <const uint8_t *>s + last + 1, n - last - 1, "crypto")
    found_ptr = PyDict_GetItem(header, "kid")
    if found_ptr != NULL and type(<object>found_ptr) is not str:
        raise InvalidTokenError("Key ID header parameter must be a string")

    found_ptr = PyDict_GetItem(header, "alg")
    if found_ptr == NULL:
        _missing_alg()
    alg = <object>found_ptr
    if not alg or not PySequence_Contains(algorithms, alg):
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    if type(alg) is not str:
        return None
    registry = jws._algorithms
    if type(registry) is not dict:
        return None
    # An owned reference: the registry belongs to the caller's objects.
    alg_obj = (<dict>registry).get(alg)
    if alg_obj is None:
        return None
    if type(alg_obj) is _HMACAlgorithm:
        if type(key) is not str and type(key) is not bytes:
            return None
        found_ptr = PyDict_GetItem(_HASH_BY_FUNC, alg_obj.hash_alg)
        if found_ptr == NULL:
            return None
        hash_id = <object>found_ptr
        state = _key_state(alg_obj, hash_id, key)
        if state.length_message is not None:
            return None  # the general path warns, from the frames PyJWT warns from
        size = _mac(state, s, last, mac)
        if sig_seg.size != size or CRYPTO_memcmp(sig_seg.data, mac, size) != 0:
            raise InvalidSignatureError("Signature verification failed")
    elif type(alg_obj) in _ASYMMETRIC:
        prepared = _PREPARE_KEY(alg_obj, key)
        if alg_obj.check_key_length(prepared) is not None:
            return None  # the general path warns, from the frames PyJWT warns from
        if not alg_obj.verify(
            PyBytes_FromStringAndSize(s, last),
            prepared,
            PyBytes_FromStringAndSize(<char *>sig_seg.data, sig_seg.size),
        ):
            raise InvalidSignatureError("Signature verification failed")
    else:
        return None

    payload = _segment_to_json(payload_seg, "payload")
    if type(payload) is not dict:
        raise DecodeError("Invalid payload string: must be a json object")
    _check_claims(payload, require, verify_iat, verify_nbf, verify_exp, verify_iss,
                  verify_aud, verify_sub, verify_jti, lw, audience, issuer, subject)
    if complete:
        if from_cache:
            header = (<dict>header).copy()  # the cached one stays private
        return {
            "payload": payload,
            "header": header,
            "signature": PyBytes_FromStringAndSize(<char *>sig_seg.data, sig_seg.size),
        }
    return payload


# Nearly every token a service sees carries the same header segment.  The
# last one read is kept, with its parsed value, so that the next token
# with the same segment skips decoding and parsing it.  Only headers whose
# values are all immutable are kept; the kept dict is never handed out.
DEF MAX_CACHED_HEADER = 256
cdef object _LAST_HEADER = None


cdef object _cached_header(const char *s, Py_ssize_t n):
    if CYJWT_FREE_THREADED:
        return None
    entry = _LAST_HEADER  # one read: another thread may replace it
    if entry is None:
        return None
    segment = <bytes>PyTuple_GET_ITEM(entry, 0)
    if PyBytes_GET_SIZE(segment) != n or memcmp(PyBytes_AS_STRING(segment), s, n) != 0:
        return None
    return <object>PyTuple_GET_ITEM(entry, 1)


cdef void _remember_header(const char *s, Py_ssize_t n, dict header):
    global _LAST_HEADER
    if CYJWT_FREE_THREADED or n > MAX_CACHED_HEADER:
        return
    for value in header.values():
        if type(value) not in (str, int, float, bool) and value is not None:
            return
    _LAST_HEADER = (PyBytes_FromStringAndSize(s, n), header.copy())


cdef struct _Segment:
    # A strictly decoded segment held in C memory: in `small` when it fits.
    uint8_t *data
    Py_ssize_t size
    uint8_t small[256]


cdef inline void _segment_init(_Segment *seg) noexcept:
    seg.data = seg.small
    seg.size = 0


cdef inline void _segment_free(_Segment *seg) noexcept:
    if seg.data != seg.small:
        free(seg.data)
        seg.data = seg.small


cdef int _segment_fill(_Segment *seg, const uint8_t *src, Py_ssize_t n, str name) except -1:
    cdef Py_ssize_t size = _unpadded_len(src, n)
    cdef Py_ssize_t cap
    if size < 0 or size % 4 == 1:
        raise DecodeError(f"Invalid {name} padding")
    cap = (size // 4) * 3 + 3
    if cap > 256:
        seg.data = <uint8_t *>malloc(cap)
        if seg.data == NULL:
            seg.data = seg.small
            raise MemoryError()
    seg.size = _b64_decode_strict(src, size, seg.data)
    if seg.size < 0:
        raise DecodeError(f"Invalid {name} padding")
    return 0


cdef object _segment_to_json(_Segment *seg, str what):
    try:
        return _loads(seg.data, seg.size)
    except _GiveUp:
        pass
    return _json_loads_or_decode_error(PyBytes_FromStringAndSize(<char *>seg.data, seg.size), what)


cdef object _json_loads_or_decode_error(bytes data, str what):
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as err:
        raise DecodeError(f"Invalid {what} string: {err}") from err


cdef object _segment_json(const uint8_t *src, Py_ssize_t n, str name):
    cdef _Segment seg
    _segment_init(&seg)
    try:
        _segment_fill(&seg, src, n, name)
        return _segment_to_json(&seg, name)
    finally:
        _segment_free(&seg)


cdef tuple _TIME_CLAIMS = ("exp", "iat", "nbf")


def jwt_encode(self, payload, key, algorithm, headers, json_encoder, sort_headers):
    """PyJWT.encode of a plain dict with a built-in algorithm, in one call; None: not ours."""
    cdef type tk = type(key)
    cdef PyObject *found_ptr
    cdef dict claims
    cdef int hash_id = 0
    cdef _HmacKey state = None
    cdef bytes body
    cdef bytes header_segment
    if json_encoder is not None or type(payload) is not dict:
        return None
    extra = _plain_extra_headers(headers)
    if extra is False:
        return None
    if tk is not str and tk is not bytes and (tk is _PyJWK or isinstance(key, _PyJWK)):
        return None
    if algorithm is _UNSET:
        algorithm = "HS256"
    elif type(algorithm) is not str:
        return None
    if not _type_ok(type(self)):
        return None
    jws = self._jws
    if not _type_ok(type(jws)):
        return None
    typ = jws.header_typ
    if type(typ) is not str or typ != "JWT":
        return None
    registry = jws._algorithms
    if type(registry) is not dict:
        return None
    alg_obj = (<dict>registry).get(algorithm)
    if alg_obj is None:
        return None
    if type(alg_obj) is _HMACAlgorithm:
        if tk is not str and tk is not bytes:
            return None
        found_ptr = PyDict_GetItem(_HASH_BY_FUNC, alg_obj.hash_alg)
        if found_ptr == NULL:
            return None
        hash_id = <object>found_ptr
    elif type(alg_obj) not in _ASYMMETRIC:
        return None
    header_segment = _header_segment(algorithm, bool(sort_headers), extra)

    claims = <dict>payload
    copied = False
    for claim in _TIME_CLAIMS:
        found_ptr = PyDict_GetItem(claims, claim)
        if found_ptr == NULL or type(<object>found_ptr) is int:
            continue
        value = <object>found_ptr
        if isinstance(value, _REAL_DATETIME):
            if not copied:
                claims = claims.copy()
                copied = True
            claims[claim] = _TIMEGM(value.utctimetuple())
    found_ptr = PyDict_GetItem(claims, "iss")
    if found_ptr != NULL and not isinstance(<object>found_ptr, str):
        raise TypeError("Issuer (iss) must be a string.")
    body = _json_dumps(claims)

    if type(alg_obj) is _HMACAlgorithm:
        state = _key_state(alg_obj, hash_id, key)
        if state.length_message is not None:
            return None  # the general path warns, from the frames PyJWT warns from
        return _signed_token(header_segment, body, state, None, None)
    prepared = _PREPARE_KEY(alg_obj, key)
    if alg_obj.check_key_length(prepared) is not None:
        return None  # the general path warns, from the frames PyJWT warns from
    return _signed_token(header_segment, body, None, alg_obj, prepared)


cdef str _signed_token(bytes header_segment, bytes body, _HmacKey state, object alg_obj,
                       object prepared):
    """header.payload.signature, signed with *state* or else by *alg_obj*."""
    cdef uint8_t mac[64]
    cdef Py_ssize_t size, pos
    cdef Py_ssize_t hlen = PyBytes_GET_SIZE(header_segment)
    cdef Py_ssize_t plen = _b64_encoded_len(PyBytes_GET_SIZE(body))
    cdef char *out
    if state is None:
        signing_input = header_segment + b"." + b64url_encode(body)
        signature = alg_obj.sign(signing_input, prepared)
        return (signing_input + b"." + b64url_encode(signature)).decode("utf-8")
    out = <char *>malloc(hlen + 1 + plen + 1 + 86)
    if out == NULL:
        raise MemoryError()
    try:
        memcpy(out, PyBytes_AS_STRING(header_segment), hlen)
        out[hlen] = b'.'
        pos = hlen + 1 + _b64_encode_into(
            <const uint8_t *>PyBytes_AS_STRING(body), PyBytes_GET_SIZE(body), out + hlen + 1
        )
        size = _mac(state, out, pos, mac)
        out[pos] = b'.'
        pos += 1
        pos += _b64_encode_into(mac, size, out + pos)
        return _ascii_str(<const uint8_t *>out, pos)
    finally:
        free(out)


def jws_header(self, token):
    """PyJWS.get_unverified_header in one call; None: not ours.

    The payload and signature segments are still checked for strict
    base64url, as the general path does, but nothing else is built.
    """
    cdef const char *s
    cdef Py_ssize_t n, first, last
    cdef _Segment seg
    cdef PyObject *found_ptr
    cdef bint from_cache = False
    if not _type_ok(type(self)):
        return None
    header = _token_header(token, &s, &n, &first, &last, &from_cache)
    if header is None:
        return None
    _segment_init(&seg)
    try:
        _segment_fill(&seg, <const uint8_t *>s + first + 1, last - first - 1, "payload")
        _segment_free(&seg)
        _segment_fill(&seg, <const uint8_t *>s + last + 1, n - last - 1, "crypto")
    finally:
        _segment_free(&seg)
    found_ptr = PyDict_GetItem(header, "kid")
    if found_ptr != NULL and type(<object>found_ptr) is not str:
        raise InvalidTokenError("Key ID header parameter must be a string")
    return (<dict>header).copy() if from_cache else header
