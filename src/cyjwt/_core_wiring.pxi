# What the Python layer hands the core (one _fastpath.CoreWiring, given
# to fast_setup at import), the caches the one-call path keeps, and the
# checks that decide whether a call is the core's to take.  Included by
# _core_c.pyx; the pure twin is _core_py_wiring.py.

cdef object _PyJWK = None
cdef object _HMACAlgorithm = None
cdef dict _ASYMMETRIC = {}  # built-in asymmetric Algorithm class -> its instances' attribute count
cdef object _PREPARE_KEY = None
cdef dict _HASH_BY_FUNC = {}
cdef dict _API_JWT_GLOBALS = None
cdef dict _API_JWS_GLOBALS = None
cdef dict _JSON_GLOBALS = None
cdef object _JSON_MODULE = None
cdef object _JSON_LOADS = None
cdef object _JSON_DUMPS = None
cdef object _REAL_DATETIME = None
cdef object _TIMEDELTA = None
cdef object _ELIGIBLE = None
cdef object _UNSET = None
cdef object _TIMEGM = None
cdef Py_ssize_t _JWT_ATTRS = -1
cdef Py_ssize_t _JWS_ATTRS = -1
cdef Py_ssize_t _HMAC_ATTRS = -1
cdef object _TIME_NS = time.time_ns

# Eligibility of a class (see _fastpath.eligible), with the class's
# version (cyjwt_type_version) it was decided at: ((version << 1) | ok).
cdef dict _TYPE_OK = {}
# HMAC key states per hash and key type: [2 * hash_id + (key is bytes)].
# str and bytes keys never share a dict, so a lookup never compares a str
# with bytes (a BytesWarning under python -b).
cdef list _KEY_CACHES = [{}, {}, {}, {}, {}, {}]
# Bound on the number of cached keys per cache; past it the cache restarts.
DEF KEY_CACHE_SIZE = 256
DEF TYPE_CACHE_SIZE = 256
cdef dict _HEADER_SEGMENTS_SORTED = {}
cdef dict _HEADER_SEGMENTS_UNSORTED = {}
# The last plain (sorted, no extra headers) segment handed out, by its
# algorithm name object, held here so its address is not reused.  Used
# under the GIL only.
cdef object _LAST_SEGMENT_ALG = None
cdef bytes _LAST_SEGMENT = None


def fast_setup(wiring):
    """Take what the fast path checks against from *wiring* (a CoreWiring)."""
    global _PyJWK, _HMACAlgorithm, _HASH_BY_FUNC, _API_JWT_GLOBALS, _REAL_DATETIME
    global _TIMEDELTA, _ELIGIBLE, _UNSET, _TIMEGM, _ASYMMETRIC, _PREPARE_KEY
    global _JWT_ATTRS, _JWS_ATTRS, _HMAC_ATTRS, _LAST_SEGMENT_ALG, _LAST_SEGMENT
    global _API_JWS_GLOBALS, _JSON_GLOBALS, _JSON_MODULE, _JSON_LOADS, _JSON_DUMPS
    _PyJWK = wiring.pyjwk_class
    _HMACAlgorithm = wiring.hmac_class
    _ASYMMETRIC = dict(wiring.asymmetric_attrs)
    _PREPARE_KEY = wiring.prepare_key
    _HASH_BY_FUNC = {func: _HASH_IDS[name] for func, name in wiring.hash_names.items()}
    _API_JWT_GLOBALS = wiring.api_jwt_namespace
    _API_JWS_GLOBALS = wiring.api_jws_namespace
    _JSON_GLOBALS = wiring.json_namespace
    _JSON_MODULE = json
    _JSON_LOADS = wiring.json_loads
    _JSON_DUMPS = wiring.json_dumps
    _REAL_DATETIME = wiring.datetime_class
    _TIMEDELTA = wiring.timedelta_class
    _ELIGIBLE = wiring.eligible
    _UNSET = wiring.algorithm_unset
    _TIMEGM = wiring.timegm
    _JWT_ATTRS = wiring.jwt_attrs
    _JWS_ATTRS = wiring.jws_attrs
    _HMAC_ATTRS = wiring.hmac_attrs
    clear_caches()
    _HEADER_SEGMENTS_SORTED.clear()
    _HEADER_SEGMENTS_UNSORTED.clear()
    _LAST_SEGMENT_ALG = _LAST_SEGMENT = None


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
    """Forget cached keys and class checks (tests).

    Not needed after patching a class: a changed class is noticed by its
    version.  Not to be called while other threads decode on a
    free-threaded build.
    """
    global _LAST_VIEW
    _TYPE_OK.clear()
    memset(_TYPE_SLOTS, 0, sizeof(_TYPE_SLOTS))
    memset(_PLAIN_WORLD_VERSIONS, 0, sizeof(_PLAIN_WORLD_VERSIONS))
    for cache in _KEY_CACHES:
        cache.clear()
    _LAST_KEY[:] = [None] * 6
    _LAST_VIEW = None
    _LAST_KEY_STATE[:] = [None] * 6
    _asym_clear()  # _core_asym.pxi's key caches


