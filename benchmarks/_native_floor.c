/*
 * The native floor of the comparison runner: the steps of an HMAC JWT
 * encode / decode done in C, with nothing a JWT library adds (no claim
 * validation, no options, no error classes).  It shows how close a library
 * gets to what the machine can do.
 *
 *   decode(token: str, secret: bytes, bits: int) -> object
 *       split, base64url-decode the signature, HMAC-SHA-<bits> of the
 *       signing input with libcrypto's SHA functions, CRYPTO_memcmp,
 *       base64url-decode the payload, and parse it with the JSON reader
 *       given to set_json().  The key's inner and outer pads are hashed once
 *       per secret (the last secret object is remembered), as a fast JWT
 *       library would do; a call copies the two hash states.
 *   encode(header_b64: bytes, claims: object, secret: bytes, bits: int) -> str
 *       the JSON writer given to set_json(), base64url, HMAC, base64url.
 *   header(token: str) -> object
 *       split, base64url-decode the first segment, parse it.
 *   set_json(loads, dumps) -> None
 *       the JSON reader and writer (orjson.loads / orjson.dumps: C code
 *       called straight from here, the fastest JSON one can call).
 *
 * Built at bench time by benchmarks/_native_build.py (link with -lcrypto).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

static PyObject *json_loads = NULL;
static PyObject *json_dumps = NULL;

static signed char b64_value[256];

static void b64_init(void)
{
    const char *alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    memset(b64_value, -1, sizeof(b64_value));
    for (int i = 0; i < 64; i++)
        b64_value[(unsigned char)alphabet[i]] = (signed char)i;
}

/* Decoded size of n unpadded base64url characters, or -1 if n is impossible. */
static Py_ssize_t b64_decoded_len(Py_ssize_t n)
{
    if (n % 4 == 1)
        return -1;
    return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
}

/* Decode n characters of src into dst (b64_decoded_len(n) bytes); 0 or -1. */
static int b64_decode(const unsigned char *src, Py_ssize_t n, unsigned char *dst)
{
    Py_ssize_t i = 0;
    unsigned int acc;
    for (; i + 4 <= n; i += 4) {
        int a = b64_value[src[i]], b = b64_value[src[i + 1]];
        int c = b64_value[src[i + 2]], d = b64_value[src[i + 3]];
        if ((a | b | c | d) < 0)
            return -1;
        acc = ((unsigned)a << 18) | ((unsigned)b << 12) | ((unsigned)c << 6) | (unsigned)d;
        *dst++ = (unsigned char)(acc >> 16);
        *dst++ = (unsigned char)(acc >> 8);
        *dst++ = (unsigned char)acc;
    }
    if (n - i >= 2) {
        int a = b64_value[src[i]], b = b64_value[src[i + 1]];
        int c = n - i == 3 ? b64_value[src[i + 2]] : 0;
        if ((a | b | c) < 0)
            return -1;
        acc = ((unsigned)a << 18) | ((unsigned)b << 12) | ((unsigned)c << 6);
        *dst++ = (unsigned char)(acc >> 16);
        if (n - i == 3)
            *dst++ = (unsigned char)(acc >> 8);
    }
    return 0;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encode n bytes of src into dst, unpadded; returns the characters written. */
static Py_ssize_t b64_encode(const unsigned char *src, Py_ssize_t n, char *dst)
{
    char *start = dst;
    Py_ssize_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned int acc = ((unsigned)src[i] << 16) | ((unsigned)src[i + 1] << 8) | src[i + 2];
        *dst++ = b64_alphabet[(acc >> 18) & 63];
        *dst++ = b64_alphabet[(acc >> 12) & 63];
        *dst++ = b64_alphabet[(acc >> 6) & 63];
        *dst++ = b64_alphabet[acc & 63];
    }
    if (n - i) {
        unsigned int acc = (unsigned)src[i] << 16;
        if (n - i == 2)
            acc |= (unsigned)src[i + 1] << 8;
        *dst++ = b64_alphabet[(acc >> 18) & 63];
        *dst++ = b64_alphabet[(acc >> 12) & 63];
        if (n - i == 2)
            *dst++ = b64_alphabet[(acc >> 6) & 63];
    }
    return dst - start;
}

/* ---- HMAC over precomputed pad states (RFC 2104) */

#define MAX_DIGEST 64
#define MAX_BLOCK 128

