# base64url and token segments: canonical unpadded base64url, the
# split of a compact token at its first and last dots, and segments
# decoded into C buffers for the one-call path.  Included by _core_c.pyx;
# the pure twin is the top of _core_py.py (b64url_*, split_token).

# The alphabet is _texts.BASE64URL_ALPHABET, kept alive by this reference.
cdef bytes _B64_ALPHABET = BASE64URL_ALPHABET
cdef const char *_B64_CHARS = _B64_ALPHABET
cdef signed char _B64_VALUE[256]
# For the four characters of a group, each one's 6 bits already in place in
# the 24-bit result; a character outside the alphabet sets bit 24, so one
# test over the OR of four lookups checks the whole group.
DEF B64_INVALID = 0x1000000
cdef unsigned int _B64_AT_18[256]
cdef unsigned int _B64_AT_12[256]
cdef unsigned int _B64_AT_6[256]
cdef unsigned int _B64_AT_0[256]
# Two output characters per 12 input bits, in memory order: one lookup and
# one two-byte store where the plain table takes two of each.
cdef uint16_t _B64_PAIRS[4096]


cdef void _init_b64_table() noexcept:
    cdef int i
    cdef unsigned int v
    for i in range(256):
        _B64_VALUE[i] = -1
        _B64_AT_18[i] = _B64_AT_12[i] = _B64_AT_6[i] = _B64_AT_0[i] = B64_INVALID
    for i in range(64):
        _B64_VALUE[<uint8_t>_B64_CHARS[i]] = i
        v = <unsigned int>i
        _B64_AT_18[<uint8_t>_B64_CHARS[i]] = v << 18
        _B64_AT_12[<uint8_t>_B64_CHARS[i]] = v << 12
        _B64_AT_6[<uint8_t>_B64_CHARS[i]] = v << 6
        _B64_AT_0[<uint8_t>_B64_CHARS[i]] = v
    for i in range(4096):
        (<char *>&_B64_PAIRS[i])[0] = _B64_CHARS[i >> 6]
        (<char *>&_B64_PAIRS[i])[1] = _B64_CHARS[i & 63]


_init_b64_table()


