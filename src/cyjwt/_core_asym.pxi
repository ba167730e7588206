# The asymmetric algorithms (RS*, PS*, ES*, EdDSA) of the one-call path,
# without their Python frames.  For a built-in, unpatched algorithm object
# (_algorithm_kind 2) and a key that is one of cryptography's own key
# classes, the core does what the algorithm's prepare_key,
# check_key_length and sign/verify do: it calls the key's sign/verify with
# padding, hash and ECDSA objects built once per hash class, and converts
# ECDSA signatures between raw r || s and DER here.  Anything else (a
# patched algorithm, a key of another class or family, a private key
# passed to decode, a key on the wrong curve, a key that warns about its
# length) goes to the algorithm's own methods, as before, with nothing
# observable done first.  Included by _core_c.pyx; the pure twin calls the
# algorithm objects.
#
# RS* and PS* signatures are verified with libcrypto directly (see
# _rsa_verify): the public key is read into libcrypto once, from its PKCS#1
# DER form, and a verification context per padding and hash is set up once and
# kept, where cryptography's verify builds and sets up a new one on every
# call (about 3 us of a 20 us RSA-2048 verify).  The answer is the same
# OpenSSL check either way; cryptography still loads and validates every
# key, signs, and verifies everything else.

# A prepared key's family, and (added) whether it is a private key.
DEF KEY_RSA = 1
DEF KEY_EC = 2
DEF KEY_OKP = 3
DEF KEY_PRIVATE = 4
# An algorithm class's family.
DEF ALG_RSA = 1
DEF ALG_PSS = 2
DEF ALG_EC = 3
DEF ALG_OKP = 4
# Bounds of the key caches (past them a cache restarts; see _make_room).
DEF ASYM_KEY_CACHE_SIZE = 128
# Py_TPFLAGS_BASETYPE: a class that can be subclassed.
DEF TYPE_IS_BASE = 1 << 10
# The widest ECDSA scalar (P-521): 66 bytes, 67 as a DER INTEGER.
DEF EC_MAX_WIDTH = 66
# RSA verification contexts: one set-up per padding (PKCS#1 v1.5, PSS) and
# hash (SHA-256, -384, -512), and how many idle ones a key keeps of each
# (more than one only when threads verify with the same key at once).
DEF RSA_CONFIGS = 6
DEF RSA_IDLE_CONTEXTS = 4

cdef bint _ASYM_READY = False
cdef object _INVALID_SIGNATURE = None
cdef object _PKCS1V15 = None
cdef object _ECDSA = None
cdef object _PSS = None
cdef object _MGF1 = None
cdef object _DER = None  # serialization.Encoding.DER
cdef object _PKCS1 = None  # serialization.PublicFormat.PKCS1
cdef tuple _HASH_CLASSES = ()  # cryptography's SHA256, SHA384, SHA512
cdef object _EC_RAW_SIGNATURE = None  # _algorithms_ec.raw_signature: the DER fallback
cdef dict _ALGORITHMS_NAMESPACE = None  # vars(cyjwt.algorithms): its has_crypto
cdef dict _ALG_FAMILY = {}  # built-in algorithm class -> ALG_*
cdef tuple _KEY_ABCS = ()  # (cryptography key ABC, KEY_* code)
cdef dict _HASH_PARAMS = {}  # cryptography hash class -> _HashParams
cdef dict _KEY_KINDS = {}  # key class -> KEY_* code, 0: not cryptography's own
cdef dict _OBJECT_KEYS = {}  # id(key object) -> _AsymKey
cdef object _LAST_OBJECT_KEY = None  # the _AsymKey read last (a service uses one key)
cdef list _TEXT_KEYS = [{}, {}]  # [str, bytes]: key text -> (algorithm class, curve, _AsymKey)


cdef class _HashParams:
    """What one hash class's sign/verify calls pass: built once."""
    cdef int hash_id  # SHA256_ID, SHA384_ID or SHA512_ID (_core_hmac.pxi)
    cdef object hash
    cdef object ecdsa
    cdef object pss