typedef union {
    SHA256_CTX s256;
    SHA512_CTX s512; /* also SHA-384 */
} sha_ctx;

static struct {
    PyObject *secret; /* the bytes object the pads were made from (a reference) */
    int bits;
    sha_ctx inner, outer;
} key_cache = {NULL, 0};

static void sha_init(sha_ctx *c, int bits)
{
    if (bits == 256) SHA256_Init(&c->s256);
    else if (bits == 384) SHA384_Init(&c->s512);
    else SHA512_Init(&c->s512);
}

static void sha_update(sha_ctx *c, int bits, const void *data, size_t n)
{
    if (bits == 256) SHA256_Update(&c->s256, data, n);
    else SHA512_Update(&c->s512, data, n); /* SHA384_Update is the same */
}

static void sha_final(sha_ctx *c, int bits, unsigned char *out)
{
    if (bits == 256) SHA256_Final(out, &c->s256);
    else if (bits == 384) SHA384_Final(out, &c->s512);
    else SHA512_Final(out, &c->s512);
}

static int digest_len(int bits) { return bits / 8; }

/* Make the pads for (secret, bits) unless they are cached; 0 or -1. */
static int hmac_key(PyObject *secret, int bits)
{
    if (bits != 256 && bits != 384 && bits != 512) {
        PyErr_SetString(PyExc_ValueError, "bits must be 256, 384 or 512");
        return -1;
    }
    if (!PyBytes_Check(secret)) {
        PyErr_SetString(PyExc_TypeError, "secret must be bytes");
        return -1;
    }
    if (key_cache.secret == secret && key_cache.bits == bits)
        return 0;
    size_t block = bits == 256 ? 64 : 128;
    unsigned char key[MAX_BLOCK] = {0}, pad[MAX_BLOCK];
    const unsigned char *raw = (const unsigned char *)PyBytes_AS_STRING(secret);
    size_t n = (size_t)PyBytes_GET_SIZE(secret);
    if (n > block) {
        sha_ctx c;
        sha_init(&c, bits);
        sha_update(&c, bits, raw, n);
        sha_final(&c, bits, key);
    } else {
        memcpy(key, raw, n);
    }
    for (size_t i = 0; i < block; i++) pad[i] = key[i] ^ 0x36;
    sha_init(&key_cache.inner, bits);
    sha_update(&key_cache.inner, bits, pad, block);
    for (size_t i = 0; i < block; i++) pad[i] = key[i] ^ 0x5c;
    sha_init(&key_cache.outer, bits);
    sha_update(&key_cache.outer, bits, pad, block);
    Py_INCREF(secret);
    Py_XSETREF(key_cache.secret, secret);
    key_cache.bits = bits;
    return 0;
}

/* HMAC of msg with the cached key; writes digest_len(bits) bytes. */
static void hmac_cached(const unsigned char *msg, size_t n, unsigned char *out)
{
    int bits = key_cache.bits;
    unsigned char inner[MAX_DIGEST];
    sha_ctx c = key_cache.inner;
    sha_update(&c, bits, msg, n);
    sha_final(&c, bits, inner);
    c = key_cache.outer;
    sha_update(&c, bits, inner, (size_t)digest_len(bits));
    sha_final(&c, bits, out);
}

static int check_json(void)
{
    if (json_loads == NULL || json_dumps == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "call set_json(loads, dumps) first");
        return -1;
    }
    return 0;
}

/* base64url-decode src[0:n] into a new bytes object and parse it as JSON. */
static PyObject *parse_segment(const char *src, Py_ssize_t n)
{
    Py_ssize_t size = b64_decoded_len(n);
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "bad base64url length");
        return NULL;
    }
    PyObject *raw = PyBytes_FromStringAndSize(NULL, size);
    if (raw == NULL)
        return NULL;
    if (b64_decode((const unsigned char *)src, n, (unsigned char *)PyBytes_AS_STRING(raw)) < 0) {
        Py_DECREF(raw);
        PyErr_SetString(PyExc_ValueError, "bad base64url");
        return NULL;
    }
    PyObject *out = PyObject_CallOneArg(json_loads, raw);
    Py_DECREF(raw);
    return out;
}

