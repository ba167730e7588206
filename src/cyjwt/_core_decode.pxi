# The one-call decode: PyJWT.decode / decode_complete and
# PyJWS.get_unverified_header for plain calls (HS* with str/bytes keys;
# RS*, PS*, ES*, EdDSA through the Algorithm objects).  Each entry point
# returns None when a call is not its to take (_fastpath.py says which),
# decided before anything observable happens; the caller then runs the
# general path, which gives the same result more slowly.  Included by
# _core_c.pyx; the pure twin is jwt_decode / jws_header in _core_py.py.

# Returned by the segment readers for a document the general path must
# read (see _may_be_deep_json).
cdef object _NOT_OURS = object()


cdef object _json_loads_or_decode_error(bytes data, str what):
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as err:
        raise DecodeError(BAD_JSON.format(what, err)) from err


cdef object _segment_to_json(_Segment *seg, str what, _ClaimRefs *claims=NULL):
    """The segment's JSON value, or _NOT_OURS; with *claims*, its registered
    claims noted there (see _ClaimRefs)."""
    try:
        return _loads(seg.data, seg.size, claims)
    except _GiveUp:
        pass
    if _may_be_deep_json(seg.data, seg.size):
        return _NOT_OURS
    return _json_loads_or_decode_error(PyBytes_FromStringAndSize(<char *>seg.data, seg.size), what)


cdef object _segment_json(const uint8_t *src, Py_ssize_t n, str name):
    cdef _Segment seg
    _segment_init(&seg)
    try:
        _segment_fill(&seg, src, n, name)
        return _segment_to_json(&seg, name)
    finally:
        _segment_free(&seg)


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
    """Keep *header* if it is plain: immutable values only, no ``b64`` or
    ``crit``, a ``kid`` (if any) that is a str; so a header from the cache
    needs none of those checks again."""
    global _LAST_HEADER
    cdef PyObject *kid
    if CYJWT_FREE_THREADED or n > MAX_CACHED_HEADER:
        return
    if PyDict_GetItem(header, "b64") != NULL or PyDict_GetItem(header, "crit") != NULL:
        return
    kid = PyDict_GetItem(header, "kid")
    if kid != NULL and type(<object>kid) is not str:
        return
    for value in header.values():
        if type(value) not in (str, int, float, bool) and value is not None:
            return
    _LAST_HEADER = (PyBytes_FromStringAndSize(s, n), header.copy())