cdef class _AsymKey:
    """A cryptography key object, read once (keys are immutable)."""
    cdef object key  # held, so that its id (the cache's key) stays its own
    cdef int kind  # KEY_RSA, KEY_EC or KEY_OKP
    cdef bint private
    cdef object verify  # the bound verify of the key, or of a private key's public half
    cdef object sign  # a private key's bound sign, else None
    cdef object curve_type  # ES*: the class of the key's curve
    cdef Py_ssize_t width  # ES*: bytes in each of r and s
    cdef Py_ssize_t bits  # RS*, PS*: the modulus size
    # RS*, PS* verify (_rsa_verify): the public key in libcrypto, read at
    # the key's second verify (NULL if it could not be: cryptography's
    # verify runs), and idle verification contexts, RSA_IDLE_CONTEXTS per
    # configuration.
    cdef EVP_PKEY *pkey
    cdef bint verified_once
    cdef bint pkey_read
    cdef EVP_PKEY_CTX *idle[RSA_CONFIGS * RSA_IDLE_CONTEXTS]
    cdef int idle_count[RSA_CONFIGS]

    def __dealloc__(self):
        cdef int i
        for i in range(RSA_CONFIGS * RSA_IDLE_CONTEXTS):
            if self.idle[i] != NULL:
                EVP_PKEY_CTX_free(self.idle[i])
        if self.pkey != NULL:
            EVP_PKEY_free(self.pkey)


cdef int _asym_init() except -1:
    """Import what the asymmetric calls need, once: cryptography is only
    imported by the algorithms, so only once one of them is used."""
    global _ASYM_READY, _INVALID_SIGNATURE, _PKCS1V15, _ECDSA, _PSS, _MGF1, _DER, _PKCS1
    global _EC_RAW_SIGNATURE, _ALGORITHMS_NAMESPACE, _ALG_FAMILY, _KEY_ABCS, _HASH_CLASSES
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from . import _algorithms_ec, _algorithms_okp, _algorithms_rsa, algorithms

    _INVALID_SIGNATURE = InvalidSignature
    _PKCS1V15 = padding.PKCS1v15()
    _ECDSA = ec.ECDSA
    _PSS = padding.PSS
    _MGF1 = padding.MGF1
    _DER = Encoding.DER
    _PKCS1 = PublicFormat.PKCS1
    _HASH_CLASSES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
    _EC_RAW_SIGNATURE = _algorithms_ec.raw_signature
    _ALGORITHMS_NAMESPACE = vars(algorithms)
    _ALG_FAMILY = {
        _algorithms_rsa.RSAAlgorithm: ALG_RSA,
        _algorithms_rsa.RSAPSSAlgorithm: ALG_PSS,
        _algorithms_ec.ECAlgorithm: ALG_EC,
        _algorithms_okp.OKPAlgorithm: ALG_OKP,
    }
    _KEY_ABCS = (
        (rsa.RSAPublicKey, KEY_RSA),
        (rsa.RSAPrivateKey, KEY_RSA | KEY_PRIVATE),
        (ec.EllipticCurvePublicKey, KEY_EC),
        (ec.EllipticCurvePrivateKey, KEY_EC | KEY_PRIVATE),
        (ed25519.Ed25519PublicKey, KEY_OKP),
        (ed25519.Ed25519PrivateKey, KEY_OKP | KEY_PRIVATE),
        (ed448.Ed448PublicKey, KEY_OKP),
        (ed448.Ed448PrivateKey, KEY_OKP | KEY_PRIVATE),
    )
    _ASYM_READY = True
    return 0


def _asym_clear():
    """Forget the asymmetric key caches (tests)."""
    global _LAST_OBJECT_KEY
    _LAST_OBJECT_KEY = None
    _OBJECT_KEYS.clear()
    _KEY_KINDS.clear()
    for cache in _TEXT_KEYS:
        (<dict>cache).clear()


def _rsa_contexts(key):
    """What the core keeps for the cryptography key object *key* (tests):
    None if nothing, else (whether libcrypto holds the public key, the idle
    verification contexts per configuration: PKCS#1 v1.5 then PSS, each
    with SHA-256, -384, -512)."""
    found = _OBJECT_KEYS.get(id(key))
    if found is None or (<_AsymKey>found).key is not key:
        return None
    cdef _AsymKey entry = <_AsymKey>found
    return entry.pkey != NULL, tuple([entry.idle_count[i] for i in range(RSA_CONFIGS)])


cdef _HashParams _asym_hash_params(object hash_alg):
    """The objects built once for *hash_alg*; None for anything but
    cryptography's SHA-256/384/512 classes (the general path's then)."""
    found = _HASH_PARAMS.get(hash_alg)
    if found is not None:
        return <_HashParams>found
    cdef int hash_id = 0
    for known in _HASH_CLASSES:  # in SHA*_ID order
        if hash_alg is known:
            break
        hash_id += 1
    else:
        return None
    params = _HashParams()
    params.hash_id = hash_id
    params.hash = hash_alg()
    params.ecdsa = _ECDSA(hash_alg())
    params.pss = _PSS(mgf=_MGF1(hash_alg()), salt_length=hash_alg().digest_size)
    _HASH_PARAMS[hash_alg] = params
    return params


