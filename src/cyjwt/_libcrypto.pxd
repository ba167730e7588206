# The parts of OpenSSL's libcrypto that the compiled core calls (cimported
# by _core_c.pyx): the SHA-2 block functions, the constant-time compare,
# the version string, and RSA signature verification.  HMAC is assembled
# from the SHA-2 calls in _core_hmac.pxi, so that a key's pads are hashed
# once per key.
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

# RSA signature verification (_core_asym.pxi): a public key read once from
# its PKCS#1 DER form, and verification contexts set up once per key and
# padding.  The key is read with the RSA-specific d2i_RSAPublicKey (about
# 1 us), not d2i_PUBKEY, which goes through OpenSSL 3.0's generic decoders
# (about 100 us).  In OpenSSL 1.1.1 the EVP_PKEY_CTX_set_* calls and
# EVP_PKEY_assign_RSA are macros; in 3.x most are functions.
cdef extern from "openssl/evp.h" nogil:
    ctypedef struct EVP_PKEY:
        pass
    ctypedef struct EVP_PKEY_CTX:
        pass
    ctypedef struct EVP_MD:
        pass
    ctypedef struct ENGINE:
        pass
    const EVP_MD *EVP_sha256()
    const EVP_MD *EVP_sha384()
    const EVP_MD *EVP_sha512()
    EVP_PKEY *EVP_PKEY_new()
    void EVP_PKEY_free(EVP_PKEY *pkey)
    EVP_PKEY_CTX *EVP_PKEY_CTX_new(EVP_PKEY *pkey, ENGINE *e)
    void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx)
    int EVP_PKEY_verify_init(EVP_PKEY_CTX *ctx)
    int EVP_PKEY_verify(EVP_PKEY_CTX *ctx, const unsigned char *sig, size_t siglen,
                        const unsigned char *tbs, size_t tbslen)

cdef extern from "openssl/rsa.h" nogil:
    ctypedef struct RSA:
        pass
    RSA *d2i_RSAPublicKey(RSA **a, const unsigned char **pp, long length)
    void RSA_free(RSA *r)
    int EVP_PKEY_assign_RSA(EVP_PKEY *pkey, RSA *key)
    int RSA_PKCS1_PADDING
    int RSA_PKCS1_PSS_PADDING
    int EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad)
    int EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *ctx, const EVP_MD *md)
    int EVP_PKEY_CTX_set_rsa_pss_saltlen(EVP_PKEY_CTX *ctx, int saltlen)
    int EVP_PKEY_CTX_set_rsa_mgf1_md(EVP_PKEY_CTX *ctx, const EVP_MD *md)

cdef extern from "openssl/err.h" nogil:
    void ERR_clear_error()
