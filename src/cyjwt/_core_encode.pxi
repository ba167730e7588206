# The one-call encode: PyJWT.encode of a plain dict with a built-in
# algorithm.  jwt_encode returns None when a call is not its to take
# (_fastpath.py says which), decided before anything observable happens;
# the caller then runs the general path.  Included by _core_c.pyx; the
# pure twin is jwt_encode in _core_py.py.

cdef tuple _TIME_CLAIMS = ("exp", "iat", "nbf")


cdef bytes _header_segment(str alg, bint sort_keys, object extra):
    """The header segment for *alg* plus *extra* (a tuple of str pairs, or None).

    Kept per algorithm and extra headers: a service signs with the same
    ``kid`` over and over.  Built exactly as PyJWS.encode builds it.
    """
    global _LAST_SEGMENT_ALG, _LAST_SEGMENT
    cdef dict kept = _HEADER_SEGMENTS_SORTED if sort_keys else _HEADER_SEGMENTS_UNSORTED
    if (not CYJWT_FREE_THREADED and extra is None and sort_keys
            and <PyObject *>alg == <PyObject *>_LAST_SEGMENT_ALG):
        return _LAST_SEGMENT
    slot = alg if extra is None else (alg, extra)
    cdef PyObject *found = PyDict_GetItem(kept, slot)
    if found != NULL:
        if not CYJWT_FREE_THREADED and extra is None and sort_keys:
            _LAST_SEGMENT = <bytes>found
            _LAST_SEGMENT_ALG = alg
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


cdef bytes _converted_claims_json(dict payload):
    """The claims as PyJWT.encode writes them after converting datetimes in
    exp/iat/nbf and refusing a non-str iss (TypeError); None where
    json.dumps must write them (from the frames PyJWT runs it in)."""
    cdef PyObject *found_ptr
    cdef dict claims = payload
    cdef bint copied = False
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
        raise TypeError(ENCODE_ISS_NOT_STRING)
    return _dumps_or_none(claims)


cpdef object jwt_encode(self, payload, key, algorithm, headers, json_encoder, sort_headers):
    """PyJWT.encode of a plain dict with a built-in algorithm, in one call; None: not ours."""
    cdef type tk = type(key)
    cdef PyObject *found_ptr
    cdef int hash_id = 0
    cdef int kind
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
    cdef _JwtView view = _jwt_view(self)
    if view is None:
        return None
    typ = view.header_typ  # copied out first (see _SCRATCH_VIEW)
    registry = view.registry
    if not _plain_world(False) or type(typ) is not str or typ != "JWT":
        return None
    if type(registry) is not dict:
        return None
    alg_obj = (<dict>registry).get(algorithm)
    kind = _algorithm_kind(alg_obj)
    if kind == 1:
        if tk is not str and tk is not bytes:
            return None
        found_ptr = PyDict_GetItem(_HASH_BY_FUNC, alg_obj.hash_alg)
        if found_ptr == NULL:
            return None
        hash_id = <object>found_ptr
    elif kind == 0:
        return None
    header_segment = _header_segment(algorithm, bool(sort_headers), extra)

    # One pass for the common claims set: written as it is, with no
    # datetime to convert and an iss that is a str.
    body = _dumps_or_none(payload, True)
    if body is None:
        body = _converted_claims_json(<dict>payload)
        if body is None:
            return None

    if kind == 1:
        state = _key_state(alg_obj, hash_id, key)
        if state is None or state.length_message is not None:
            return None  # the general path warns, from the frames PyJWT warns from
        return _hmac_token(header_segment, body, state)
    return _asym_token(alg_obj, key, header_segment, body)  # _core_asym.pxi


cdef str _hmac_token(bytes header_segment, bytes body, _HmacKey state):
    """header.payload.signature, signed with the HMAC key *state*."""
    cdef uint8_t mac[64]
    cdef Py_ssize_t size, pos
    cdef Py_ssize_t hlen = PyBytes_GET_SIZE(header_segment)
    cdef Py_ssize_t plen = _b64_encoded_len(PyBytes_GET_SIZE(body))
    cdef char *out
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