cdef int _asym_key_kind(type t) except -1:
    """KEY_* for one of cryptography's own (final, built-in) key classes,
    0 for any other class: decided once per class."""
    found = _KEY_KINDS.get(t)
    if found is not None:
        return <int>found
    cdef int kind = 0
    module = getattr(t, "__module__", None)
    if (
        not ((<object>t).__flags__ & TYPE_IS_BASE)
        and type(module) is str
        and (<str>module).startswith("cryptography.hazmat.bindings.")
    ):
        for abc, code in _KEY_ABCS:
            if issubclass(t, abc):
                kind = code
                break
    if _make_room(_KEY_KINDS, ASYM_KEY_CACHE_SIZE):
        _KEY_KINDS[t] = kind
    return kind


cdef _AsymKey _asym_object_key(object key):
    """*key* read once, when it is one of cryptography's key objects; else None."""
    global _LAST_OBJECT_KEY
    if not CYJWT_FREE_THREADED:
        last = _LAST_OBJECT_KEY
        if last is not None and (<_AsymKey>last).key is key:
            return <_AsymKey>last
    ident = id(key)
    found = _OBJECT_KEYS.get(ident)
    if found is not None and (<_AsymKey>found).key is key:
        if not CYJWT_FREE_THREADED:
            _LAST_OBJECT_KEY = found
        return <_AsymKey>found
    cdef int kind = _asym_key_kind(type(key))
    if kind == 0:
        return None
    cdef _AsymKey entry = _AsymKey()
    entry.key = key
    entry.kind = kind & 3
    entry.private = (kind & KEY_PRIVATE) != 0
    if entry.kind == KEY_EC:
        curve = key.curve
        entry.curve_type = type(curve)
        entry.width = (curve.key_size + 7) // 8
        if entry.width > EC_MAX_WIDTH:
            return None
    elif entry.kind == KEY_RSA:
        entry.bits = key.key_size
    if entry.private:
        entry.sign = key.sign
        if entry.kind != KEY_RSA:  # an RSA private key has no verify: the general path's error
            entry.verify = key.public_key().verify
    else:
        entry.verify = key.verify
    if _make_room(_OBJECT_KEYS, ASYM_KEY_CACHE_SIZE):
        _OBJECT_KEYS[ident] = entry
    if not CYJWT_FREE_THREADED:
        _LAST_OBJECT_KEY = entry
    return entry


cdef _AsymKey _asym_text_key(object alg_obj, object curve, object key):
    """A PEM/SSH key text loaded by *alg_obj*'s prepare_key (raising what it
    raises), kept per text with the algorithm class and curve it was loaded
    for; None when the loaded key is not one of cryptography's."""
    cdef dict cache = <dict>_TEXT_KEYS[type(key) is bytes]
    cdef type t = type(alg_obj)
    found = cache.get(key)
    if found is not None and <object>PyTuple_GET_ITEM(found, 0) is t and (
        <object>PyTuple_GET_ITEM(found, 1) is curve
    ):
        return <_AsymKey>PyTuple_GET_ITEM(found, 2)
    entry = _asym_object_key(_PREPARE_KEY(alg_obj, key))
    if entry is not None and _make_room(cache, ASYM_KEY_CACHE_SIZE):
        cache[key] = (t, curve, entry)
    return entry


cdef _AsymKey _asym_usable_key(object alg_obj, int family, object key, bint signing):
    """The key, prepared and checked as prepare_key and check_key_length
    would (with no effect: they would return it, and no warning); None when
    the algorithm's own methods must run (they raise or warn)."""
    cdef type tk = type(key)
    cdef _AsymKey entry
    curve = alg_obj.expected_curve if family == ALG_EC else None
    if tk is str or tk is bytes:
        entry = _asym_text_key(alg_obj, curve, key)
    else:
        # prepare_key of a key object checks its class, and for EdDSA
        # whether cryptography is available (cyjwt.algorithms.has_crypto).
        if _ALGORITHMS_NAMESPACE.get("has_crypto") is not True:
            return None
        entry = _asym_object_key(key)
    if entry is None:
        return None
    if signing:
        if not entry.private:
            return None
    elif entry.verify is None:
        return None
    if family == ALG_RSA or family == ALG_PSS:
        if entry.kind != KEY_RSA or entry.bits < 2048:  # RSAAlgorithm._MIN_KEY_SIZE
            return None
    elif family == ALG_EC:
        if entry.kind != KEY_EC or (curve is not None and entry.curve_type is not curve):
            return None
    elif entry.kind != KEY_OKP:
        return None
    return entry


