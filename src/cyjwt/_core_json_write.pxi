# JSON writing: json.dumps(obj, separators=(",", ":")) for plain dicts,
# lists, tuples, str, int, float, bool and None.  Anything else (a
# subclass, a non-str key, deep nesting, a cycle) makes it give up and
# json.dumps does the whole document, errors included.  Included by
# _core_c.pyx; the pure twin (json_dumps in _core_py.py) is json.dumps.


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


cdef inline int _put_char(_Buf *b, char c) except -1:
    if b.size >= b.cap:
        _reserve(b, 1)
    b.data[b.size] = c
    b.size += 1
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


# 1 for the bytes json.dumps writes as they are in an ASCII string.
cdef uint8_t _JSON_AS_IS[256]


cdef void _init_json_as_is() noexcept:
    cdef int c
    for c in range(256):
        _JSON_AS_IS[c] = 32 <= c < 127 and c != 34 and c != 92


_init_json_as_is()


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
            if not _JSON_AS_IS[ascii[i]]:
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


# Object keys written before, as '"key":', by the key object: claims sets
# use the same few names over and over.  A slot holds a reference to its
# key, so a hit by address is that very (immutable) string.  Written and
# read under the GIL; the free-threaded build writes every key afresh.
DEF WRITTEN_KEY_SLOTS = 64
DEF MAX_WRITTEN_KEY = 22
cdef struct _WrittenKey:
    PyObject *key
    uint8_t size
    char text[MAX_WRITTEN_KEY + 3]
cdef _WrittenKey _WRITTEN_KEYS[WRITTEN_KEY_SLOTS]


cdef int _write_key(_Buf *b, str key) except -1:
    """'"key":' for an object key."""
    cdef _WrittenKey *slot = &_WRITTEN_KEYS[(<size_t><PyObject *>key >> 4) % WRITTEN_KEY_SLOTS]
    cdef Py_ssize_t start
    if not CYJWT_FREE_THREADED and slot.key == <PyObject *>key:
        return _put(b, slot.text, slot.size)
    start = b.size
    _write_str(b, key)
    _put_char(b, b':')
    if CYJWT_FREE_THREADED or b.size - start > MAX_WRITTEN_KEY + 3:
        return 0
    Py_INCREF(key)
    Py_XDECREF(slot.key)
    slot.key = <PyObject *>key
    slot.size = <uint8_t>(b.size - start)
    memcpy(slot.text, b.data + start, b.size - start)
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
        return _write_dict(b, <dict>obj, depth, False)
    if t is list or t is tuple:
        _put_char(b, b'[')
        n = len(obj)
        for i in range(n):
            if i:
                _put_char(b, b',')
            if _write(b, obj[i], depth + 1):
                return 1
        return _put_char(b, b']')
    return 1


cdef int _write_dict(_Buf *b, dict obj, int depth, bint claims) except -1:
    """Append *obj*; 1 means "give up".  For a claims set (*claims*), also
    give up on an ``iss`` that is not a str: PyJWT.encode refuses it."""
    cdef bint first = True
    _put_char(b, b'{')
    for key, value in obj.items():
        if type(key) is not str:
            return 1
        if claims and type(value) is not str and _is_iss(<str>key):
            return 1
        if not first:
            _put_char(b, b',')
        first = False
        _write_key(b, <str>key)
        if _write(b, value, depth + 1):
            return 1
    return _put_char(b, b'}')


cdef inline bint _is_iss(str key) noexcept:
    cdef const char *k
    if PyUnicode_GET_LENGTH(key) != 3 or not PyUnicode_IS_ASCII(key):
        return False
    k = <const char *>PyUnicode_DATA(key)
    return k[0] == b'i' and k[1] == b's' and k[2] == b's'


cdef bytes _dumps_or_none(object obj, bint claims=False):
    """Compact JSON of *obj*, or None where json.dumps must write it.  For a
    claims set (*claims*: a dict), None also for an ``iss`` that is not a
    str; a datetime, which PyJWT.encode converts first, is not written
    either."""
    cdef _Buf b
    cdef int gave_up
    b.data = NULL
    b.size = 0
    b.cap = 0
    try:
        if claims:
            gave_up = _write_dict(&b, <dict>obj, 0, True)
        else:
            gave_up = _write(&b, obj, 0)
        if gave_up:
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