# The last verdicts of _type_ok: (type, version, verdict), looked up by a
# scan (a call checks three or four types).  The type is borrowed, but a
# slot is used only when the version matches too, and no other type (one
# later at the same address included) ever has that version.  Written and
# read under the GIL; the free-threaded build keeps _TYPE_OK instead.
DEF TYPE_SLOTS = 8
cdef struct _TypeSlot:
    PyObject *type
    unsigned long long version
    bint ok
cdef _TypeSlot _TYPE_SLOTS[TYPE_SLOTS]
cdef unsigned int _TYPE_SLOT_NEXT = 0


cdef bint _type_ok(type t) except -1:
    """Whether instances of *t* may take the fast path (_fastpath.eligible),
    decided again whenever an attribute of *t* or of a base changes."""
    global _TYPE_SLOT_NEXT
    cdef unsigned long long version = cyjwt_type_version(t)
    cdef _TypeSlot *slot = NULL
    cdef bint ok
    cdef int k
    if version != 0:
        if CYJWT_FREE_THREADED:
            entry = _TYPE_OK.get(t)  # a strong reference: entries get replaced
            if entry is not None and (<unsigned long long>entry) >> 1 == version:
                return (<unsigned long long>entry) & 1
        else:
            for k in range(TYPE_SLOTS):
                if _TYPE_SLOTS[k].type == <PyObject *>t:
                    slot = &_TYPE_SLOTS[k]
                    if slot.version == version:
                        return slot.ok
                    break
    ok = _ELIGIBLE(t)
    # Deciding looked the methods up, which gives a changed class a new
    # version; that is the one the answer holds for.
    version = cyjwt_type_version(t)
    if version == 0:
        return ok
    if CYJWT_FREE_THREADED:
        if _make_room(_TYPE_OK, TYPE_CACHE_SIZE):
            _TYPE_OK[t] = (version << 1) | <unsigned long long>ok
        return ok
    if slot == NULL:
        slot = &_TYPE_SLOTS[_TYPE_SLOT_NEXT % TYPE_SLOTS]
        _TYPE_SLOT_NEXT += 1
    slot.type = <PyObject *>t
    slot.version = version
    slot.ok = ok
    return ok


# The versions of api_jwt's, api_jws's and json's globals when
# _plain_world last found them plain for a decode (see cyjwt_dict_version).
cdef unsigned long long _PLAIN_WORLD_VERSIONS[3]