cdef Py_ssize_t _der_integer(uint8_t *out, const uint8_t *value, Py_ssize_t width) noexcept:
    """Write the big-endian *width*-byte unsigned *value* as a minimal DER
    INTEGER at *out*; its length."""
    cdef Py_ssize_t i = 0, n
    while i < width - 1 and value[i] == 0:
        i += 1
    n = width - i
    out[0] = 0x02
    if value[i] & 0x80:
        out[1] = <uint8_t>(n + 1)
        out[2] = 0
        memcpy(out + 3, value + i, n)
        return n + 3
    out[1] = <uint8_t>n
    memcpy(out + 2, value + i, n)
    return n + 2


cdef bytes _raw_to_der(const uint8_t *sig, Py_ssize_t width):
    """encode_dss_signature(r, s) of a raw r || s signature."""
    cdef uint8_t body[2 * (EC_MAX_WIDTH + 3)]
    cdef uint8_t out[2 * (EC_MAX_WIDTH + 3) + 3]
    cdef Py_ssize_t size, head
    size = _der_integer(body, sig, width)
    size += _der_integer(body + size, sig + width, width)
    out[0] = 0x30
    if size < 0x80:
        out[1] = <uint8_t>size
        head = 2
    else:
        out[1] = 0x81
        out[2] = <uint8_t>size
        head = 3
    memcpy(out + head, body, size)
    return PyBytes_FromStringAndSize(<char *>out, head + size)


cdef Py_ssize_t _read_der_integer(const uint8_t *p, Py_ssize_t n, Py_ssize_t pos,
                                  uint8_t *out, Py_ssize_t width) noexcept:
    """Read a minimal, non-negative DER INTEGER at *pos* into *out* as
    *width* big-endian bytes; the position after it, or -1 for anything
    else (a value wider than *width* included)."""
    cdef Py_ssize_t size
    if pos + 2 > n or p[pos] != 0x02:
        return -1
    size = p[pos + 1]
    pos += 2
    if size == 0 or size >= 0x80 or pos + size > n or p[pos] & 0x80:
        return -1
    if size > 1 and p[pos] == 0:
        if not (p[pos + 1] & 0x80):
            return -1  # not minimal
        pos += 1
        size -= 1
    if size > width:
        return -1
    memset(out, 0, width - size)
    memcpy(out + width - size, p + pos, size)
    return pos + size


cdef bint _der_to_raw(const uint8_t *p, Py_ssize_t n, uint8_t *out, Py_ssize_t width) noexcept:
    """A DER ECDSA signature (SEQUENCE of INTEGER r, s) as raw r || s of
    *width* bytes each; False for anything unexpected."""
    cdef Py_ssize_t pos, size
    if n < 2 or p[0] != 0x30:
        return False
    size = p[1]
    pos = 2
    if size == 0x81:
        if n < 3 or p[2] < 0x80:
            return False
        size = p[2]
        pos = 3
    elif size >= 0x80:
        return False
    if pos + size != n:
        return False
    pos = _read_der_integer(p, n, pos, out, width)
    if pos < 0:
        return False
    return _read_der_integer(p, n, pos, out + width, width) == n


cdef bint _asym_signature_holds(object alg_obj, object key, const char *s, Py_ssize_t last,
                                _Segment *sig_seg) except -1:
    """PyJWS._verify_signature's last steps for a built-in asymmetric
    algorithm (_algorithm_kind 2): raises what they raise; False when the
    general path must verify instead (a key that warns about its length)."""
    cdef int family
    cdef _AsymKey entry
    cdef _HashParams params = None
    if not _ASYM_READY:
        _asym_init()
    found = _ALG_FAMILY.get(type(alg_obj))
    if found is not None:
        family = <int>found
        if family != ALG_OKP:
            params = _asym_hash_params(alg_obj.hash_alg)
        if family == ALG_OKP or params is not None:
            entry = _asym_usable_key(alg_obj, family, key, False)
            if entry is not None:
                if _asym_verify(entry, family, params, s, last, sig_seg):
                    return True
                raise InvalidSignatureError(SIGNATURE_FAILED)
    # The algorithm's own methods, as PyJWS runs them.
    prepared = _PREPARE_KEY(alg_obj, key)
    if alg_obj.check_key_length(prepared) is not None:
        return False  # the general path warns, from the frames PyJWT warns from
    if not alg_obj.verify(
        PyBytes_FromStringAndSize(s, last),
        prepared,
        PyBytes_FromStringAndSize(<char *>sig_seg.data, sig_seg.size),
    ):
        raise InvalidSignatureError(SIGNATURE_FAILED)
    return True


