"""RS* and PS* signatures checked by libcrypto directly (``_rsa_verify`` in
``_core_asym.pxi``), against PyJWT 2.15.1 on both cores.

The compiled core reads an RSA public key into libcrypto once (at the key
object's second verify) and keeps a verification context per padding and
hash; these tests hold it to cryptography's answers (through PyJWT): every
algorithm, several key sizes and exponents, signatures corrupted in every
way that reaches the RSA operation, PSS salts of other lengths, signatures
moved between paddings and hashes, one key used with all six set-ups in
turn, a key object used once and then again, many threads verifying with
one key at once, keys evicted from the core's cache, and libcrypto's error
queue left empty after a failure.
"""

from __future__ import annotations

import ctypes
import json
import threading
import types
from functools import cache
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import cyjwt
from _observe import both

pytestmark = pytest.mark.usefixtures("active_core")

CLAIMS = {"sub": "someone", "exp": 4102444800, "roles": ["a", "b"]}
ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
HASHES: dict[str, hashes.HashAlgorithm] = {
    "256": hashes.SHA256(),
    "384": hashes.SHA384(),
    "512": hashes.SHA512(),
}
# (modulus bits, public exponent)
SHAPES = [(2048, 65537), (3072, 3), (4096, 65537)]


@cache
def private_key(bits: int = 2048, exponent: int = 65537) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(exponent, bits)


def public_forms(private: rsa.RSAPrivateKey) -> list[Any]:
    """The public key as decode takes it: the object, PEM str, PEM bytes;
    each already verified with once, so that the compiled core checks with
    libcrypto from now on (it leaves a key's first verify to cryptography)."""
    text = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forms: list[Any] = [private.public_key(), text.decode(), text]
    token = cyjwt.encode({}, private, algorithm="RS256")
    for form in forms:
        cyjwt.decode(token, form, algorithms=["RS256"])
    return forms


def public_key(private: rsa.RSAPrivateKey) -> Any:
    """The public key object, already verified with once (public_forms)."""
    return public_forms(private)[0]


def with_signature(token: str, signature: bytes) -> str:
    head, _, _ = token.rpartition(".")
    return head + "." + cyjwt.utils.base64url_encode(signature).decode()


def decode_with(token: str, key: Any, alg: str) -> Any:
    return lambda lib: lib.decode_complete(token, key, algorithms=[alg])


def signing_input(alg: str, claims: dict[str, Any] = CLAIMS) -> bytes:
    header = cyjwt.utils.base64url_encode(b'{"alg":"' + alg.encode() + b'","typ":"JWT"}')
    body = cyjwt.utils.base64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    return header + b"." + body


def token_of(message: bytes, signature: bytes) -> str:
    return (message + b"." + cyjwt.utils.base64url_encode(signature)).decode()


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}-e{s[1]}")
@pytest.mark.parametrize("alg", ALGS)
def test_valid_tokens(alg: str, shape: tuple[int, int]) -> None:
    private = private_key(*shape)
    made = [cyjwt.encode(CLAIMS, private, algorithm=alg), pyjwt.encode(CLAIMS, private, alg)]
    forms = public_forms(private)
    for token in made:
        for key in forms:
            assert both(decode_with(token, key, alg))[0] == "ok"