static PyObject *floor_decode(PyObject *self, PyObject *args)
{
    PyObject *token, *secret;
    int bits;
    if (!PyArg_ParseTuple(args, "UOi", &token, &secret, &bits))
        return NULL;
    if (hmac_key(secret, bits) < 0 || check_json() < 0)
        return NULL;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(token, &len);
    if (s == NULL)
        return NULL;
    const char *dot1 = memchr(s, '.', (size_t)len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(s + len - dot1 - 1)) : NULL;
    if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(s + len - dot2 - 1)) != NULL) {
        PyErr_SetString(PyExc_ValueError, "not three segments");
        return NULL;
    }
    unsigned char sig[MAX_DIGEST], mac[MAX_DIGEST];
    Py_ssize_t sig_chars = s + len - dot2 - 1;
    Py_ssize_t sig_len = b64_decoded_len(sig_chars);
    if (sig_len != digest_len(bits) ||
        b64_decode((const unsigned char *)dot2 + 1, sig_chars, sig) < 0) {
        PyErr_SetString(PyExc_ValueError, "bad signature encoding");
        return NULL;
    }
    hmac_cached((const unsigned char *)s, (size_t)(dot2 - s), mac);
    if (CRYPTO_memcmp(mac, sig, (size_t)sig_len) != 0) {
        PyErr_SetString(PyExc_ValueError, "bad signature");
        return NULL;
    }
    return parse_segment(dot1 + 1, dot2 - dot1 - 1);
}

static PyObject *floor_header(PyObject *self, PyObject *token)
{
    if (!PyUnicode_Check(token)) {
        PyErr_SetString(PyExc_TypeError, "token must be str");
        return NULL;
    }
    if (check_json() < 0)
        return NULL;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(token, &len);
    if (s == NULL)
        return NULL;
    const char *dot = memchr(s, '.', (size_t)len);
    if (dot == NULL) {
        PyErr_SetString(PyExc_ValueError, "no segments");
        return NULL;
    }
    return parse_segment(s, dot - s);
}

static PyObject *floor_encode(PyObject *self, PyObject *args)
{
    Py_buffer head;
    PyObject *claims, *secret;
    int bits;
    if (!PyArg_ParseTuple(args, "y*OOi", &head, &claims, &secret, &bits))
        return NULL;
    PyObject *result = NULL, *payload = NULL;
    char *buf = NULL;
    if (hmac_key(secret, bits) < 0 || check_json() < 0)
        goto done;
    payload = PyObject_CallOneArg(json_dumps, claims);
    if (payload == NULL)
        goto done;
    if (!PyBytes_Check(payload)) {
        PyErr_SetString(PyExc_TypeError, "the JSON writer must return bytes");
        goto done;
    }
    Py_ssize_t plen = PyBytes_GET_SIZE(payload);
    Py_ssize_t cap = head.len + 1 + (plen + 2) / 3 * 4 + 1 + (MAX_DIGEST + 2) / 3 * 4;
    buf = PyMem_Malloc((size_t)cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(buf, head.buf, (size_t)head.len);
    Py_ssize_t pos = head.len;
    buf[pos++] = '.';
    pos += b64_encode((const unsigned char *)PyBytes_AS_STRING(payload), plen, buf + pos);
    unsigned char mac[MAX_DIGEST];
    hmac_cached((const unsigned char *)buf, (size_t)pos, mac);
    buf[pos++] = '.';
    pos += b64_encode(mac, digest_len(bits), buf + pos);
    result = PyUnicode_DecodeASCII(buf, pos, NULL);
done:
    PyMem_Free(buf);
    Py_XDECREF(payload);
    PyBuffer_Release(&head);
    return result;
}

static PyObject *floor_set_json(PyObject *self, PyObject *args)
{
    PyObject *loads, *dumps;
    if (!PyArg_ParseTuple(args, "OO", &loads, &dumps))
        return NULL;
    Py_INCREF(loads);
    Py_INCREF(dumps);
    Py_XSETREF(json_loads, loads);
    Py_XSETREF(json_dumps, dumps);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"decode", floor_decode, METH_VARARGS, "decode(token, secret, bits) -> claims"},
    {"encode", floor_encode, METH_VARARGS, "encode(header_b64, claims, secret, bits) -> token"},
    {"header", floor_header, METH_O, "header(token) -> header"},
    {"set_json", floor_set_json, METH_VARARGS, "set_json(loads, dumps)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cyjwt_native_floor", "The native floor of the benchmarks.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__cyjwt_native_floor(void)
{
    b64_init();
    return PyModule_Create(&module);
}
