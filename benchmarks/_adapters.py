"""One adapter per library: turns an operation into a one-argument callable.

For every op an adapter returns ``fn(arg)`` or ``None`` (the library cannot do
it: shown as n/a).  ``arg`` is the claims dict for encode and the token for
decode / get_unverified_header.  Encode returns the token, decode returns the
claims (a plain dict), get_unverified_header returns the header dict.

Every call is written the way the library's documentation shows it: the
``algorithms=[...]`` list is built in the call, and the audience and issuer
are passed by keyword (``[alg]`` in a closure costs the same as the literal
``["HS256"]``: one list built per call).

"PEM" ops hand the key as a PEM string on every call; when a library has no
way to take a PEM string directly, its own PEM-loading call is made on every
call instead.  "keyobj" ops hand a key loaded once, in the library's own
preferred form (cryptography objects for PyJWT-style libraries).
"""

from __future__ import annotations

import hmac
import importlib
import json
import os
import warnings
from typing import Any, Callable, Optional

from ._fixtures import (
    HASHES,
    HMAC_SECRET,
    Fixtures,
    Op,
    b64d,
    b64e,
)

Fn = Callable[[Any], Any]


def _dist_version(*dists: str) -> Optional[str]:
    from importlib import metadata

    for d in dists:
        try:
            return metadata.version(d)
        except metadata.PackageNotFoundError:
            continue
    return None


