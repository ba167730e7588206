# The parts of OpenSSL's libcrypto that the compiled core calls (cimported
# by _core_c.pyx).  Only the SHA-2 block functions, the constant-time
# compare and the version string: HMAC is assembled from the SHA-2 calls
# in _core_hmac.pxi, so that a key's pads are hashed once per key.
# The low-level SHA*_Init/Update/Final calls are deprecated in OpenSSL 3
# but kept (setup.py sets OPENSSL_API_COMPAT); they exist in 1.1.1 too.

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