@pytest.mark.parametrize("alg", ALGS)
def test_corrupted_signatures(alg: str) -> None:
    private = private_key()
    public, text = public_forms(private)[:2]
    token = cyjwt.encode(CLAIMS, private, algorithm=alg)
    sig = cyjwt.utils.base64url_decode(token.rpartition(".")[2])
    size = len(sig)
    modulus = public.public_numbers().n
    variants = [bytes([sig[0] ^ 0x80]) + sig[1:], sig[:-1] + bytes([sig[-1] ^ 1])]
    variants += [sig[:i] + bytes([sig[i] ^ 0x10]) + sig[i + 1 :] for i in range(1, size, 37)]
    variants += [
        b"",
        b"\x00",
        sig[:-1],
        sig + b"\x00",
        b"\x00" + sig,
        sig[1:],
        bytes(size),  # zero
        bytes(size - 1) + b"\x01",  # one
        b"\xff" * size,  # above the modulus
        modulus.to_bytes(size, "big"),
        (modulus - 1).to_bytes(size, "big"),
        sig * 2,
        sig[: size // 2],
    ]
    for variant in variants:
        for key in (public, text):
            assert both(decode_with(with_signature(token, variant), key, alg))[0] == "error"
    # The original still verifies afterwards (no context left in a bad state).
    assert both(decode_with(token, public, alg))[0] == "ok"


@pytest.mark.parametrize("bits", ["256", "384", "512"])
def test_pss_salt_lengths(bits: str) -> None:
    """PS* verifies a salt exactly as long as the digest, as cryptography is
    asked to through PyJWT: other lengths are refused alike."""
    private = private_key()
    public = public_key(private)
    digest = HASHES[bits]
    message = signing_input(f"PS{bits}")
    salts: list[Any] = [0, 20, digest.digest_size, digest.digest_size + 1, padding.PSS.MAX_LENGTH]
    for salt in salts:
        pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=salt)
        token = token_of(message, private.sign(message, pss, digest))
        seen = both(decode_with(token, public, f"PS{bits}"))
        assert seen[0] == ("ok" if salt == digest.digest_size else "error"), salt
    # MGF1 over another hash than the message's.
    other = hashes.SHA1() if bits != "256" else hashes.SHA512()
    pss = padding.PSS(mgf=padding.MGF1(other), salt_length=digest.digest_size)
    token = token_of(message, private.sign(message, pss, digest))
    assert both(decode_with(token, public, f"PS{bits}"))[0] == "error"


@pytest.mark.parametrize("alg", ALGS)
def test_signatures_moved_between_paddings_and_hashes(alg: str) -> None:
    """A signature made with one padding or hash, under a header naming
    another: refused alike."""
    private = private_key()
    public = public_key(private)
    message = signing_input(alg)
    for other in ALGS:
        if other == alg:
            continue
        digest = HASHES[other[2:]]
        if other.startswith("PS"):
            pad: padding.AsymmetricPadding = padding.PSS(
                mgf=padding.MGF1(digest), salt_length=digest.digest_size
            )
        else:
            pad = padding.PKCS1v15()
        token = token_of(message, private.sign(message, pad, digest))
        assert both(decode_with(token, public, alg))[0] == "error", other


def test_one_key_every_configuration_in_turn(active_core: types.ModuleType) -> None:
    """One key object used with the six set-ups in turn, valid and invalid
    signatures mixed: every answer as PyJWT's.  The compiled core keeps one
    context per set-up after a success, and drops the one a failure used."""
    private = private_key()
    public = public_key(private)
    tokens = {alg: cyjwt.encode(CLAIMS, private, algorithm=alg) for alg in ALGS}
    for _ in range(3):
        for alg in ALGS:
            good = tokens[alg]
            bad = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
            assert both(decode_with(good, public, alg))[0] == "ok"
            assert both(decode_with(bad, public, alg))[0] == "error"
    if active_core.IMPLEMENTATION == "cython":
        assert active_core._rsa_contexts(public) == (True, (0, 0, 0, 0, 0, 0))
    for alg in ALGS:
        assert both(decode_with(tokens[alg], public, alg))[0] == "ok"
    if active_core.IMPLEMENTATION == "cython":
        assert active_core._rsa_contexts(public) == (True, (1, 1, 1, 1, 1, 1))


