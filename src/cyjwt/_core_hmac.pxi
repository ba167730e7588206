# HMAC-SHA2 over libcrypto's SHA-2 block functions, with each key's inner
# and outer pads hashed once (_HmacKey) and the context copied per call.
# Included by _core_c.pyx; the pure twin (hmac_sign, hmac_verify in
# _core_py.py) uses the hmac module.

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
