# Claim checks: one decode configuration (options, audience, issuer,
# subject, leeway) read once into a _Claims record, then checked against
# a payload.  The rules are PyJWT._validate_claims and the _validate_*
# methods in api_jwt.py, in the same order with the same messages
# (_texts.py); change one side, change the other.  ClaimPolicy keeps a
# record alive for a prebound verifier.  Included by _core_c.pyx; the
# pure twin (ClaimPolicy, check_claims in _core_py.py) calls api_jwt's
# methods directly.

DEF VERIFY_IAT = 1
DEF VERIFY_NBF = 2
DEF VERIFY_EXP = 4
DEF VERIFY_ISS = 8
DEF VERIFY_AUD = 16
DEF VERIFY_SUB = 32
DEF VERIFY_JTI = 64

cdef struct _Claims:
    # Borrowed references: valid while the call (or the ClaimPolicy) that
    # filled the record holds the objects.  NULL stands for None.
    unsigned int flags
    double leeway
    PyObject *require
    PyObject *audience
    PyObject *issuer
    PyObject *subject


cdef bint _is_plain_container(object value) noexcept:
    cdef type t = type(value)
    return t is list or t is tuple or t is set or t is frozenset


cdef int _read_leeway(object leeway, double *out) except -1:
    """The leeway in seconds; 1 when the general path must take it."""
    if type(leeway) is int:
        if not -(1 << 53) <= leeway <= (1 << 53):
            return 1  # too large for a double: the general path raises where PyJWT does
        out[0] = PyLong_AsDouble(leeway)
    elif type(leeway) is float:
        out[0] = PyFloat_AS_DOUBLE(leeway)
    elif type(leeway) is _TIMEDELTA:
        out[0] = leeway.total_seconds()
    else:
        return 1
    return 0


cdef inline int _switch(dict options, str name, unsigned int bit, unsigned int *flags) except -1:
    """Set *bit* in *flags* when the option *name* is true; 1 when it is missing."""
    cdef PyObject *found = PyDict_GetItem(options, name)
    if found == NULL:
        return 1
    if found == PY_TRUE or (found != PY_FALSE and <object>found):
        flags[0] |= bit
    return 0


# The last options dict _read_options read, by address and version (see
# cyjwt_dict_version: no other dict ever has that version), with what it
# found: a decode without options reads the PyJWT's own dict every time.
# Its require is borrowed: the unchanged dict still holds it.
cdef PyObject *_READ_OPTIONS = NULL
cdef unsigned long long _READ_OPTIONS_VERSION = 0
cdef unsigned int _READ_OPTIONS_FLAGS = 0
cdef PyObject *_READ_OPTIONS_REQUIRE = NULL


cdef int _read_options(_Claims *c, dict options) except -1:
    """The switches and ``require`` of merged *options* into *c*; 1 when the
    general path must run the checks (a missing switch, strict_aud)."""
    global _READ_OPTIONS, _READ_OPTIONS_VERSION, _READ_OPTIONS_FLAGS, _READ_OPTIONS_REQUIRE
    cdef unsigned long long version = cyjwt_dict_version(options)
    cdef PyObject *found
    cdef PyObject *strict
    if version != 0 and <PyObject *>options == _READ_OPTIONS and version == _READ_OPTIONS_VERSION:
        c.flags = _READ_OPTIONS_FLAGS
        found = _READ_OPTIONS_REQUIRE
    else:
        found = PyDict_GetItem(options, "require")
        if found == NULL or (type(<object>found) is not list and type(<object>found) is not tuple):
            return 1
        c.flags = 0
        if (_switch(options, "verify_iat", VERIFY_IAT, &c.flags)
                or _switch(options, "verify_nbf", VERIFY_NBF, &c.flags)
                or _switch(options, "verify_exp", VERIFY_EXP, &c.flags)
                or _switch(options, "verify_iss", VERIFY_ISS, &c.flags)
                or _switch(options, "verify_aud", VERIFY_AUD, &c.flags)
                or _switch(options, "verify_sub", VERIFY_SUB, &c.flags)
                or _switch(options, "verify_jti", VERIFY_JTI, &c.flags)):
            return 1
        strict = PyDict_GetItem(options, "strict_aud")
        if c.flags & VERIFY_AUD and strict != NULL and <object>strict:
            return 1
        # Kept only when every value read is one whose truth cannot change
        # without changing the dict (True, False, None, a missing strict_aud).
        if version != 0 and _bool_switches(options) and (
                strict == NULL or strict == PY_TRUE or strict == PY_FALSE
                or strict == <PyObject *>None):
            _READ_OPTIONS = <PyObject *>options
            _READ_OPTIONS_VERSION = version
            _READ_OPTIONS_FLAGS = c.flags
            _READ_OPTIONS_REQUIRE = found
    # A list can be emptied or filled in place: its truth is read every time.
    c.require = found if <object>found else NULL
    return 0