cdef inline Py_ssize_t _b64_encoded_len(Py_ssize_t n) noexcept:
    return (n // 3) * 4 + ((n % 3) * 4 + 2) // 3


cdef Py_ssize_t _b64_encode_into(const uint8_t *src, Py_ssize_t n, char *out) noexcept nogil:
    cdef Py_ssize_t i = 0, o = 0
    cdef unsigned int v
    cdef uint64_t w
    # Six bytes (48 bits, four pairs) per step while eight can be loaded.
    while i + 8 <= n:
        w = cyjwt_load_be64(src + i)
        memcpy(out + o, &_B64_PAIRS[w >> 52], 2)
        memcpy(out + o + 2, &_B64_PAIRS[(w >> 40) & 4095], 2)
        memcpy(out + o + 4, &_B64_PAIRS[(w >> 28) & 4095], 2)
        memcpy(out + o + 6, &_B64_PAIRS[(w >> 16) & 4095], 2)
        i += 6
        o += 8
    while i + 3 <= n:
        v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2]
        memcpy(out + o, &_B64_PAIRS[v >> 12], 2)
        memcpy(out + o + 2, &_B64_PAIRS[v & 4095], 2)
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
    cdef unsigned int group, group2
    cdef uint64_t six
    # Eight characters (two groups, six bytes) per step, written with one
    # eight-byte store while the output has room for it (*out* holds at
    # least 3 * (n // 4) + 3 bytes: see _segment_fill), then group by group.
    while i + 12 <= n:
        group = (_B64_AT_18[src[i]] | _B64_AT_12[src[i + 1]]
                 | _B64_AT_6[src[i + 2]] | _B64_AT_0[src[i + 3]])
        group2 = (_B64_AT_18[src[i + 4]] | _B64_AT_12[src[i + 5]]
                  | _B64_AT_6[src[i + 6]] | _B64_AT_0[src[i + 7]])
        if (group | group2) & B64_INVALID:
            return -1
        six = ((<uint64_t>group << 40) | (<uint64_t>group2 << 16))
        cyjwt_store_be64(out + o, six)
        i += 8
        o += 6
    while i + 4 <= n:
        group = (_B64_AT_18[src[i]] | _B64_AT_12[src[i + 1]]
                 | _B64_AT_6[src[i + 2]] | _B64_AT_0[src[i + 3]])
        if group & B64_INVALID:
            return -1
        out[o] = <uint8_t>(group >> 16)
        out[o + 1] = <uint8_t>(group >> 8)
        out[o + 2] = <uint8_t>group
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
        raise DecodeError(BAD_PADDING.format(name))
    result = PyBytes_FromStringAndSize(NULL, (size // 4) * 3 + ((size % 4) * 3) // 4)
    written = _b64_decode_strict(src, size, <uint8_t *>PyBytes_AS_STRING(result))
    if written < 0:
        raise DecodeError(BAD_PADDING.format(name))
    return result


def b64url_encode(data):
    """base64url without padding, of bytes or any other bytes-like object.

    Anything but ``bytes`` goes through binascii, which PyJWT's
    base64url_encode uses too, so other buffers and non-buffers (None, a
    str) succeed or fail exactly as they do there.
    """
    cdef Py_ssize_t n
    cdef bytes out
    if type(data) is not bytes:
        return _b2a_base64(data, newline=False).translate(_STD_TO_URL).rstrip(b"=")
    n = PyBytes_GET_SIZE(data)
    out = PyBytes_FromStringAndSize(NULL, _b64_encoded_len(n))
    _b64_encode_into(<const uint8_t *>PyBytes_AS_STRING(data), n, PyBytes_AS_STRING(out))
    return out


def b64url_decode_segment(segment, str name):
    """Strictly decode one token segment (see the pure twin for the rules)."""
    _require_bytes(segment, "segment")
    return _decode_segment(
        <const uint8_t *>PyBytes_AS_STRING(segment), PyBytes_GET_SIZE(segment), name
    )


cdef inline Py_ssize_t _find_first_dot(const char *s, Py_ssize_t n) noexcept nogil:
    cdef const char *dot = <const char *>memchr(s, b'.', n)
    return -1 if dot == NULL else dot - s


cdef inline Py_ssize_t _find_last_dot(const char *s, Py_ssize_t n) noexcept nogil:
    # memchr (vectorised in every libc) forward, dot after dot: a token has
    # two, where a byte-by-byte scan back would walk the whole signature.
    cdef const char *dot = <const char *>memchr(s, b'.', n)
    cdef const char *found = NULL
    while dot != NULL:
        found = dot
        dot = <const char *>memchr(dot + 1, b'.', n - (dot + 1 - s))
    return -1 if found == NULL else found - s


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
        raise DecodeError(NOT_ENOUGH_SEGMENTS) from err


cdef _missing_alg():
    """PyJWT looks ``alg`` up and turns the KeyError into this (context kept)."""
    try:
        raise KeyError("alg")
    except KeyError:
        raise InvalidAlgorithmError(ALG_MISSING) from None


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


cdef struct _Segment:
    # A strictly decoded segment held in C memory: in `small` when it fits.
    uint8_t *data
    Py_ssize_t size
    uint8_t small[1024]


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
        raise DecodeError(BAD_PADDING.format(name))
    cap = (size // 4) * 3 + 3
    if cap > 1024:
        seg.data = <uint8_t *>malloc(cap)
        if seg.data == NULL:
            seg.data = seg.small
            raise MemoryError()
    seg.size = _b64_decode_strict(src, size, seg.data)
    if seg.size < 0:
        raise DecodeError(BAD_PADDING.format(name))
    return 0