cdef bint _plain_world(bint decoding) except -1:
    """Nothing the general path reads from its modules was replaced: the
    ``json`` they use, json.loads (the general path also reads HMAC keys
    with it) and json.dumps, and for a decode ``datetime`` (freezegun);
    else the call is the general path's.  Unchanged module dicts are
    not looked into again."""
    cdef unsigned long long jwt_version = cyjwt_dict_version(_API_JWT_GLOBALS)
    cdef unsigned long long jws_version = cyjwt_dict_version(_API_JWS_GLOBALS)
    cdef unsigned long long json_version = cyjwt_dict_version(_JSON_GLOBALS)
    if (jwt_version != 0 and jwt_version == _PLAIN_WORLD_VERSIONS[0]
            and jws_version == _PLAIN_WORLD_VERSIONS[1]
            and json_version == _PLAIN_WORLD_VERSIONS[2]):
        return True
    if PyDict_GetItem(_API_JWT_GLOBALS, "json") != <PyObject *>_JSON_MODULE:
        return False
    if PyDict_GetItem(_API_JWS_GLOBALS, "json") != <PyObject *>_JSON_MODULE:
        return False
    if PyDict_GetItem(_JSON_GLOBALS, "loads") != <PyObject *>_JSON_LOADS:
        return False
    if PyDict_GetItem(_JSON_GLOBALS, "dumps") != <PyObject *>_JSON_DUMPS:
        return False
    if PyDict_GetItem(_API_JWT_GLOBALS, "datetime") != <PyObject *>_REAL_DATETIME:
        return not decoding
    _PLAIN_WORLD_VERSIONS[0] = jwt_version
    _PLAIN_WORLD_VERSIONS[1] = jws_version
    _PLAIN_WORLD_VERSIONS[2] = json_version
    return True


cdef inline bint _plain_instance(object obj, Py_ssize_t attrs) except -1:
    """Whether *obj*'s __dict__ holds just the *attrs* attributes its
    class's __init__ sets, so no method is replaced on the instance."""
    return cyjwt_instance_dict_size(obj) == attrs


cdef class _JwtView:
    """What the one-call paths read from a plain PyJWT and its PyJWS, as it
    was at the versions of their __dict__s and of the PyJWS class."""
    cdef object jwt
    cdef object jws
    cdef object options
    cdef object registry  # the PyJWS's _algorithms
    cdef object header_typ
    cdef unsigned long long jwt_version, jws_version, jws_type_version


# The view last made (GIL builds): a service decodes with one PyJWT.
cdef _JwtView _LAST_VIEW = None
# Where nothing can be remembered (no __dict__ versions), one view is
# refilled instead of made anew (GIL builds).
cdef _JwtView _SCRATCH_VIEW = None if CYJWT_FREE_THREADED else _JwtView.__new__(_JwtView)


cdef _JwtView _jwt_view(object jwt_obj):
    """*jwt_obj*'s view when its class, instance and PyJWS behave as
    PyJWT's do; None: the call is the general path's.  While neither
    __dict__ nor the PyJWS class changed, the last view is still true."""
    global _LAST_VIEW
    cdef _JwtView view = _LAST_VIEW
    cdef unsigned long long version, jwt_version, jws_version
    if not _type_ok(type(jwt_obj)):
        return None
    if view is not None and view.jwt is jwt_obj:
        version = cyjwt_instance_dict_version(jwt_obj)
        if (version != 0 and version == view.jwt_version and _type_ok(type(view.jws))
                and cyjwt_type_version(type(view.jws)) == view.jws_type_version
                and cyjwt_instance_dict_version(view.jws) == view.jws_version):
            return view
    if not _plain_instance(jwt_obj, _JWT_ATTRS):
        return None
    jws = jwt_obj._jws
    if not _type_ok(type(jws)) or not _plain_instance(jws, _JWS_ATTRS):
        return None
    jwt_version = cyjwt_instance_dict_version(jwt_obj)
    jws_version = cyjwt_instance_dict_version(jws)
    if CYJWT_FREE_THREADED or (jwt_version != 0 and jws_version != 0):
        view = _JwtView.__new__(_JwtView)
    else:
        # Nothing can be remembered (3.13+): one view is refilled on every
        # call; callers copy the fields out at once, before other code runs.
        view = _SCRATCH_VIEW
    view.jwt = jwt_obj
    view.jws = jws
    view.options = jwt_obj.options
    view.registry = jws._algorithms
    view.header_typ = jws.header_typ
    view.jwt_version = jwt_version
    view.jws_version = jws_version
    view.jws_type_version = cyjwt_type_version(type(jws))
    if not CYJWT_FREE_THREADED and view is not _SCRATCH_VIEW:
        _LAST_VIEW = view
    return view