cdef bint _bool_switches(dict options) except -1:
    cdef PyObject *found
    for name in _SWITCH_NAMES:
        found = PyDict_GetItem(options, name)
        if found != PY_TRUE and found != PY_FALSE:
            return False
    return True


cdef tuple _SWITCH_NAMES = (
    "verify_iat", "verify_nbf", "verify_exp", "verify_iss", "verify_aud", "verify_sub",
    "verify_jti",
)


cdef int _fill_claims(_Claims *c, dict options, object audience, object issuer,
                      object subject, object leeway) except -1:
    """Read merged *options* and the claim arguments into *c*.

    1 (and nothing raised) when the general path must run the checks:
    arguments of types the core does not reproduce, strict audience
    matching, a missing switch.
    """
    cdef PyObject *found
    if audience is not None and type(audience) is not str and not _is_plain_container(audience):
        return 1
    if issuer is not None and type(issuer) is not str and not _is_plain_container(issuer):
        return 1
    if subject is not None and type(subject) is not str:
        return 1
    if _read_leeway(leeway, &c.leeway):
        return 1
    if _read_options(c, options):
        return 1
    c.audience = NULL if audience is None else <PyObject *>audience
    c.issuer = NULL if issuer is None else <PyObject *>issuer
    c.subject = NULL if subject is None else <PyObject *>subject
    return 0


cdef class ClaimPolicy:
    """One decode configuration's claim checks, prepared once and reusable.

    Holds what it was built from, so its record stays valid; immutable.
    Build it with :func:`claim_policy`.
    """

    cdef _Claims claims
    cdef readonly dict options
    cdef readonly object audience
    cdef readonly object issuer
    cdef readonly object subject
    cdef readonly object leeway


def claim_policy(options, audience=None, issuer=None, subject=None, leeway=0):
    """A :class:`ClaimPolicy` for merged *options* (PyJWT._merge_options'
    result) and the claim arguments, or None when the general path must
    check such claims (see _fill_claims)."""
    cdef ClaimPolicy policy
    if type(options) is not dict:
        return None
    policy = ClaimPolicy.__new__(ClaimPolicy)
    # A private copy: a caller mutating its dict later changes nothing.
    policy.options = (<dict>options).copy()
    if type(policy.options.get("require")) is list:
        policy.options["require"] = tuple(policy.options["require"])
    policy.audience = audience
    policy.issuer = issuer
    policy.subject = subject
    policy.leeway = leeway
    if _fill_claims(&policy.claims, policy.options, audience, issuer, subject, leeway):
        return None
    return policy


cdef inline PyObject *_claim(dict payload, _ClaimRefs *refs, int slot, str name) except? NULL:
    """payload.get(name), borrowed; from *refs* when the reader noted it."""
    if refs != NULL and refs.known:
        return refs.value[slot]
    return PyDict_GetItem(payload, name)


cdef object _time_claim(PyObject *found, object error, str message):
    """int(value) as PyJWT takes a time claim (*found*, NULL when absent);
    None when the claim is absent."""
    if found == NULL:
        return None
    value = <object>found
    if type(value) is int:
        return value
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        # Raised inside the handler, so __context__ is set as in PyJWT.
        raise error(message) from None


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
        raise InvalidAudienceError(AUD_FORMAT)
    for item in <list>claimed:
        if type(item) is not str:
            raise InvalidAudienceError(AUD_FORMAT)
    if type(audience) is str:
        return PySequence_Contains(claimed, audience)
    for aud in audience:
        if PySequence_Contains(claimed, aud):
            return True
    return False


