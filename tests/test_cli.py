"""The ``cyjwt`` command line (cyjwt.cli).

End-to-end tests run ``python -m cyjwt`` in a subprocess, once with the
compiled core and once with the pure-Python twin; the formatting and
parsing helpers are tested in-process.
"""

from __future__ import annotations

import hmac
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

import cyjwt
from _jwks_server import Server, running
from cyjwt import cli
from cyjwt._cli import text
from cyjwt._cli.parser import build_parser
from cyjwt._cli.text import UsageError

try:
    import cryptography  # noqa: F401

    HAS_CRYPTO = True
except ImportError:
    HAS_CRYPTO = False

needs_crypto = pytest.mark.skipif(not HAS_CRYPTO, reason="cryptography not installed")

SRC = str(Path(os.path.abspath(cyjwt.__file__)).parents[1])
SECRET = "cli-test-secret-of-at-least-32-bytes!"
NOW = int(time.time())

Run = Callable[..., "subprocess.CompletedProcess[str]"]


def _has_compiled_core() -> bool:
    try:
        import cyjwt._core_c  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(
    params=[
        pytest.param(
            "cython",
            marks=pytest.mark.skipif(not _has_compiled_core(), reason="compiled core not built"),
        ),
        "python",
    ]
)
def run(request: pytest.FixtureRequest) -> Run:
    """``python -m cyjwt ARGS`` with the given core; stdin is *input* (empty by default)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CYJWT_NO_EXTENSIONS")}
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    env["JWT_SECRET"] = SECRET
    if request.param == "python":
        env["CYJWT_NO_EXTENSIONS"] = "1"

    def call(
        *args: str, input: str = "", env_extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "cyjwt", *args],
            input=input,
            env={**env, **(env_extra or {})},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        _check(args, proc)
        return proc

    return call


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``cyjwt.cli.main(ARGS)`` in this process, with the core in use here;
    the same interface as :func:`run`."""
    monkeypatch.setenv("JWT_SECRET", SECRET)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def call(
        *args: str, input: str = "", env_extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        for name, value in (env_extra or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        proc = subprocess.CompletedProcess(list(args), code, out, err)
        _check(args, proc)
        return proc

    return call


def _check(args: tuple[str, ...], proc: subprocess.CompletedProcess[str]) -> None:
    # Never a traceback unless --debug; never a colour code off a terminal;
    # never the secret.
    if "--debug" not in args:
        assert "Traceback" not in proc.stderr, proc.stderr
    assert "\033[" not in proc.stdout + proc.stderr
    assert SECRET not in proc.stdout + proc.stderr


def _hs_token(claims: dict[str, Any] | None = None, **headers: Any) -> str:
    return cyjwt.encode(claims or {"sub": "42"}, SECRET, algorithm="HS256", headers=headers or None)


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def rsa_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not HAS_CRYPTO:
        pytest.skip("cryptography not installed")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    folder = tmp_path_factory.mktemp("keys")
    files = {
        "private": folder / "private.pem",
        "public": folder / "public.pem",
        "jwk": folder / "public.jwk",
        "encrypted": folder / "encrypted.pem",
    }
    files["private"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    files["encrypted"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    files["public"].write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    jwk = cyjwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    files["jwk"].write_text(json.dumps({**jwk, "kid": "rsa-1"}))
    return files


# --------------------------------------------------------------------------
# Subprocess tests, on both cores
# --------------------------------------------------------------------------


def test_encode_decode_verify_round_trip(run: Run) -> None:
    enc = run(
        "encode",
        "--alg",
        "HS256",
        "--secret-env",
        "JWT_SECRET",
        '{"role": "admin", "n": 1}',
        "-c",
        "sub=42",
        "-c",
        "scopes=[1, 2]",
        "-c",
        "team=blue",
        "--exp",
        "15m",
        "--nbf=-1m",
        "--iat",
        "--kid",
        "k1",
        "--header",
        "x-tenant=t9",
    )
    assert enc.returncode == 0, enc.stderr
    assert enc.stderr == ""
    token = enc.stdout.strip()
    assert token.count(".") == 2 and "\n" not in token

    header = cyjwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "kid": "k1", "typ": "JWT", "x-tenant": "t9"}
    claims = cyjwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "42" and claims["scopes"] == [1, 2] and claims["team"] == "blue"
    assert claims["role"] == "admin" and claims["n"] == 1
    assert abs(claims["exp"] - claims["iat"] - 900) <= 1
    assert abs(claims["nbf"] - claims["iat"] + 60) <= 1

    dec = run("decode", "--json", token)
    assert dec.returncode == 0
    assert json.loads(dec.stdout) == {"header": header, "payload": claims, "verified": False}
    assert "not verified" in _error_line(dec)

    ok = run("verify", "--alg", "HS256", "--secret-env", "JWT_SECRET", "--json", input=token)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"valid": True, "header": header, "payload": claims}

    bad = run(
        "verify", token, "--alg", "HS256", "--secret-env", "OTHER", env_extra={"OTHER": "x" * 32}
    )
    assert bad.returncode == 1 and bad.stdout == ""
    assert _error_line(bad) == "InvalidSignatureError: Signature verification failed"

    enc_json = run("--json", "encode", "--alg", "HS512", "--secret-env", "JWT_SECRET")
    assert enc_json.returncode == 0
    assert cyjwt.decode(json.loads(enc_json.stdout)["token"], SECRET, algorithms=["HS512"]) == {}


def test_decode_human_output_from_stdin(run: Run) -> None:
    # The clock now, not at import: a long run must not turn "4 min" into "3 min".
    now = int(time.time())
    token = _hs_token({"sub": "42", "exp": now + 270, "iat": now - 7200, "name": "Zoë"})
    proc = run("decode", input=f"  Bearer {token}\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Header\n{\n")
    assert '"name": "Zoë"' in out
    assert "Times" in out and "UTC" in out
    assert "expires in 4 min" in out
    assert "issued 2 h ago" in out or "issued 1 h ago" in out
    assert "signature not verified" in _error_line(proc)

    proc = run("decode", "-", input=f"Authorization: Bearer {token}")
    assert proc.returncode == 0 and "Payload" in proc.stdout


def test_bad_input_exit_statuses(run: Run) -> None:
    proc = run("decode", "not-a-token")
    assert proc.returncode == 1
    assert _error_line(proc) == "DecodeError: Not enough segments"

    proc = run("decode", "a.b.c", "--json")
    assert proc.returncode == 1
    error = json.loads(proc.stdout)["error"]
    assert error["type"] == "DecodeError"
    assert _error_line(proc) == f"DecodeError: {error['message']}"

    proc = run("decode", input="   \n")
    assert proc.returncode == 2
    assert _error_line(proc) == "cyjwt: error: empty token"

    token = _hs_token()
    proc = run("verify", token, "--alg", "HS256")
    assert proc.returncode == 2
    assert _error_line(proc).startswith("cyjwt: error: verify needs a key")
    proc = run("verify", token, "--alg", "HS256", "--key", "/nonexistent/key.pem")
    assert proc.returncode == 2
    assert _error_line(proc).startswith("cyjwt: error: cannot read key file")
    proc = run("verify", token, "--secret-env", "JWT_SECRET")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].endswith("the following arguments are required: --alg")


def test_verify_refusals(invoke: Run) -> None:
    token = _hs_token({"sub": "42", "aud": "api", "exp": NOW - 3600})
    common = ["--alg", "HS256", "--secret-env", "JWT_SECRET"]

    proc = invoke("verify", token, *common, "--aud", "api")
    assert proc.returncode == 1
    assert _error_line(proc) == "ExpiredSignatureError: Signature has expired"
    assert proc.stdout == ""

    proc = invoke("verify", token, *common, "--leeway", "2h", "--aud", "other", "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {
        "valid": False,
        "error": {"type": "InvalidAudienceError", "message": "Audience doesn't match"},
    }

    proc = invoke(
        "verify", token, *common, "--leeway", "2h", "--aud", "api", "--require", "exp,jti"
    )
    assert proc.returncode == 1
    assert _error_line(proc) == 'MissingRequiredClaimError: Token is missing the "jti" claim'

    proc = invoke(
        "verify", token, *common, "--leeway", "2h", "--aud", "api", "--sub", "42", "--iss", "x"
    )
    assert proc.returncode == 1
    assert _error_line(proc) == 'MissingRequiredClaimError: Token is missing the "iss" claim'

    proc = invoke(
        "verify", token, "--alg", "HS256", "--secret-env", "OTHER", env_extra={"OTHER": "x" * 32}
    )
    assert proc.returncode == 1
    assert _error_line(proc) == "InvalidSignatureError: Signature verification failed"

    proc = invoke("verify", "--alg", "HS256", "--secret-env", "JWT_SECRET", input="garbage.token")
    assert proc.returncode == 1
    assert _error_line(proc).startswith("DecodeError: ")


def test_verify_valid_human_output(invoke: Run, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_bytes(SECRET.encode())
    token = _hs_token({"sub": "42", "iss": "https://issuer", "exp": NOW + 3 * 3600})
    proc = invoke(
        "verify", token, "--alg", "HS256", "--key", str(secret_file), "--iss", "https://issuer"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Valid: signature (HS256) and claims verified\n")
    assert "expires in 2 h" in proc.stdout or "expires in 3 h" in proc.stdout
    assert proc.stderr == ""

    # A secret file written with echo carries a newline, which is part of the key.
    secret_file.write_bytes(SECRET.encode() + b"\n")
    proc = invoke("verify", token, "--alg", "HS256", "--key", str(secret_file))
    assert proc.returncode == 1
    first, hint = proc.stderr.splitlines()
    assert first == "InvalidSignatureError: Signature verification failed"
    assert hint.startswith("cyjwt: hint: the key file") and "newline" in hint


def test_usage_errors_exit_2(invoke: Run, tmp_path: Path) -> None:
    token = _hs_token()
    cases: list[tuple[list[str], str]] = [
        (["verify", token, "--alg", "HS256"], "verify needs a key"),
        (
            ["verify", token, "--alg", "HS256", "--key", str(tmp_path / "missing")],
            "cannot read key file",
        ),
        (["verify", token, "--alg", "HS256", "--key", str(tmp_path)], "cannot read key file"),
        (["verify", token, "--alg", "HS256", "--secret-env", "CYJWT_UNSET_VAR"], "is not set"),
        (["verify", token, "--alg", "hs256", "--secret-env", "JWT_SECRET"], "did you mean HS256?"),
        (["encode", "--alg", "HS256", "--secret-env", "JWT_SECRET", "{not json"], "not valid JSON"),
        (
            ["encode", "--alg", "HS256", "--secret-env", "JWT_SECRET", "[1]"],
            "must be a JSON object",
        ),
        (
            ["encode", "--alg", "HS256", "--secret-env", "JWT_SECRET", "--exp", "soon"],
            "not a duration",
        ),
        (["encode", "--alg", "HS256", "--secret-env", "JWT_SECRET", "-c", "novalue"], "NAME=VALUE"),
        (["encode", "--alg", "HS256"], "encode needs a key"),
        (["jwks", "file:///etc/passwd"], "Invalid JWKS URI scheme"),
    ]
    for args, message in cases:
        proc = invoke(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == ""
        line = _error_line(proc)
        assert line.startswith("cyjwt: error: ") and message in line, (args, line)

    # argparse's own errors: the usage line, then the error.
    proc = invoke("verify", token, "--secret-env", "JWT_SECRET")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].endswith("the following arguments are required: --alg")
    proc = invoke("verify", token, "--alg", "HS256", "--key", "k", "--secret-env", "JWT_SECRET")
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr
    proc = invoke("frobnicate")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


@needs_crypto
def test_rs256_with_pem_and_jwk_files(run: Run, rsa_files: dict[str, Path]) -> None:
    enc = run("encode", "--alg", "RS256", "--key", str(rsa_files["private"]), "-c", "sub=1")
    assert enc.returncode == 0, enc.stderr
    token = enc.stdout.strip()

    for key in ("public", "jwk"):
        proc = run("verify", token, "--alg", "RS256", "--key", str(rsa_files[key]), "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["payload"] == {"sub": "1"}

    # Algorithm confusion: a token MACed with the public key as HMAC secret.
    b64 = cyjwt.utils.base64url_encode
    signing_input = b64(b'{"alg":"HS256"}') + b"." + b64(b'{"sub":"1"}')
    mac = hmac.digest(rsa_files["public"].read_bytes(), signing_input, "sha256")
    forged = (signing_input + b"." + b64(mac)).decode()
    proc = run("verify", forged, "--alg", "HS256", "--key", str(rsa_files["public"]))
    assert proc.returncode == 1
    assert _error_line(proc).startswith("InvalidKeyError: ")

    # An unexpected error is one line; --debug adds the traceback.
    args = ["encode", "--alg", "RS256", "--key", str(rsa_files["encrypted"])]
    proc = run(*args)
    assert proc.returncode == 1
    line = _error_line(proc)
    assert line.startswith("cyjwt: error: TypeError: ") and "--debug" in line
    proc = run(*args, "--debug")
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.splitlines()[-1] == line


def test_secrets_are_not_printed(invoke: Run, tmp_path: Path) -> None:
    jwk_file = tmp_path / "oct.jwk"
    secret_b64 = cyjwt.utils.base64url_encode(SECRET.encode()).decode()
    # An unknown alg makes PyJWK put the whole JWK in its message.
    jwk_file.write_text(json.dumps({"kty": "oct", "k": secret_b64, "alg": "HS999"}))
    token = _hs_token()
    for debug in ([], ["--debug"]):
        proc = invoke("verify", token, "--alg", "HS256", "--key", str(jwk_file), *debug)
        assert proc.returncode == 2
        assert "PyJWKError" in proc.stderr
        assert secret_b64 not in proc.stderr and "***" in proc.stderr

    jwk_file.write_text(json.dumps({"kty": "oct", "k": secret_b64, "kid": "o1"}))
    proc = invoke("verify", token, "--alg", "HS256", "--key", str(jwk_file), "--json")
    assert proc.returncode == 0, proc.stderr
    assert secret_b64 not in proc.stdout


def _jwks_document() -> dict[str, Any]:
    keys: list[dict[str, Any]] = [
        {
            "kty": "oct",
            "kid": "hmac-1",
            "use": "sig",
            "alg": "HS256",
            "k": cyjwt.utils.base64url_encode(SECRET.encode()).decode(),
        },
        {"kty": "XYZ", "kid": "strange"},
    ]
    if HAS_CRYPTO:
        from cryptography.hazmat.primitives.asymmetric import ec

        public = ec.generate_private_key(ec.SECP256R1()).public_key()
        keys.append({**cyjwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True), "kid": "ec-1"})
    return {"keys": keys}


@pytest.fixture
def jwks_server() -> Iterator[Server]:
    with running() as srv:
        srv.json("/jwks.json", _jwks_document())
        yield srv


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"


def test_jwks_listing_and_verify(run: Run, jwks_server: Server) -> None:
    url = jwks_server.url("/jwks.json")
    proc = run("jwks", url)
    assert proc.returncode == 0, proc.stderr
    head, *lines = proc.stdout.splitlines()
    assert head.split() == ["KID", "KTY", "ALG", "USE", "SIZE/CURVE", "STATUS"]
    assert lines[0].split()[:6] == ["hmac-1", "oct", "HS256", "sig", "296", "bits"]
    assert "PRIVATE KEY MATERIAL" in lines[0]
    assert lines[1].split()[:2] == ["strange", "XYZ"] and "unusable (InvalidKeyError)" in lines[1]
    assert "publishes private key material" in _error_line(proc)

    proc = run("--json", "jwks", url)
    rows = json.loads(proc.stdout)
    assert rows[0] == {
        "kid": "hmac-1",
        "kty": "oct",
        "alg": "HS256",
        "use": "sig",
        "size": 296,
        "curve": None,
        "private": True,
        "usable": True,
        "error": None,
    }
    if HAS_CRYPTO:
        assert rows[2]["kid"] == "ec-1" and rows[2]["curve"] == "P-256" and rows[2]["usable"]

    token = _hs_token({"sub": "42"}, kid="hmac-1")
    proc = run("verify", token, "--alg", "HS256", "--jwks", url, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["payload"] == {"sub": "42"}

    proc = run("verify", _hs_token(kid="unknown"), "--alg", "HS256", "--jwks", url)
    assert proc.returncode == 1
    assert _error_line(proc).startswith("PyJWKClientError: Unable to find a signing key")


def test_jwks_server_down(run: Run) -> None:
    url = _closed_port_url()
    proc = run("jwks", url, "--timeout", "5")
    assert proc.returncode == 1
    assert _error_line(proc).startswith("PyJWKClientConnectionError: Fail to fetch data")

    proc = run("verify", _hs_token(kid="k"), "--alg", "HS256", "--jwks", url, "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["type"] == "PyJWKClientConnectionError"


# --------------------------------------------------------------------------
# Subprocess tests that do not depend on the core
# --------------------------------------------------------------------------


def _plain_run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    return subprocess.run(
        list(args), env=env, capture_output=True, text=True, timeout=60, check=False, **kwargs
    )


def test_help_has_an_example_per_subcommand() -> None:
    proc = _plain_run(sys.executable, "-m", "cyjwt", "--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: cyjwt ")
    for command in ("decode", "verify", "encode", "jwks"):
        assert f"  cyjwt {command} " in proc.stdout
    for command in ("decode", "verify", "encode", "jwks"):
        out = io.StringIO()
        parser = build_parser()
        with pytest.raises(SystemExit):
            sys.stdout, saved = out, sys.stdout
            try:
                parser.parse_args([command, "--help"])
            finally:
                sys.stdout = saved
        assert f"example:\n  cyjwt {command} " in out.getvalue()


def test_importing_cyjwt_does_not_import_the_cli() -> None:
    code = "import sys, cyjwt; print(sorted(m for m in sys.modules if m.startswith(('cyjwt.cli', 'cyjwt._cli'))))"
    proc = _plain_run(sys.executable, "-c", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_console_script_is_installed() -> None:
    script = shutil.which("cyjwt", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("no cyjwt console script next to this interpreter")
    proc = _plain_run(script, "--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"cyjwt {cyjwt.CYJWT_VERSION} (")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_only_on_a_terminal() -> None:
    import pty

    token = _hs_token({"sub": "42"})

    def on_tty(*args: str, env_extra: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
        env.update(env_extra)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "cyjwt", *args],
                stdin=subprocess.DEVNULL,
                stdout=follower,
                stderr=subprocess.PIPE,
                env=env,
                timeout=60,
                check=False,
            )
            os.close(follower)
            follower = -1
            assert proc.returncode == 0, proc.stderr
            chunks = []
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO once the other side is closed (Linux)
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks).decode()
        finally:
            os.close(leader)
            if follower != -1:
                os.close(follower)

    coloured = on_tty("decode", token, env_extra={})
    assert '\033[34m"sub"\033[0m' in coloured
    assert "\033[" not in on_tty("decode", token, env_extra={"NO_COLOR": "1"})
    assert "\033[" not in on_tty("decode", "--no-color", token, env_extra={})
    assert "\033[" not in on_tty("decode", "--json", token, env_extra={})


# --------------------------------------------------------------------------
# In-process: helpers
# --------------------------------------------------------------------------


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_color_enabled() -> None:
    assert text.color_enabled(_Stream(True), {})
    assert text.color_enabled(_Stream(True), {"NO_COLOR": ""})
    assert not text.color_enabled(_Stream(True), {"NO_COLOR": "1"})
    assert not text.color_enabled(_Stream(True), {}, no_color=True)
    assert not text.color_enabled(_Stream(False), {})
    closed = _Stream(True)
    closed.close()
    assert not text.color_enabled(io.StringIO(), {})


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [True, None, 2.5, "x\u00e9"], "c": {}, "d": [], "e": {"f": [{"g": "h"}]}},
        [],
        "plain",
        {"nested": {"deeper": {"list": [1, [2, [3]]]}}},
    ],
)
def test_render_json(value: Any) -> None:
    plain = text.render_json(value)
    assert plain == json.dumps(value, indent=2, ensure_ascii=False)
    coloured = text.render_json(value, color=True)
    stripped = coloured
    for code in ("\033[0m", "\033[34m", "\033[32m", "\033[36m", "\033[35m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain
    if isinstance(value, dict):
        assert "\033[34m" in coloured


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0 s"),
        (45.9, "45 s"),
        (-89, "89 s"),
        (90, "1 min"),
        (4 * 60 + 59, "4 min"),
        (89 * 60, "89 min"),
        (2 * 3600, "2 h"),
        (35 * 3600, "35 h"),
        (36 * 3600, "1 day"),
        (3 * 86400, "3 days"),
        (729 * 86400, "729 days"),
        (5 * 366 * 86400, "5 years"),
    ],
)
def test_format_relative(seconds: float, expected: str) -> None:
    assert text.format_relative(seconds) == expected


def test_describe_time() -> None:
    now = 1_800_000_000
    assert text.describe_time("exp", now + 240, now) == (
        "2027-01-15 08:04:00 UTC",
        "expires in 4 min",
    )
    assert text.describe_time("exp", now - 7200, now)[1] == "expired 2 h ago"  # type: ignore[index]
    assert text.describe_time("exp", now, now)[1] == "expired 0 s ago"  # type: ignore[index]
    assert text.describe_time("nbf", now + 60, now)[1] == "not valid for another 60 s"  # type: ignore[index]
    assert text.describe_time("nbf", now - 60, now)[1] == "valid since 60 s ago"  # type: ignore[index]
    assert text.describe_time("iat", now - 3600, now)[1] == "issued 60 min ago"  # type: ignore[index]
    assert text.describe_time("iat", now + 10, now)[1] == "issued in the future (in 10 s)"  # type: ignore[index]
    assert text.describe_time("auth_time", now - 10, now)[1] == "10 s ago"  # type: ignore[index]
    assert text.describe_time("exp", 1.5e300, now) == ("out of range", "")
    assert text.describe_time("exp", "soon", now) is None
    assert text.describe_time("exp", True, now) is None


def test_parse_duration_and_time() -> None:
    assert text.parse_duration("90") == 90
    assert text.parse_duration("30s") == 30
    assert text.parse_duration("15m") == text.parse_duration("15min") == 900
    assert text.parse_duration("2h") == 7200
    assert text.parse_duration("1d") == 86400
    assert text.parse_duration("1w") == 604800
    assert text.parse_duration("1h30m") == 5400
    assert text.parse_duration("-5m") == -300
    for bad in ("", "m", "5x", "1.5h", "h5", "5m3", "--5"):
        with pytest.raises(UsageError):
            text.parse_duration(bad)
    now = 1_700_000_000
    assert text.parse_time("15m", now) == now + 900
    assert text.parse_time("-1m", now) == now - 60
    assert text.parse_time("@1800000000", now) == 1_800_000_000
    assert text.parse_time("2030-01-01", now) == 1_893_456_000
    assert text.parse_time("2030-01-01T00:00:00Z", now) == 1_893_456_000
    assert text.parse_time("2030-01-01T02:00:00+02:00", now) == 1_893_456_000
    with pytest.raises(UsageError):
        text.parse_time("2030-13-01", now)


def test_parse_assignment() -> None:
    strings = text.STRING_CLAIMS
    assert text.parse_assignment("n=42") == ("n", 42)
    assert text.parse_assignment("flag=true") == ("flag", True)
    assert text.parse_assignment("list=[1, 2]") == ("list", [1, 2])
    assert text.parse_assignment('obj={"a": null}') == ("obj", {"a": None})
    assert text.parse_assignment('q="42"') == ("q", "42")
    assert text.parse_assignment("role=admin") == ("role", "admin")
    assert text.parse_assignment("empty=") == ("empty", "")
    assert text.parse_assignment("eq=a=b") == ("eq", "a=b")
    assert text.parse_assignment("sub=42", strings) == ("sub", "42")
    assert text.parse_assignment('sub="42"', strings) == ("sub", "42")
    assert text.parse_assignment("jti=null", strings) == ("jti", "null")
    for bad in ("novalue", "=value"):
        with pytest.raises(UsageError):
            text.parse_assignment(bad)


def test_clean_token() -> None:
    assert text.clean_token("  abc.def.ghi \n") == "abc.def.ghi"
    assert text.clean_token("Bearer abc") == "abc"
    assert text.clean_token("bearer\tabc") == "abc"
    assert text.clean_token("Authorization: Bearer abc") == "abc"
    assert text.clean_token("Bearerabc") == "Bearerabc"
    for bad in ("", "  \n", "Bearer  "):
        with pytest.raises(UsageError):
            text.clean_token(bad)


def test_jwks_rows_and_table() -> None:
    rows = text.jwks_rows(_jwks_document())
    assert [r["kid"] for r in rows][:2] == ["hmac-1", "strange"]
    assert rows[1]["usable"] is False and rows[1]["error"] == "InvalidKeyError"
    rsa_n = cyjwt.utils.base64url_encode(b"\x00" + b"\xff" * 256).decode()
    rows = text.jwks_rows({"keys": [{"kty": "RSA", "n": rsa_n, "e": "AQAB"}, "junk"]})
    assert rows[0]["size"] == 2048 and rows[0]["private"] is False
    assert rows[1] == {"kid": None, "usable": False, "error": "not a JSON object"}
    table = text.format_table(rows)
    assert table[1].split()[:5] == ["-", "RSA", "-", "-", "2048"]
    assert table[2].split()[:2] == ["-", "-"]
    assert len({len(line) for line in table[:2]}) <= 2
    empties: list[Any] = [{}, {"keys": []}, {"keys": "x"}, []]
    for empty in empties:
        with pytest.raises(cyjwt.PyJWKSetError):
            text.jwks_rows(empty)


# --------------------------------------------------------------------------
# In-process: main()
# --------------------------------------------------------------------------


def test_main_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("cyjwt ")
    assert cli.main([]) == 2
    assert "required" in capsys.readouterr().err

    assert cli.main(["encode", "--alg", "HS256", "--secret-env", "JWT_SECRET", "-c", "sub=x"]) == 0
    token = capsys.readouterr().out.strip()
    assert cyjwt.decode(token, SECRET, algorithms=["HS256"]) == {"sub": "x"}

    # Options are accepted before and after the subcommand.
    assert cli.main(["--json", "decode", token]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is False
    assert cli.main(["decode", token, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is False

    # A short HMAC key: the library's warning is one line on stderr.
    monkeypatch.setenv("SHORT", "short")
    assert cli.main(["verify", token, "--alg", "HS256", "--secret-env", "SHORT"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("cyjwt: warning: InsecureKeyLengthWarning: ")
    assert err[1] == "InvalidSignatureError: Signature verification failed"

    monkeypatch.setenv("EMPTY", "")
    assert cli.main(["verify", token, "--alg", "HS256", "--secret-env", "EMPTY"]) == 2
    assert capsys.readouterr().err == "cyjwt: error: environment variable EMPTY is empty\n"

    # "none" needs no key, and never verifies.
    assert cli.main(["verify", token, "--alg", "none"]) == 1
    assert (
        capsys.readouterr().err == "InvalidAlgorithmError: The specified alg value is not allowed\n"
    )


def test_jwk_set_file_picks_the_key_by_kid(invoke: Run, tmp_path: Path) -> None:
    set_file = tmp_path / "keys.json"
    b64 = cyjwt.utils.base64url_encode
    other = "another-secret-of-at-least-32-bytes!"
    set_file.write_text(
        json.dumps(
            {
                "keys": [
                    {"kty": "oct", "kid": "a", "k": b64(other.encode()).decode()},
                    {"kty": "oct", "kid": "b", "k": b64(SECRET.encode()).decode()},
                ]
            }
        )
    )
    key_args = ["--alg", "HS256", "--key", str(set_file)]
    proc = invoke("verify", _hs_token(kid="b"), *key_args)
    assert proc.returncode == 0, proc.stderr
    proc = invoke("verify", _hs_token(kid="c"), *key_args)
    assert proc.returncode == 1
    assert _error_line(proc) == (
        f"PyJWKSetError: no single key in the JWK Set of key file {set_file} matches kid 'c'"
    )
    proc = invoke("verify", _hs_token(), *key_args)
    assert proc.returncode == 1 and "matches kid None" in proc.stderr

    # encode: --kid picks the key and is written into the header.
    proc = invoke("encode", "--kid", "a", *key_args)
    assert proc.returncode == 0, proc.stderr
    token = proc.stdout.strip()
    assert cyjwt.get_unverified_header(token)["kid"] == "a"
    assert cyjwt.decode(token, other, algorithms=["HS256"]) == {}


def test_unsigned_tokens(invoke: Run) -> None:
    proc = invoke("encode", "--alg", "none", "-c", "sub=1")
    assert proc.returncode == 0, proc.stderr
    token = proc.stdout.strip()
    assert token.endswith(".")
    assert json.loads(invoke("decode", token, "--json").stdout)["header"]["alg"] == "none"
    # Nothing verifies an unsigned token.
    proc = invoke("verify", token, "--alg", "none")
    assert proc.returncode == 1
    assert _error_line(proc).startswith("InvalidSignatureError: ")