cdef EVP_PKEY_CTX *_rsa_context(EVP_PKEY *pkey, bint pss, int hash_id) noexcept nogil:
    """A verification context for *pkey*, with the padding and hash
    cryptography's verify is given (RSAAlgorithm / RSAPSSAlgorithm: PSS with
    MGF1 over the same hash and a salt as long as the digest); NULL if
    libcrypto refuses any step."""
    cdef const EVP_MD *md = (
        EVP_sha256() if hash_id == SHA256_ID else EVP_sha384() if hash_id == SHA384_ID
        else EVP_sha512()
    )
    cdef int pad = RSA_PKCS1_PSS_PADDING if pss else RSA_PKCS1_PADDING
    cdef EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL)
    if ctx == NULL:
        ERR_clear_error()
        return NULL
    if (
        EVP_PKEY_verify_init(ctx) == 1
        and EVP_PKEY_CTX_set_rsa_padding(ctx, pad) > 0
        and EVP_PKEY_CTX_set_signature_md(ctx, md) > 0
        and (not pss or (
            EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, <int>_DIGEST_SIZE[hash_id]) > 0
            and EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0
        ))
    ):
        return ctx
    EVP_PKEY_CTX_free(ctx)
    ERR_clear_error()
    return NULL


cdef int _rsa_read_key(_AsymKey entry) except -1:
    """entry.pkey: the RSA public key read into libcrypto from the PKCS#1
    DER that cryptography writes for it, once; left NULL if libcrypto does
    not read it."""
    cdef const unsigned char *p
    cdef RSA *rsa
    cdef EVP_PKEY *pkey
    entry.pkey_read = True
    try:
        der = entry.key.public_bytes(_DER, _PKCS1)
    except Exception:  # never seen; cryptography's verify then runs
        return 0
    if type(der) is not bytes:
        return 0
    p = <const unsigned char *>PyBytes_AS_STRING(der)
    rsa = d2i_RSAPublicKey(NULL, &p, PyBytes_GET_SIZE(der))
    if rsa == NULL:
        ERR_clear_error()
        return 0
    pkey = EVP_PKEY_new()
    if pkey == NULL or EVP_PKEY_assign_RSA(pkey, rsa) != 1:
        RSA_free(rsa)
        EVP_PKEY_free(pkey)  # NULL is ignored
        ERR_clear_error()
        return 0
    entry.pkey = pkey  # owns rsa
    return 0


cdef int _rsa_verify(_AsymKey entry, bint pss, _HashParams params, const char *s,
                     Py_ssize_t last, _Segment *sig_seg) except -2:
    """An RS*/PS* signature checked by libcrypto with a kept context: 1 if
    it holds, 0 if not, -1 if this path is not available, or not yet: at a
    key's first verify (cryptography's verify then runs).  Like
    cryptography's, the hash and the RSA operation run without the GIL; a
    context is used by one thread at a time (taken from and returned to the
    key's idle ones under the GIL), so the path is off on free-threaded
    builds."""
    cdef int config, rc
    cdef EVP_PKEY_CTX *ctx
    cdef unsigned char digest[64]
    cdef const unsigned char *msg = <const unsigned char *>s
    cdef size_t msg_len = <size_t>last
    cdef int hash_id = params.hash_id
    if CYJWT_FREE_THREADED:
        return -1
    if entry.pkey == NULL:
        # A key object verified with once (made per request, say) is left
        # to cryptography: reading it and setting up a context costs more
        # than one verify saves.
        if entry.pkey_read or not entry.verified_once:
            entry.verified_once = True
            return -1
        _rsa_read_key(entry)
        if entry.pkey == NULL:
            return -1
    config = 3 * pss + hash_id
    if entry.idle_count[config] > 0:
        entry.idle_count[config] -= 1
        ctx = entry.idle[config * RSA_IDLE_CONTEXTS + entry.idle_count[config]]
        entry.idle[config * RSA_IDLE_CONTEXTS + entry.idle_count[config]] = NULL
    else:
        ctx = _rsa_context(entry.pkey, pss, hash_id)
        if ctx == NULL:
            return -1
    with nogil:
        if hash_id == SHA256_ID:
            SHA256(msg, msg_len, digest)
        elif hash_id == SHA384_ID:
            SHA384(msg, msg_len, digest)
        else:
            SHA512(msg, msg_len, digest)
        rc = EVP_PKEY_verify(ctx, sig_seg.data, <size_t>sig_seg.size, digest,
                             <size_t>_DIGEST_SIZE[hash_id])
        if rc != 1:
            ERR_clear_error()
    # A context that failed is not kept: nothing is assumed about its state.
    if rc == 1 and entry.idle_count[config] < RSA_IDLE_CONTEXTS:
        entry.idle[config * RSA_IDLE_CONTEXTS + entry.idle_count[config]] = ctx
        entry.idle_count[config] += 1
    else:
        EVP_PKEY_CTX_free(ctx)
    return rc == 1