cdef int _check_claims(dict payload, _Claims *c, _ClaimRefs *refs=NULL) except -1:
    """PyJWT._validate_claims for a record _fill_claims accepted; *refs*, if
    given, holds what the reader noted of *payload*."""
    cdef double now
    cdef double leeway = c.leeway
    cdef PyObject *found
    if c.require != NULL:
        for claim in <object>c.require:
            if payload.get(claim) is None:
                raise MissingRequiredClaimError(claim)

    # datetime.now(tz=timezone.utc).timestamp(): microseconds, floored.
    # time.time_ns is called (not the C clock) so that time-machine, which
    # patches that function in place, is seen; freezegun patches datetime,
    # which sends the call to the general path.
    now = <double>(<long long>_TIME_NS() // 1000) / 1e6

    if c.flags & VERIFY_IAT:
        iat = _time_claim(_claim(payload, refs, CLAIM_IAT, "iat"), InvalidIssuedAtError,
                          IAT_NOT_INT)
        if iat is not None and _int_gt(iat, now + leeway):
            raise ImmatureSignatureError(IAT_IMMATURE)
    if c.flags & VERIFY_NBF:
        nbf = _time_claim(_claim(payload, refs, CLAIM_NBF, "nbf"), DecodeError, NBF_NOT_INT)
        if nbf is not None and _int_gt(nbf, now + leeway):
            raise ImmatureSignatureError(NBF_IMMATURE)
    if c.flags & VERIFY_EXP:
        exp = _time_claim(_claim(payload, refs, CLAIM_EXP, "exp"), DecodeError, EXP_NOT_INT)
        if exp is not None and _int_le(exp, now - leeway):
            raise ExpiredSignatureError(EXPIRED)

    if c.flags & VERIFY_ISS and c.issuer != NULL:
        issuer = <object>c.issuer
        found = _claim(payload, refs, CLAIM_ISS, "iss")
        if found == NULL:
            raise MissingRequiredClaimError("iss")
        iss = <object>found
        if type(iss) is not str:
            raise InvalidIssuerError(ISS_NOT_STRING)
        if type(issuer) is str:
            if iss != issuer:
                raise InvalidIssuerError(ISS_INVALID)
        else:
            try:
                matched = iss in issuer
            except TypeError:
                raise InvalidIssuerError(ISS_PARAM_TYPE) from None
            if not matched:
                raise InvalidIssuerError(ISS_INVALID)

    if c.flags & VERIFY_AUD:
        found = _claim(payload, refs, CLAIM_AUD, "aud")
        if c.audience == NULL:
            if found != NULL and <object>found:
                raise InvalidAudienceError(AUD_UNEXPECTED)
        elif found == NULL or not <object>found:
            raise MissingRequiredClaimError("aud")
        elif not _audience_matches(<object>found, <object>c.audience):
            raise InvalidAudienceError(AUD_MISMATCH)

    if c.flags & VERIFY_SUB:
        found = _claim(payload, refs, CLAIM_SUB, "sub")
        if found != NULL:
            if type(<object>found) is not str:
                raise InvalidSubjectError(SUB_NOT_STRING)
            if c.subject != NULL and <object>found != <object>c.subject:
                raise InvalidSubjectError(SUB_INVALID)

    if c.flags & VERIFY_JTI:
        found = _claim(payload, refs, CLAIM_JTI, "jti")
        if found != NULL and type(<object>found) is not str:
            raise InvalidJTIError(JTI_NOT_STRING)
    return 0


def check_claims(jwt_obj, ClaimPolicy policy not None, dict payload not None):
    """Check *payload* against *policy* now, as *jwt_obj*._validate_claims
    would; False (nothing checked) when that method must run instead: a
    changed PyJWT, or a patched datetime (freezegun)."""
    if _jwt_view(jwt_obj) is None or not _plain_world(True):
        return False
    _check_claims(payload, &policy.claims)
    return True
