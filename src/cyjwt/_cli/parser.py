"""The ``cyjwt`` command line's arguments and help text."""

from __future__ import annotations

import argparse
from typing import Any

import cyjwt

#: argparse's own exit status for bad arguments, used for every usage error.
EXIT_USAGE = 2


_EXAMPLES = {
    "decode": "cyjwt decode eyJhbGciOi...      # or: pbpaste | cyjwt decode",
    "verify": 'cyjwt verify "$TOKEN" --alg RS256 --key public.pem --aud api',
    "encode": "cyjwt encode --alg HS256 --secret-env JWT_SECRET -c sub=42 --exp 15m",
    "jwks": "cyjwt jwks https://issuer.example/.well-known/jwks.json",
}

_DESCRIPTION = """\
Read, verify and sign JSON Web Tokens with cyjwt (PyJWT's API, compiled).

examples:
  {decode}
  {verify}
  {encode}
  {jwks}

exit status: 0 ok (verify: valid), 1 invalid token or failure, 2 usage error.
Secrets are read from files or environment variables, never from arguments.
""".format(**_EXAMPLES)


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    # On subcommands the defaults are suppressed so that an option given
    # before the subcommand is not reset by the subcommand's parser.
    default: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    group = parser.add_argument_group("output")
    group.add_argument(
        "--json", action="store_true", help="machine-readable JSON on stdout", **default
    )
    group.add_argument(
        "--no-color", action="store_true", help="no ANSI colour (also: NO_COLOR=1)", **default
    )
    group.add_argument("--debug", action="store_true", help="print tracebacks of errors", **default)


def _key_options(parser: argparse.ArgumentParser, jwks: bool) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--key",
        metavar="FILE",
        help="key file: PEM or SSH key, JWK or JWK Set JSON, or (HS*) the raw secret bytes",
    )
    group.add_argument(
        "--secret-env", metavar="NAME", help="read the secret (or key text) from this variable"
    )
    if jwks:
        group.add_argument("--jwks", metavar="URL", help="fetch the key matching the token's kid")


def build_parser() -> argparse.ArgumentParser:
    """The ``cyjwt`` argument parser."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="cyjwt", description=_DESCRIPTION, formatter_class=fmt)
    parser.add_argument(
        "--version",
        action="version",
        version=f"cyjwt {cyjwt.CYJWT_VERSION} ({cyjwt.IMPLEMENTATION} core)",
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def command(name: str, summary: str, details: str = "") -> argparse.ArgumentParser:
        epilog = f"example:\n  {_EXAMPLES[name]}\n{details}"
        p = sub.add_parser(
            name, help=summary, description=summary, epilog=epilog, formatter_class=fmt
        )
        _common(p, top=False)
        return p

    token_help = "the token, or - (the default) to read it from stdin; 'Bearer ' is ignored"

    p = command("decode", "show a token's header and payload, WITHOUT verifying it")
    p.add_argument("token", nargs="?", metavar="TOKEN", help=token_help)

    p = command(
        "verify",
        "verify a token's signature and claims as jwt.decode does",
        "\nexit status 0 when the token is valid, 1 when it is not (reason on stderr).\n",
    )
    p.add_argument("token", nargs="?", metavar="TOKEN", help=token_help)
    p.add_argument(
        "--alg",
        action="append",
        required=True,
        metavar="ALG",
        help="accepted algorithm (required; repeat or comma-separate for several)",
    )
    _key_options(p, jwks=True)
    p.add_argument(
        "--aud", action="append", default=[], metavar="AUD", help="expected audience (repeatable)"
    )
    p.add_argument(
        "--iss", action="append", default=[], metavar="ISS", help="expected issuer (repeatable)"
    )
    p.add_argument("--sub", metavar="SUB", help="expected subject")
    p.add_argument("--leeway", default="0", metavar="S", help="clock skew allowed (30, 30s, 2m)")
    p.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="CLAIM",
        help="claim that must be present (repeat or comma-separate)",
    )
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="JWKS fetch timeout")

    p = command(
        "encode",
        "sign claims and print the token",
        "\n-c and --header values are JSON when they parse as JSON (42, true, [1,2],\n"
        '"quoted"), else strings: -c n=42 sets the number 42, -c role=admin the string;\n'
        'iss, sub and jti are always strings (-c sub=42 sets "42").\n'
        "--exp and --nbf take a duration from now (15m, 2h, 1d, 3600, -5m as --nbf=-5m),\n"
        "a Unix time (@1700000000) or an ISO 8601 date (2030-01-01T00:00:00Z).\n",
    )
    p.add_argument(
        "claims",
        nargs="?",
        metavar="CLAIMS_JSON",
        help="the claims as a JSON object, or - to read them from stdin",
    )
    p.add_argument("--alg", action="append", required=True, metavar="ALG", help="signing algorithm")
    _key_options(p, jwks=False)
    p.add_argument(
        "-c",
        "--claim",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a claim (repeatable)",
    )
    p.add_argument("--exp", metavar="WHEN", help="expiry: 15m, 2h, @UNIX or an ISO date")
    p.add_argument("--nbf", metavar="WHEN", help="not before: a duration, @UNIX or an ISO date")
    p.add_argument("--iat", action="store_true", help="set iat to now")
    p.add_argument("--kid", help="key id header (also picks the key of a JWK Set file)")
    p.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra header (repeatable)",
    )

    p = command("jwks", "list the keys of a JWK Set URL")
    p.add_argument("url", metavar="URL", help="the JWKS endpoint (http or https)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="fetch timeout")
    return parser