cdef int _algorithm_kind(object alg_obj) except -2:
    """1: the built-in HMAC algorithm, 2: a built-in asymmetric one, both
    unpatched in class and instance; 0: the general path's to run."""
    cdef type t = type(alg_obj)
    cdef PyObject *found
    if t is _HMACAlgorithm:
        if _type_ok(t) and _plain_instance(alg_obj, _HMAC_ATTRS):
            return 1
        return 0
    found = PyDict_GetItem(_ASYMMETRIC, t)
    if found != NULL and _type_ok(t) and _plain_instance(alg_obj, <Py_ssize_t><object>found):
        return 2
    return 0


cdef bint _may_be_deep_json(const uint8_t *p, Py_ssize_t n) noexcept:
    """Whether *p* could be JSON nested too deeply for the compact reader.

    json.loads meets its recursion limit at a depth that depends on how
    many frames stand below it, so such documents (and keys) go to the
    general path, whose frames are PyJWT's.  Leading JSON blanks, BOM and
    NUL bytes (UTF-16/32 text) are skipped; then only an opening bracket,
    with more brackets in the document than MAX_DEPTH, counts.
    """
    cdef Py_ssize_t i = 0, opened = 0
    while i < n and (p[i] == 32 or p[i] == 9 or p[i] == 10 or p[i] == 13 or p[i] == 0
                     or p[i] == 0xEF or p[i] == 0xBB or p[i] == 0xBF
                     or p[i] == 0xFE or p[i] == 0xFF):
        i += 1
    if i >= n or (p[i] != 123 and p[i] != 91):
        return False
    while i < n:
        if p[i] == 123 or p[i] == 91:
            opened += 1
        i += 1
    return opened > MAX_DEPTH


cdef bint _deep_json_key(object key) except -1:
    cdef const char *s
    cdef Py_ssize_t n
    if type(key) is bytes:
        return _may_be_deep_json(<const uint8_t *>PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key))
    try:
        s = PyUnicode_AsUTF8AndSize(key, &n)
    except UnicodeEncodeError:
        return False  # prepare_key raises it, where PyJWT does
    return _may_be_deep_json(<const uint8_t *>s, n)


# Per key cache, the last key object looked up and its state: a service
# passes the same key object on every call, found here by identity.  (The
# list holds the key, so its address is not reused.)  Under the GIL only.
cdef list _LAST_KEY = [None] * 6
cdef list _LAST_KEY_STATE = [None] * 6


cdef _HmacKey _key_state(object alg_obj, int hash_id, object key):
    """The HMAC state of *key*, after the algorithm's own key checks; None
    when the general path must load the key (see _may_be_deep_json)."""
    cdef Py_ssize_t slot = 2 * hash_id + (type(key) is bytes)
    cdef dict cache = <dict>_KEY_CACHES[slot]
    cdef _HmacKey state
    cdef PyObject *found_ptr
    if not CYJWT_FREE_THREADED and PyList_GET_ITEM(_LAST_KEY, slot) == <PyObject *>key:
        return <_HmacKey>PyList_GET_ITEM(_LAST_KEY_STATE, slot)
    found_ptr = PyDict_GetItem(cache, key)
    if found_ptr != NULL:
        state = <_HmacKey>found_ptr
        if not CYJWT_FREE_THREADED:
            _LAST_KEY_STATE[slot] = state
            _LAST_KEY[slot] = key
        return state
    if _deep_json_key(key):
        return None
    prepared = alg_obj.prepare_key(key)  # raises what the general path raises
    message = alg_obj.check_key_length(prepared)
    state = _new_hmac_key(hash_id, prepared)
    state.length_message = message
    if _make_room(cache, KEY_CACHE_SIZE):
        cache[key] = state
    return state
