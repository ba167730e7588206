# JSON reading: a strict subset of json.loads.  Whatever the subset does
# not cover (escaped surrogates, NaN, huge numbers, deep nesting, invalid
# UTF-8, a BOM ...) makes it give up, and json.loads reads the document
# instead, so values and error messages are always json.loads' own.
# Included by _core_c.pyx; the pure twin (json_loads in _core_py.py) is
# json.loads itself.

DEF MAX_DEPTH = 64
DEF MAX_INT_DIGITS = 18


class _GiveUp(Exception):
    """The compact reader declines; json.loads reads the document instead."""


# The registered claims _check_claims reads, found while a claims set is
# read (so it needs no lookups afterwards): each top-level value by its
# key, borrowed from the dict just built; NULL for a claim not there.
# ``known`` is set only once the whole document was read here.
DEF CLAIM_IAT = 0
DEF CLAIM_NBF = 1
DEF CLAIM_EXP = 2
DEF CLAIM_ISS = 3
DEF CLAIM_AUD = 4
DEF CLAIM_SUB = 5
DEF CLAIM_JTI = 6
cdef struct _ClaimRefs:
    bint known
    PyObject *value[7]


cdef struct _Reader:
    const uint8_t *s
    Py_ssize_t n
    Py_ssize_t i
    bint failed
    _ClaimRefs *claims  # NULL, or where to note the top level's claims


cdef inline void _note_claim(_ClaimRefs *claims, str key, object value) noexcept:
    """Note *value* if *key* is one of the claims _ClaimRefs holds."""
    cdef const char *k
    cdef int slot = -1
    if PyUnicode_GET_LENGTH(key) != 3 or not PyUnicode_IS_ASCII(key):
        return
    k = <const char *>PyUnicode_DATA(key)
    if k[0] == b'i':
        if k[1] == b'a' and k[2] == b't':
            slot = CLAIM_IAT
        elif k[1] == b's' and k[2] == b's':
            slot = CLAIM_ISS
    elif k[0] == b'e' and k[1] == b'x' and k[2] == b'p':
        slot = CLAIM_EXP
    elif k[0] == b'n' and k[1] == b'b' and k[2] == b'f':
        slot = CLAIM_NBF
    elif k[0] == b'a' and k[1] == b'u' and k[2] == b'd':
        slot = CLAIM_AUD
    elif k[0] == b's' and k[1] == b'u' and k[2] == b'b':
        slot = CLAIM_SUB
    elif k[0] == b'j' and k[1] == b't' and k[2] == b'i':
        slot = CLAIM_JTI
    if slot >= 0:
        claims.value[slot] = <PyObject *>value


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


# What a byte is inside a JSON string: STR_PLAIN (printable ASCII other
# than the quote and the backslash) or anything that needs a closer look.
DEF STR_PLAIN = 0
cdef uint8_t _STRING_BYTE[256]


cdef void _init_string_bytes() noexcept:
    cdef int c
    for c in range(256):
        _STRING_BYTE[c] = STR_PLAIN if 32 <= c < 128 and c != 34 and c != 92 else 1


_init_string_bytes()


cdef object _read_string(_Reader *r):
    """Read a string whose opening quote is at r.i; None on giving up."""
    cdef Py_ssize_t start = r.i + 1
    cdef Py_ssize_t j = start
    cdef bint ascii_only = True
    cdef bint escaped = False
    cdef uint8_t c
    while j < r.n:
        c = r.s[j]
        if _STRING_BYTE[c] == STR_PLAIN:
            j += 1
            continue
        if c == 34:
            break
        if c == 92:
            escaped = True
            j += 2
            continue
        if c < 32:
            return None
        ascii_only = False  # c >= 128
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


cdef object _read_key(_Reader *r):
    """An object key: like _read_string, with plain ASCII keys cached."""
    cdef Py_ssize_t start = r.i + 1
    cdef Py_ssize_t j = start
    cdef uint8_t c
    while j < r.n:
        c = r.s[j]
        if _STRING_BYTE[c] == STR_PLAIN:
            j += 1
        elif c == 34:
            r.i = j + 1
            return _object_key(r.s + start, j - start)
        else:
            return _read_string(r)
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
        # The top level (a claims set) is presized; nested objects are small.
        obj = cyjwt_new_dict(12) if depth == 0 else {}
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
            if depth == 0 and r.claims != NULL:
                _note_claim(r.claims, <str>key, value)
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


cdef object _loads(const uint8_t *s, Py_ssize_t n, _ClaimRefs *claims=NULL):
    """Parse a JSON document; raises _GiveUp when json.loads must decide.
    With *claims*, note a top-level object's registered claims there."""
    cdef _Reader r
    r.s = s
    r.n = n
    r.i = 0
    r.failed = False
    r.claims = claims
    if claims != NULL:
        memset(claims, 0, sizeof(_ClaimRefs))
    value = _read_value(&r, 0)
    if not r.failed:
        _skip_ws(&r)
        if r.i == r.n:
            if claims != NULL:
                claims.known = type(value) is dict
            return value
    if claims != NULL:
        claims.known = False
    raise _GiveUp


def json_loads(data):
    """``json.loads(data)`` for bytes, faster on the documents tokens carry."""
    _require_bytes(data, "data")
    try:
        return _loads(<const uint8_t *>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    except _GiveUp:
        pass
    return json.loads(data)
