"""The ``cyjwt`` command line: read, check, sign tokens and list JWKS keys.

``cyjwt decode``, ``verify``, ``encode`` and ``jwks`` (also ``python -m
cyjwt``).  Everything goes through cyjwt's public API; this module only
reads arguments, keys and tokens, and formats what comes back.

Exit status: 0 on success (``verify``: the token is valid), 1 when the
token is refused or the work fails (the exception's class and message on
stderr, one line), 2 on a usage error (bad arguments, no key, unreadable
file, claims that are not JSON).  With ``--json`` the result goes to stdout
as one JSON document, failures included (``{"error": {"type", "message"}}``;
``verify`` adds ``"valid": false``); usage errors only write to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import warnings
from typing import IO, Any, Callable, Optional

import cyjwt
from cyjwt.algorithms import get_default_algorithms, requires_cryptography
from cyjwt.exceptions import (
    InvalidSignatureError,
    PyJWKClientError,
    PyJWKSetError,
    PyJWTError,
)

from ._cli.parser import EXIT_USAGE, build_parser
from ._cli.text import (
    PRIVATE_JWK_MEMBERS,
    STRING_CLAIMS,
    TIME_CLAIMS,
    UsageError,
    clean_token,
    color_enabled,
    describe_time,
    format_table,
    jwks_rows,
    one_line,
    paint,
    parse_assignment,
    parse_duration,
    parse_time,
    render_json,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1


# --------------------------------------------------------------------------
# One run of the command
# --------------------------------------------------------------------------


class _Run:
    """The parsed arguments, the output streams and what must stay unsaid."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: IO[str] = sys.stdout
        self.err: IO[str] = sys.stderr
        self.json: bool = args.json
        self.color = not self.json and color_enabled(self.out, no_color=args.no_color)
        self.err_color = color_enabled(self.err, no_color=args.no_color)
        self.secrets: list[str] = []
        self.hint: str | None = None

    # -- output --

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def write(self, text: str = "") -> None:
        try:
            self.out.write(text + "\n")
        except UnicodeEncodeError:
            self.out.write(text.encode("ascii", "backslashreplace").decode("ascii") + "\n")

    def emit_json(self, value: Any) -> None:
        self.write(json.dumps(value, indent=2))

    def note(self, text: str, style: str = "warn") -> None:
        self.err.write(paint(self.redact(one_line(text)), style, self.err_color) + "\n")

    def title(self, text: str) -> str:
        return paint(text, "title", self.color)

    def show_token(self, header: dict[str, Any], payload: dict[str, Any]) -> None:
        self.write(self.title("Header"))
        self.write(render_json(header, self.color))
        self.write()
        self.write(self.title("Payload"))
        self.write(render_json(payload, self.color))
        now = time.time()
        rows = [(c, describe_time(c, payload[c], now)) for c in TIME_CLAIMS if c in payload]
        shown = [(c, d) for c, d in rows if d is not None]
        if shown:
            self.write()
            self.write(self.title("Times"))
            for claim, (date, relative) in shown:
                bad = (claim == "exp" and "expired" in relative) or "not valid" in relative
                rel = paint(relative, "bad" if bad else "dim", self.color)
                self.write(f"  {claim:<9} {date}  {rel}")

    # -- input --

    def read_token(self) -> str:
        source: Optional[str] = self.args.token
        if source is None or source == "-":
            stdin = sys.stdin
            if stdin is None or (source is None and stdin.isatty()):
                raise UsageError("no token: give it as an argument or pipe it into stdin")
            return clean_token(stdin.read())
        return clean_token(source)

    def key_bytes(self) -> tuple[bytes, str] | None:
        """The raw key from ``--key`` or ``--secret-env``, and where it came from."""
        args = self.args
        if args.key is not None:
            try:
                with open(args.key, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise UsageError(
                    f"cannot read key file {args.key}: {exc.strerror or exc}"
                ) from None
            origin = f"key file {args.key}"
        elif args.secret_env is not None:
            value = os.environ.get(args.secret_env)
            if not value:
                state = "is empty" if value == "" else "is not set"
                raise UsageError(f"environment variable {args.secret_env} {state}")
            data = value.encode("utf-8")
            origin = f"environment variable {args.secret_env}"
        else:
            return None
        text = data.decode("utf-8", "replace")
        self.secrets.append(text)
        self.secrets.append(text.strip())
        if data.endswith(b"\n") and all(a.startswith("HS") for a in self.algorithms()):
            self.hint = (
                f"the {origin} ends with a newline, which is part of the secret "
                "(write it with printf '%s' or echo -n)"
            )
        return data, origin

    def load_key(self, token: str | None) -> Any:
        """The key to hand to cyjwt: raw bytes (a secret, PEM or SSH text), a
        :class:`~cyjwt.PyJWK` for a JWK, or the key of a JWK Set matching
        the token's ``kid`` (or given by ``--kid``)."""
        found = self.key_bytes()
        if found is None:
            return None
        data, origin = found
        if not data.lstrip().startswith(b"{"):
            return data
        try:
            jwk = json.loads(data)
        except ValueError as exc:
            raise UsageError(f"{origin} holds no valid JSON: {exc}") from None
        if not isinstance(jwk, dict):
            raise UsageError(f"{origin} holds no JWK")
        members = jwk.get("keys") if "keys" in jwk else [jwk]
        if isinstance(members, list):
            for member in members:
                if isinstance(member, dict):
                    self.secrets.extend(str(member[m]) for m in PRIVATE_JWK_MEMBERS if m in member)
        if "keys" not in jwk:
            algs = self.algorithms()
            alg = jwk.get("alg") or (algs[0] if len(algs) == 1 else None)
            try:
                return cyjwt.PyJWK(jwk, alg)
            except PyJWTError as exc:
                raise UsageError(f"{origin}: {type(exc).__name__}: {exc}") from None
        try:
            keys = cyjwt.PyJWKSet.from_dict(jwk).keys
        except PyJWTError as exc:
            raise UsageError(f"{origin}: {type(exc).__name__}: {exc}") from None
        kid = getattr(self.args, "kid", None) if token is None else None
        if token is not None:
            kid = cyjwt.get_unverified_header(token).get("kid")
        chosen = [k for k in keys if k.key_id == kid] if kid else keys
        if len(chosen) != 1:
            raise PyJWKSetError(f"no single key in the JWK Set of {origin} matches kid {kid!r}")
        return chosen[0]

    def algorithms(self) -> list[str]:
        names = [n.strip() for item in self.args.alg for n in item.split(",") if n.strip()]
        supported = get_default_algorithms()
        by_upper = {name.upper(): name for name in supported}
        for name in names:
            if name in supported:
                continue
            if name in requires_cryptography:
                raise UsageError(f"{name} needs cryptography: pip install 'cyjwt[crypto]'")
            guess = by_upper.get(name.upper())
            hint = f"did you mean {guess}?" if guess else "choose from " + ", ".join(supported)
            raise UsageError(f"unknown algorithm {name!r}: {hint}")
        if not names:
            raise UsageError("--alg needs an algorithm name")
        return names

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Call cyjwt, reporting its warnings on stderr one line each."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return func(*args, **kwargs)
            finally:
                for w in caught:
                    self.note(f"cyjwt: warning: {w.category.__name__}: {w.message}")


# --------------------------------------------------------------------------
# Subcommands
# --------------------------------------------------------------------------


def _cmd_decode(run: _Run) -> int:
    token = run.read_token()
    decoded = run.call(cyjwt.decode_complete, token, options={"verify_signature": False})
    run.note("cyjwt: signature not verified; use `cyjwt verify` to check it")
    if run.json:
        run.emit_json(
            {"header": decoded["header"], "payload": decoded["payload"], "verified": False}
        )
    else:
        run.show_token(decoded["header"], decoded["payload"])
    return EXIT_OK


def _cmd_verify(run: _Run) -> int:
    args = run.args
    token = run.read_token()
    algorithms = run.algorithms()
    sources = [s for s in (args.key, args.secret_env, args.jwks) if s is not None]
    if not sources and algorithms != ["none"]:
        raise UsageError("verify needs a key: --key FILE, --secret-env NAME or --jwks URL")
    if args.jwks is not None:
        try:
            client = cyjwt.PyJWKClient(args.jwks, timeout=args.timeout)
        except PyJWKClientError as exc:
            raise UsageError(str(exc)) from None
        key: Any = run.call(client.get_signing_key_from_jwt, token)
    else:
        key = run.load_key(token)
    required = [c.strip() for item in args.require for c in item.split(",") if c.strip()]
    audience = args.aud[0] if len(args.aud) == 1 else (args.aud or None)
    issuer = args.iss[0] if len(args.iss) == 1 else (args.iss or None)
    decoded = run.call(
        cyjwt.decode_complete,
        token,
        key,
        algorithms=algorithms,
        audience=audience,
        issuer=issuer,
        subject=args.sub,
        leeway=parse_duration(args.leeway),
        options={"require": required},
    )
    if run.json:
        run.emit_json({"valid": True, "header": decoded["header"], "payload": decoded["payload"]})
    else:
        alg = decoded["header"].get("alg")
        run.write(paint(f"Valid: signature ({alg}) and claims verified", "ok", run.color))
        run.write()
        run.show_token(decoded["header"], decoded["payload"])
    return EXIT_OK


def _read_claims(source: str | None) -> dict[str, Any]:
    if source is None:
        return {}
    text = sys.stdin.read() if source == "-" and sys.stdin is not None else source
    try:
        claims = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"claims are not valid JSON: {exc}") from None
    if not isinstance(claims, dict):
        raise UsageError("claims must be a JSON object")
    return claims