cdef bint _asym_verify(_AsymKey entry, int family, _HashParams params, const char *s,
                       Py_ssize_t last, _Segment *sig_seg) except -1:
    """Whether the signature holds, as the algorithm's verify answers."""
    cdef int direct
    if family == ALG_RSA or family == ALG_PSS:
        direct = _rsa_verify(entry, family == ALG_PSS, params, s, last, sig_seg)
        if direct >= 0:
            return direct
    msg = PyBytes_FromStringAndSize(s, last)
    if family == ALG_EC:
        # A raw signature of any other length is refused before the key
        # sees it (raw_to_der_signature's ValueError).
        if sig_seg.size != 2 * entry.width:
            return False
        sig = _raw_to_der(sig_seg.data, entry.width)
    else:
        sig = PyBytes_FromStringAndSize(<char *>sig_seg.data, sig_seg.size)
    try:
        if family == ALG_RSA:
            entry.verify(sig, msg, _PKCS1V15, params.hash)
        elif family == ALG_PSS:
            entry.verify(sig, msg, params.pss, params.hash)
        elif family == ALG_EC:
            entry.verify(sig, msg, params.ecdsa)
        else:
            entry.verify(sig, msg)
    except _INVALID_SIGNATURE:
        return False
    return True


cdef str _asym_token(object alg_obj, object key, bytes header_segment, bytes body):
    """The signed token for a built-in asymmetric algorithm (_algorithm_kind
    2), as PyJWS.encode makes it: raises what it raises; None when the
    general path must sign instead (a key that warns about its length)."""
    cdef int family
    cdef _AsymKey entry
    cdef _HashParams params = None
    cdef uint8_t raw[2 * EC_MAX_WIDTH]
    cdef bytes der
    if not _ASYM_READY:
        _asym_init()
    signing_input = header_segment + b"." + b64url_encode(body)
    found = _ALG_FAMILY.get(type(alg_obj))
    if found is not None:
        family = <int>found
        if family != ALG_OKP:
            params = _asym_hash_params(alg_obj.hash_alg)
        if family == ALG_OKP or params is not None:
            entry = _asym_usable_key(alg_obj, family, key, True)
            if entry is not None:
                if family == ALG_RSA:
                    signature = entry.sign(signing_input, _PKCS1V15, params.hash)
                elif family == ALG_PSS:
                    signature = entry.sign(signing_input, params.pss, params.hash)
                elif family == ALG_OKP:
                    signature = entry.sign(signing_input)
                else:
                    der = entry.sign(signing_input, params.ecdsa)
                    if _der_to_raw(<const uint8_t *>PyBytes_AS_STRING(der), PyBytes_GET_SIZE(der),
                                   raw, entry.width):
                        signature = PyBytes_FromStringAndSize(<char *>raw, 2 * entry.width)
                    else:  # never from cryptography; the algorithm's own conversion
                        signature = _EC_RAW_SIGNATURE(der, entry.width)
                return (signing_input + b"." + b64url_encode(signature)).decode("utf-8")
    # The algorithm's own methods, as PyJWS runs them.
    prepared = _PREPARE_KEY(alg_obj, key)
    if alg_obj.check_key_length(prepared) is not None:
        return None  # the general path warns, from the frames PyJWT warns from
    # b64url_encode refuses what PyJWT's base64url_encode refuses (a
    # sign() that returns None, say), with the same TypeError.
    signature = b64url_encode(alg_obj.sign(signing_input, prepared))
    return (signing_input + b"." + signature).decode("utf-8")