def test_a_key_is_read_into_libcrypto_at_its_second_verify(active_core: types.ModuleType) -> None:
    """A key object verified with once (made per request) is left to
    cryptography; from its second verify on, libcrypto checks with it."""
    private = private_key()
    key = serialization.load_pem_public_key(public_forms(private)[2])
    token = cyjwt.encode(CLAIMS, private, algorithm="RS384")
    for expected in ((False, (0,) * 6), (True, (0, 1, 0, 0, 0, 0))):
        assert both(decode_with(token, key, "RS384"))[0] == "ok"
        if active_core.IMPLEMENTATION == "cython":
            assert active_core._rsa_contexts(key) == expected


def test_keys_kept_per_object_and_evicted(active_core: types.ModuleType) -> None:
    """More key objects than the core keeps (each read into libcrypto once),
    loaded from the same PEM: every decode right, the oldest forgotten."""
    private = private_key()
    text = public_forms(private)[2]
    token = cyjwt.encode(CLAIMS, private, algorithm="RS256")
    keys: list[Any] = [serialization.load_pem_public_key(text) for _ in range(300)]
    for key in keys:
        for _ in range(2):
            assert cyjwt.decode(token, key, algorithms=["RS256"]) == CLAIMS
    if active_core.IMPLEMENTATION == "cython":
        assert active_core._rsa_contexts(keys[-1]) == (True, (1, 0, 0, 0, 0, 0))
        assert active_core._rsa_contexts(keys[0]) is None
    for key in keys[:5]:
        assert cyjwt.decode(token, key, algorithms=["RS256"]) == CLAIMS


def test_threads_verifying_with_one_key(active_core: types.ModuleType) -> None:
    """Eight threads decode with one key object at once (the verify runs
    without the GIL, each thread on its own context): every answer right,
    and no more idle contexts kept than the bound."""
    private = private_key()
    public = public_key(private)
    good = [cyjwt.encode({**CLAIMS, "n": n}, private, algorithm="PS256") for n in range(40)]
    bad = [t[:-3] + ("AAA" if t[-3:] != "AAA" else "BBB") for t in good]
    start = threading.Barrier(8)
    failures: list[str] = []

    def work() -> None:
        start.wait()
        for _ in range(5):
            for n, (token, forged) in enumerate(zip(good, bad)):
                if cyjwt.decode(token, public, algorithms=["PS256"])["n"] != n:
                    failures.append(f"token {n}")
                try:
                    cyjwt.decode(forged, public, algorithms=["PS256"])
                    failures.append(f"forged {n} accepted")
                except cyjwt.InvalidSignatureError:
                    pass

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert cyjwt.decode(good[0], public, algorithms=["PS256"])["n"] == 0
    if active_core.IMPLEMENTATION == "cython":
        state = active_core._rsa_contexts(public)
        assert state[0] is True and 1 <= state[1][3] <= 4


def _core_libcrypto(core: types.ModuleType) -> Any:
    """The libcrypto the compiled core is linked with, when it is the one
    shared library of that name mapped in this process (not a bundled copy)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "libcrypto" in line.split()[-1]}
    except OSError:
        return None
    if len(paths) != 1:
        return None
    return ctypes.CDLL(paths.pop())


def test_failures_leave_no_openssl_errors(active_core: types.ModuleType) -> None:
    """A refused signature leaves nothing on libcrypto's error queue, which
    the ssl module shares with the compiled core."""
    if active_core.IMPLEMENTATION != "cython":
        pytest.skip("the compiled core's libcrypto")
    lib = _core_libcrypto(active_core)
    if lib is None:
        pytest.skip("the core's libcrypto is not a shared library found in /proc/self/maps")
    lib.ERR_peek_error.restype = ctypes.c_ulong
    lib.ERR_clear_error()
    private = private_key()
    public = public_key(private)
    token = cyjwt.encode(CLAIMS, private, algorithm="RS256")
    for variant in (b"", b"\xff" * 256, b"\x01" * 255, b"\x02" * 256):
        with pytest.raises(cyjwt.InvalidSignatureError):
            cyjwt.decode(with_signature(token, variant), public, algorithms=["RS256"])
        assert lib.ERR_peek_error() == 0
    assert active_core._rsa_contexts(public)[0] is True