def _cmd_encode(run: _Run) -> int:
    args = run.args
    algorithms = run.algorithms()
    if len(algorithms) != 1:
        raise UsageError("encode signs with one algorithm: give --alg once")
    claims = _read_claims(args.claims)
    for item in args.claim:
        name, value = parse_assignment(item, STRING_CLAIMS)
        claims[name] = value
    now = int(time.time())
    if args.iat:
        claims["iat"] = now
    if args.nbf is not None:
        claims["nbf"] = parse_time(args.nbf, now)
    if args.exp is not None:
        claims["exp"] = parse_time(args.exp, now)
    headers = dict(parse_assignment(item) for item in args.header)
    if "alg" in headers:
        raise UsageError("set the algorithm with --alg, not --header alg=...")
    if args.kid is not None:
        headers["kid"] = args.kid
    key = run.load_key(None)
    if key is None and algorithms != ["none"]:
        raise UsageError("encode needs a key: --key FILE or --secret-env NAME")
    token = run.call(cyjwt.encode, claims, key, algorithm=algorithms[0], headers=headers or None)
    if run.json:
        run.emit_json({"token": token})
    else:
        run.write(token)
    return EXIT_OK


def _cmd_jwks(run: _Run) -> int:
    try:
        client = cyjwt.PyJWKClient(run.args.url, cache_jwk_set=False, timeout=run.args.timeout)
    except PyJWKClientError as exc:
        raise UsageError(str(exc)) from None
    rows = jwks_rows(run.call(client.fetch_data))
    for row in rows:
        if row.get("private"):
            run.note(f"cyjwt: warning: key {row.get('kid')!r} publishes private key material")
    if run.json:
        run.emit_json(rows)
    else:
        lines = format_table(rows)
        run.write(run.title(lines[0]))
        for line in lines[1:]:
            run.write(line)
    return EXIT_OK


_COMMANDS: dict[str, Callable[[_Run], int]] = {
    "decode": _cmd_decode,
    "verify": _cmd_verify,
    "encode": _cmd_encode,
    "jwks": _cmd_jwks,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or an argparse error
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_OK
        return EXIT_USAGE
    run = _Run(args)
    error: BaseException
    try:
        status = _COMMANDS[args.command](run)
        # Flushed here so that a closed pipe is reported below, not at exit.
        run.out.flush()
        return status
    except UsageError as exc:
        run.note(f"cyjwt: error: {exc}", "bad")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (cyjwt ... | head): nothing left to say.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FAILED
    except PyJWTError as exc:
        error, line = exc, f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        error = exc
        line = f"cyjwt: error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    if args.debug:
        run.err.write(
            run.redact("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        )
    run.note(line, "bad")
    if run.hint and isinstance(error, InvalidSignatureError):
        run.note(f"cyjwt: hint: {run.hint}", "dim")
    if run.json:
        message = run.redact(one_line(str(error)))
        result: dict[str, Any] = {"error": {"type": type(error).__name__, "message": message}}
        run.emit_json({"valid": False, **result} if args.command == "verify" else result)
    return EXIT_FAILED