cdef object _token_header(object token, const char **s_out, Py_ssize_t *n_out,
                          Py_ssize_t *first_out, Py_ssize_t *last_out, bint *from_cache):
    """Split *token* and read its header: the first steps of PyJWS._load.

    Returns the header dict (raising what _load raises on the way), or None
    when the token is not the core's to read (not bytes or an ASCII str),
    its header is nested too deeply to read here, or it asks for the
    general path (``b64``, ``crit``).
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
        if header is _NOT_OURS:
            return None
        if type(header) is not dict:
            raise DecodeError(HEADER_NOT_OBJECT)
        if PyDict_GetItem(header, "b64") != NULL or PyDict_GetItem(header, "crit") != NULL:
            return None
        _remember_header(s, first, <dict>header)
    s_out[0] = s
    n_out[0] = n
    first_out[0] = first
    last_out[0] = last
    return header


cdef tuple _CLAIM_SWITCHES = (
    "verify_exp", "verify_nbf", "verify_iat", "verify_aud",
    "verify_iss", "verify_sub", "verify_jti",
)


cdef object _merged_options(object own, object given, bint *verify):
    """The options PyJWT._merge_options gives, or None for the general path
    (options that are not plain dicts).  *verify* is set to whether the
    signature is to be verified; without that, the claim switches not
    given default to off, as there."""
    cdef PyObject *found
    verify[0] = True
    if type(own) is not dict:
        return None
    if given is None:
        return own
    if type(given) is not dict:
        return None
    found = PyDict_GetItem(given, "verify_signature")
    if found != NULL and not <object>found:
        verify[0] = False
        given = (<dict>given).copy()
        for switch in _CLAIM_SWITCHES:
            if PyDict_GetItem(given, switch) == NULL:
                given[switch] = False
    merged = (<dict>own).copy()
    merged.update(<dict>given)
    return merged


cdef inline bint _usable_call(object key) except -1:
    """What every decode entry point checks after the PyJWT (_jwt_view):
    the general path's modules as they were (_plain_world), and a key that
    is not a PyJWK (it brings its own algorithm)."""
    cdef type tk = type(key)
    if not _plain_world(True):
        return False
    return tk is str or tk is bytes or not (tk is _PyJWK or isinstance(key, _PyJWK))


cpdef object jwt_decode(self, token, key, algorithms, options, audience, issuer, subject, leeway,
                        bint complete):
    """PyJWT.decode / decode_complete in one call; None: not ours."""
    cdef _Claims claims
    cdef type ta = type(algorithms)
    cdef bint verify
    cdef _JwtView view = _jwt_view(self)
    if view is None:
        return None
    own_options = view.options  # copied out first (see _SCRATCH_VIEW)
    registry = view.registry
    if not _usable_call(key):
        return None
    merged = _merged_options(own_options, options, &verify)  # held: claims borrows from it
    if merged is None:
        return None
    if verify and ((ta is not list and ta is not tuple) or not algorithms):
        return None  # the general path raises (or takes a str) as PyJWT does
    if _fill_claims(&claims, <dict>merged, audience, issuer, subject, leeway):
        return None
    return _decode(registry, token, key, algorithms if verify else None, &claims, complete)


def jwt_decode_policy(self, key, algorithms, ClaimPolicy policy not None, bint complete, fallback,
                      token):
    """jwt_decode with the claim arguments prepared once, in *policy*, for a
    prebound verifier: *algorithms* is a non-empty list or tuple (checked
    once by the caller).  When the core declines the call, the answer is
    ``fallback(token, key, complete)``; *token* comes last so that a
    verifier can bind everything else once (functools.partial).
    """
    cdef _JwtView view = _jwt_view(self)
    registry = None if view is None else view.registry
    if view is not None and _usable_call(key):
        result = _decode(registry, token, key, algorithms, &policy.claims, complete)
        if result is not None:
            return result
    return fallback(token, key, complete)


cdef object _decode(object registry, object token, object key, object algorithms, _Claims *claims,
                    bint complete):
    """The token's claims (or all three parts): the signature verified with
    *key* against *algorithms*, or not at all when *algorithms* is None."""
    cdef const char *s
    cdef Py_ssize_t n, first, last
    cdef bint from_cache = False
    cdef _Segment payload_seg, sig_seg
    cdef _ClaimRefs refs
    header = _token_header(token, &s, &n, &first, &last, &from_cache)
    if header is None:
        return None
    # The payload is decoded now (its padding errors come first) but read
    # as JSON only once the signature holds; the signature is decoded into
    # a buffer of its own.
    _segment_init(&payload_seg)
    _segment_init(&sig_seg)
    try:
        _segment_fill(&payload_seg, <const uint8_t *>s + first + 1, last - first - 1, "payload")
        _segment_fill(&sig_seg, <const uint8_t *>s + last + 1, n - last - 1, "crypto")
        if algorithms is None:  # options={"verify_signature": False}
            _check_kid(<dict>header, from_cache)
        elif not _signature_holds(registry, s, last, <dict>header, from_cache, algorithms, key,
                                  &sig_seg):
            return None
        payload = _segment_to_json(&payload_seg, "payload", &refs)
        if payload is _NOT_OURS:
            return None
        if type(payload) is not dict:
            raise DecodeError(PAYLOAD_NOT_OBJECT)
        _check_claims(<dict>payload, claims, &refs)
        if complete:
            if from_cache:
                header = (<dict>header).copy()  # the cached one stays private
            return {
                "payload": payload,
                "header": header,
                "signature": PyBytes_FromStringAndSize(<char *>sig_seg.data, sig_seg.size),
            }
        return payload
    finally:
        _segment_free(&payload_seg)
        _segment_free(&sig_seg)


cdef inline int _check_kid(dict header, bint from_cache) except -1:
    """PyJWS._validate_kid; a header *from_cache* is known to pass it."""
    cdef PyObject *found
    if not from_cache:
        found = PyDict_GetItem(header, "kid")
        if found != NULL and type(<object>found) is not str:
            raise InvalidTokenError(KID_NOT_STRING)
    return 0


cdef bint _signature_holds(object registry, const char *s, Py_ssize_t last, dict header,
                           bint from_cache, object algorithms, object key,
                           _Segment *sig_seg) except -1:
    """PyJWS._verify_signature (with _validate_kid before it): raises what
    it raises; False when the general path must verify instead.  A header
    *from_cache* is known to have a str ``kid`` or none."""
    cdef PyObject *found_ptr
    cdef int hash_id, kind
    cdef _HmacKey state
    cdef uint8_t mac[64]
    cdef Py_ssize_t size
    _check_kid(header, from_cache)
    found_ptr = PyDict_GetItem(header, "alg")
    if found_ptr == NULL:
        _missing_alg()
    alg = <object>found_ptr
    if not alg or not PySequence_Contains(algorithms, alg):
        raise InvalidAlgorithmError(ALG_NOT_ALLOWED)
    if type(alg) is not str:
        return False
    if type(registry) is not dict:
        return False
    # An owned reference: the registry belongs to the caller's objects.
    alg_obj = (<dict>registry).get(alg)
    kind = _algorithm_kind(alg_obj)
    if kind == 1:
        if type(key) is not str and type(key) is not bytes:
            return False
        found_ptr = PyDict_GetItem(_HASH_BY_FUNC, alg_obj.hash_alg)
        if found_ptr == NULL:
            return False
        hash_id = <object>found_ptr
        state = _key_state(alg_obj, hash_id, key)
        if state is None or state.length_message is not None:
            return False  # the general path warns, from the frames PyJWT warns from
        size = _mac(state, s, last, mac)
        if sig_seg.size != size or CRYPTO_memcmp(sig_seg.data, mac, size) != 0:
            raise InvalidSignatureError(SIGNATURE_FAILED)
        return True
    if kind == 2:
        return _asym_signature_holds(alg_obj, key, s, last, sig_seg)  # _core_asym.pxi
    return False


cpdef object jws_header(self, token):
    """PyJWS.get_unverified_header in one call; None: not ours.

    The payload and signature segments are still checked for strict
    base64url, as the general path does, but nothing else is built.
    """
    cdef const char *s
    cdef Py_ssize_t n, first, last
    cdef _Segment seg
    cdef PyObject *found_ptr
    cdef bint from_cache = False
    if not _type_ok(type(self)) or not _plain_instance(self, _JWS_ATTRS):
        return None
    if not _plain_world(True):
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
    if from_cache:
        return (<dict>header).copy()  # plain (see _remember_header); stays private
    found_ptr = PyDict_GetItem(header, "kid")
    if found_ptr != NULL and type(<object>found_ptr) is not str:
        raise InvalidTokenError(KID_NOT_STRING)
    return header