class Adapter:
    key = ""  # short id used in JSON and on the command line
    label = ""  # shown in the table
    module = ""  # import name
    dists: tuple[str, ...] = ()
    validates_claims = True  # False only for the floors
    # why the package may be missing although the bench extra lists it
    missing_note = "not installed (`pip install -e . --group bench` installs it)"

    def __init__(self) -> None:
        self.mod: Any = None
        self.note = ""
        self.modversion: Optional[str] = None

    def load(self) -> bool:
        """Import the library; on failure keep a note and return False."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.mod = importlib.import_module(self.module)
                top = importlib.import_module(self.module.partition(".")[0])
        except ModuleNotFoundError as exc:
            top_name = self.module.partition(".")[0]
            if exc.name == top_name:
                self.note = self.missing_note
            else:
                self.note = f"not importable ({type(exc).__name__}: {exc})"
            return False
        except Exception as exc:  # a broken install
            self.note = f"not importable ({type(exc).__name__}: {exc})"
            return False
        self.modversion = getattr(top, "__version__", None)
        return True

    @property
    def version(self) -> Optional[str]:
        # the imported module's own version first: it is the code actually timed
        if self.modversion:
            return str(self.modversion)
        return _dist_version(*self.dists) if self.dists else None

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        raise NotImplementedError


# --------------------------------------------------------------------------- PyJWT-shaped


class PyJWTAdapter(Adapter):
    key = "pyjwt"
    label = "PyJWT"
    module = "jwt"
    dists: tuple[str, ...] = ("PyJWT",)

    def load(self) -> bool:
        if not super().load():
            return False
        # Another distribution can also own the import name "jwt".
        if not hasattr(self.mod, "PyJWT") or _dist_version("PyJWT") is None:
            self.note = "the importable 'jwt' module is not PyJWT"
            self.mod = None
            return False
        return True

    # keys in the form this library wants
    def enc_key(self, op: Op, fx: Fixtures) -> Any:
        if op.alg.startswith("HS"):
            return HMAC_SECRET
        kp = fx.keys[op.alg]
        return kp.private_pem if op.keyform == "pem" else kp.private_obj

    def dec_key(self, op: Op, fx: Fixtures) -> Any:
        if op.alg.startswith("HS"):
            return HMAC_SECRET
        kp = fx.keys[op.alg]
        return kp.public_pem if op.keyform == "pem" else kp.public_obj

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        m = self.mod
        alg = op.alg
        if op.kind == "header":
            header: Fn = m.get_unverified_header
            return header
        if op.kind == "encode":
            key = self.enc_key(op, fx)
            encode = m.encode
            return lambda claims: encode(claims, key, algorithm=alg)
        key = self.dec_key(op, fx)
        decode = m.decode
        ts = fx.tokenset(op)
        aud, iss = ts.audience, ts.issuer
        return lambda token: decode(token, key, algorithms=[alg], audience=aud, issuer=iss)


class CyjwtAdapter(PyJWTAdapter):
    key = "cyjwt"
    label = "cyjwt (compiled)"
    module = "cyjwt"
    dists = ("cyjwt",)
    want_impl = "cython"

    def load(self) -> bool:
        if not Adapter.load(self):
            return False
        impl = getattr(self.mod, "IMPLEMENTATION", None)
        if impl != self.want_impl:
            self.note = f"cyjwt.IMPLEMENTATION is {impl!r} here, not {self.want_impl!r}" + (
                " (the compiled core is not built)" if impl == "python" else ""
            )
            self.mod = None
            return False
        return True


class CyjwtPureAdapter(CyjwtAdapter):
    key = "cyjwt-pure"
    label = "cyjwt (pure Python)"
    want_impl = "python"


class PyJWTRsAdapter(PyJWTAdapter):
    """pyjwt-rs advertises the PyJWT API; used exactly like PyJWT."""

    key = "pyjwt-rs"
    label = "pyjwt-rs"
    module = "jwt_rs"
    dists = ("pyjwt-rs", "pyjwt_rs")
    missing_note = (
        "not installed: pyjwt-rs publishes no wheel for this platform, only a "
        "source distribution that needs a Rust toolchain, so the bench extra "
        "leaves it out"
    )

    def load(self) -> bool:
        return Adapter.load(self)

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        if op.kind == "header" and not hasattr(self.mod, "get_unverified_header"):
            return None
        return super().build(op, fx)


class OxyjwtAdapter(PyJWTAdapter):
    """oxyjwt: PyJWT-shaped, but asymmetric keys must be its own EncodingKey/DecodingKey."""

    key = "oxyjwt"
    label = "oxyjwt"
    module = "oxyjwt"
    dists = ("oxyjwt",)
    missing_note = (
        "not installed (`pip install -e . --group bench` installs it; its wheels "
        "need Python 3.10 or later)"
    )

    def load(self) -> bool:
        return Adapter.load(self)

    _suffix = {"RS256": "rsa", "PS256": "rsa", "ES256": "ec", "EdDSA": "ed"}

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        m = self.mod
        if op.kind == "header":
            header: Fn = m.get_unverified_header
            return header
        if op.alg.startswith("HS"):
            return super().build(op, fx)
        alg = op.alg
        kp = fx.keys[alg]
        if op.kind == "encode":
            loader = getattr(m.EncodingKey, f"from_{self._suffix[alg]}_pem")
            pem = kp.private_pem
        else:
            loader = getattr(m.DecodingKey, f"from_{self._suffix[alg]}_pem")
            pem = kp.public_pem
        encode, decode = m.encode, m.decode
        ts = fx.tokenset(op)
        aud, iss = ts.audience, ts.issuer
        if op.keyform == "obj":
            key = loader(pem)
            if op.kind == "encode":
                return lambda claims: encode(claims, key, algorithm=alg)
            return lambda token: decode(token, key, algorithms=[alg], audience=aud, issuer=iss)
        if op.kind == "encode":
            return lambda claims: encode(claims, loader(pem), algorithm=alg)
        return lambda token: decode(token, loader(pem), algorithms=[alg], audience=aud, issuer=iss)


# --------------------------------------------------------------------------- other APIs


class JoserfcAdapter(Adapter):
    key = "joserfc"
    label = "joserfc"
    module = "joserfc.jwt"
    dists = ("joserfc",)

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        from joserfc import jws
        from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

        jwt = self.mod
        if op.kind == "header":
            extract = jws.extract_compact
            return lambda token: dict(extract(token.encode("ascii")).protected)
        alg = op.alg
        header = {"alg": alg}
        ts = fx.tokenset(op)
        cls: Any = {"RS256": RSAKey, "PS256": RSAKey, "ES256": ECKey, "EdDSA": OKPKey}.get(
            alg, OctKey
        )
        if alg.startswith("HS"):
            key_obj = OctKey.import_key(HMAC_SECRET)
            pem = None
        else:
            pem = fx.keys[alg].private_pem if op.kind == "encode" else fx.keys[alg].public_pem
            key_obj = cls.import_key(pem)
        imp = cls.import_key
        if op.kind == "encode":
            encode = jwt.encode
            if op.keyform == "pem":
                return lambda claims: encode(header, claims, imp(pem), algorithms=[alg])
            return lambda claims: encode(header, claims, key_obj, algorithms=[alg])
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ts.issuer},
            aud={"essential": True, "value": ts.audience},
        )
        decode, validate = jwt.decode, registry.validate

        def dec(token: str, key: Any) -> dict[str, Any]:
            claims: dict[str, Any] = decode(token, key, algorithms=[alg]).claims
            validate(claims)
            return claims

        if op.keyform == "pem":
            return lambda token: dec(token, imp(pem))
        return lambda token: dec(token, key_obj)


class AuthlibAdapter(Adapter):
    key = "authlib"
    label = "authlib"
    module = "authlib.jose"
    dists = ("Authlib", "authlib")

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        if op.kind == "header":
            return None  # no public "read the header without verifying" helper
        m = self.mod
        alg = op.alg
        jwt = m.JsonWebToken([alg])
        header = {"alg": alg}
        if alg.startswith("HS"):
            key: Any = HMAC_SECRET
        else:
            pem = fx.keys[alg].private_pem if op.kind == "encode" else fx.keys[alg].public_pem
            key = pem if op.keyform == "pem" else m.JsonWebKey.import_key(pem)
        if op.kind == "encode":
            encode = jwt.encode
            return lambda claims: encode(header, claims, key).decode("ascii")
        ts = fx.tokenset(op)
        opts = {
            "iss": {"essential": True, "value": ts.issuer},
            "aud": {"essential": True, "value": ts.audience},
        }
        decode = jwt.decode

        def dec(token: str) -> dict[str, Any]:
            claims = decode(token, key, claims_options=opts)
            claims.validate()  # exp, nbf, iat, plus the options above
            return dict(claims)

        return dec


class PythonJoseAdapter(Adapter):
    key = "python-jose"
    label = "python-jose"
    module = "jose.jwt"
    dists = ("python-jose",)

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        from jose import jwk
        from jose.constants import ALGORITHMS

        jwt = self.mod
        if op.kind == "header":
            header: Fn = jwt.get_unverified_header
            return header
        alg = op.alg
        if alg not in ALGORITHMS.SUPPORTED:
            return None  # PS256, EdDSA
        if alg.startswith("HS"):
            key: Any = HMAC_SECRET.decode("ascii")
        else:
            pem = fx.keys[alg].private_pem if op.kind == "encode" else fx.keys[alg].public_pem
            key = pem if op.keyform == "pem" else jwk.construct(pem, alg)
        if op.kind == "encode":
            encode = jwt.encode
            return lambda claims: encode(claims, key, algorithm=alg)
        decode = jwt.decode
        ts = fx.tokenset(op)
        aud, iss = ts.audience, ts.issuer
        return lambda token: decode(token, key, algorithms=[alg], audience=aud, issuer=iss)


class JwcryptoAdapter(Adapter):
    key = "jwcrypto"
    label = "jwcrypto"
    module = "jwcrypto.jwt"
    dists = ("jwcrypto",)

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        from jwcrypto import jwk, jws

        JWT = self.mod.JWT
        if op.kind == "header":
            JWS = jws.JWS

            def header(token: str) -> dict[str, Any]:
                s = JWS()
                s.deserialize(token)
                jose_header: dict[str, Any] = s.jose_header
                return jose_header

            return header
        alg = op.alg
        if alg.startswith("HS"):
            key_obj = jwk.JWK(kty="oct", k=b64e(HMAC_SECRET))
            pem = b""
        else:
            pem = (
                fx.keys[alg].private_pem if op.kind == "encode" else fx.keys[alg].public_pem
            ).encode("ascii")
            key_obj = jwk.JWK.from_pem(pem)
        from_pem = jwk.JWK.from_pem
        per_call = op.keyform == "pem"
        if op.kind == "encode":
            jwt_header = {"alg": alg, "typ": "JWT"}

            def enc(claims: dict[str, Any]) -> str:
                t = JWT(header=jwt_header, claims=claims)
                t.make_signed_token(from_pem(pem) if per_call else key_obj)
                token: str = t.serialize()
                return token

            return enc
        ts = fx.tokenset(op)
        # None: must be present (and, for exp / nbf, be valid)
        check: dict[str, Any] = {"iss": ts.issuer, "aud": ts.audience}
        check.update({k: None for k in ("exp", "nbf") if k in ts.claims})
        loads = json.loads

        def dec(token: str) -> dict[str, Any]:
            t = JWT(
                jwt=token,
                key=from_pem(pem) if per_call else key_obj,
                algs=[alg],
                check_claims=check,
            )
            claims: dict[str, Any] = loads(t.claims)
            return claims

        return dec


# --------------------------------------------------------------------------- the floor


class FloorAdapter(Adapter):
    """The same steps done by hand in Python, and the raw crypto call.

    HMAC ops: ``hmac.digest`` + base64 + ``json`` (no claim validation): a
    Python-by-hand reference, which a compiled library beats.
    Asymmetric ops: the bare ``cryptography`` sign / verify call on the same
    signing input, with a key object loaded once (also for the PEM ops): the
    floor for those rows.
    get_unverified_header: split + base64 + ``json.loads``.
    """

    key = "floor"
    label = "Python by hand / raw crypto"
    module = "cryptography"
    dists = ("cryptography",)
    validates_claims = False

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        loads, dumps = json.loads, json.dumps
        if op.kind == "header":
            return lambda token: loads(b64d(token.split(".", 1)[0]))
        alg = op.alg
        if alg.startswith("HS"):
            digest_name = HASHES[alg]().name
            hdigest, compare = hmac.digest, hmac.compare_digest
            secret = HMAC_SECRET
            if op.kind == "encode":
                head = b64e(dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())

                def enc_hmac(claims: dict[str, Any]) -> str:
                    msg = head + "." + b64e(dumps(claims, separators=(",", ":")).encode())
                    return msg + "." + b64e(hdigest(secret, msg.encode("ascii"), digest_name))

                return enc_hmac

            def dec_hmac(token: str) -> dict[str, Any]:
                msg, _, sig = token.rpartition(".")
                if not compare(hdigest(secret, msg.encode("ascii"), digest_name), b64d(sig)):
                    raise ValueError("bad signature")
                claims: dict[str, Any] = loads(b64d(msg.partition(".")[2]))
                return claims

            return dec_hmac

        kp = fx.keys[alg]
        if alg == "RS256":
            args: tuple[Any, ...] = (padding.PKCS1v15(), hashes.SHA256())
        elif alg == "PS256":
            args = (padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        elif alg == "ES256":
            args = (ec.ECDSA(hashes.SHA256()),)
        else:
            args = ()
        valid = fx.tokenset(op).valid
        signing_input = valid.rpartition(".")[0].encode("ascii")
        if op.kind == "encode":
            sign = kp.private_obj.sign
            return lambda claims: sign(signing_input, *args)

        verify = kp.public_obj.verify
        cache: dict[str, tuple[bytes, bytes]] = {}

        def parse(token: str) -> tuple[bytes, bytes]:
            msg, _, s = token.rpartition(".")
            sig = b64d(s)
            if alg == "ES256":
                sig = encode_dss_signature(
                    int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
                )
            return sig, msg.encode("ascii")

        def dec_asym(token: str) -> None:
            # parsing is cached, so only the verify call itself is timed
            try:
                pair = cache[token]
            except KeyError:
                pair = cache[token] = parse(token)
            verify(pair[0], pair[1], *args)

        return dec_asym


class NativeFloorAdapter(FloorAdapter):
    """The floor: the HMAC and header ops done in C (benchmarks/_native_floor.c).

    base64url in C, HMAC-SHA-2 with libcrypto, orjson's C reader and writer
    called from C; no claim validation.  Asymmetric ops are the bare
    ``cryptography`` call, as in the row above (that call is the floor).
    """

    key = "native"
    label = "native floor (C)"
    module = "orjson"
    dists = ("orjson",)

    def load(self) -> bool:
        if not super().load():
            return False
        from ._native_build import load_native_floor

        self.native: Any
        self.native, why = load_native_floor()
        if self.native is None:
            self.note = why
            return False
        return True

    @property
    def version(self) -> Optional[str]:
        return f"C + orjson {_dist_version('orjson')}"

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        native = self.native
        if op.kind == "header":
            header: Fn = native.header
            return header
        if not op.alg.startswith("HS"):
            return super().build(op, fx)
        bits, secret = int(op.alg[2:]), HMAC_SECRET
        if op.kind == "encode":
            head = b64e(
                json.dumps({"alg": op.alg, "typ": "JWT"}, separators=(",", ":")).encode()
            ).encode("ascii")
            encode = native.encode
            return lambda claims: encode(head, claims, secret, bits)
        decode = native.decode
        return lambda token: decode(token, secret, bits)


# order = order of rows in the table
ADAPTERS: list[type[Adapter]] = [
    CyjwtAdapter,
    CyjwtPureAdapter,
    PyJWTAdapter,
    OxyjwtAdapter,
    PyJWTRsAdapter,
    JoserfcAdapter,
    AuthlibAdapter,
    PythonJoseAdapter,
    JwcryptoAdapter,
    FloorAdapter,
    NativeFloorAdapter,
]
ADAPTER_BY_KEY: dict[str, type[Adapter]] = {a.key: a for a in ADAPTERS}
LABELS: dict[str, str] = {a.key: a.label for a in ADAPTERS}


def no_extensions_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CYJWT_NO_EXTENSIONS"] = "1"
    return env
