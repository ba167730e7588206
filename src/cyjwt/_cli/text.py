"""Text in and out for the command line: parsing arguments' values,
colour, JSON and time rendering, the JWKS table.  Pure functions."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Container, Mapping, Sequence
from datetime import datetime, timezone
from typing import IO, Any

from ..api_jwk import PyJWK
from ..exceptions import PyJWKSetError, PyJWTError
from ..utils import base64url_decode

#: Claims holding NumericDate values (RFC 7519 section 2, OpenID's auth_time).
TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time")

#: Registered claims whose values are strings: ``-c sub=42`` sets "42".
STRING_CLAIMS = ("iss", "sub", "jti")

#: JWK members that hold private or secret key material.
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k", "oth")

_BEARER = re.compile(r"^(?:authorization:\s*)?bearer(?:\s+|$)", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+)(w|d|h|min|m|s)")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "min": 60, "m": 60, "s": 1}

_RESET = "\033[0m"
_STYLES = {
    "key": "\033[34m",
    "str": "\033[32m",
    "num": "\033[36m",
    "lit": "\033[35m",
    "title": "\033[1m",
    "ok": "\033[32m",
    "bad": "\033[31m",
    "warn": "\033[33m",
    "dim": "\033[2m",
}


class UsageError(Exception):
    """Bad arguments or unusable input: exit status 2."""


def color_enabled(
    stream: IO[str], environ: Mapping[str, str] | None = None, no_color: bool = False
) -> bool:
    """True when ANSI colour suits *stream*: a terminal, no ``--no-color``,
    and ``NO_COLOR`` unset or empty (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if no_color or env.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


def paint(text: str, style: str, color: bool) -> str:
    """*text* in one of the named styles when *color* is true."""
    return f"{_STYLES[style]}{text}{_RESET}" if color else text


def render_json(value: Any, color: bool = False, indent: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, in colour if asked."""
    if not color:
        return json.dumps(value, indent=2, ensure_ascii=False)
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [
            f"{inner}{paint(json.dumps(str(k), ensure_ascii=False), 'key', True)}: "
            f"{render_json(v, True, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)) and value:
        items = [inner + render_json(v, True, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    text = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return paint(text, "str", True)
    if value is None or isinstance(value, bool):
        return paint(text, "lit", True)
    if isinstance(value, (int, float)):
        return paint(text, "num", True)
    return text  # empty dict or list


def format_relative(seconds: float) -> str:
    """A rough length of time: ``"45 s"``, ``"4 min"``, ``"2 h"``, ``"3 days"``, ``"5 years"``."""
    s = abs(seconds)
    if s < 90:
        return f"{int(s)} s"
    if s < 90 * 60:
        return f"{int(s // 60)} min"
    if s < 36 * 3600:
        return f"{int(s // 3600)} h"
    if s < 730 * 86400:
        days = int(s // 86400)
        return f"{days} day" if days == 1 else f"{days} days"
    return f"{int(s // (365.25 * 86400))} years"


def describe_time(claim: str, value: Any, now: float) -> tuple[str, str] | None:
    """``(UTC date, relative time)`` for a NumericDate claim, or None when
    *value* is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        date = datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, ValueError, OSError):
        return ("out of range", "")
    delta = value - now
    span = format_relative(delta)
    future = delta > 0
    if claim == "exp":
        relative = f"expires in {span}" if future else f"expired {span} ago"
    elif claim == "nbf":
        relative = f"not valid for another {span}" if future else f"valid since {span} ago"
    elif claim == "iat":
        relative = f"issued in the future (in {span})" if future else f"issued {span} ago"
    else:
        relative = f"in {span}" if future else f"{span} ago"
    return date, relative


def parse_duration(text: str) -> int:
    """Seconds in ``"90"``, ``"30s"``, ``"15m"``, ``"15min"``, ``"2h"``, ``"1d"``,
    ``"1w"`` or a sum such as ``"1h30m"``; a leading ``-`` makes it negative."""
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    if body[:1] in ("-", "+"):
        body = body[1:]
    if body.isdigit():
        return sign * int(body)
    parts = _DURATION_PART.findall(body)
    if not body or "".join(n + u for n, u in parts) != body:
        raise UsageError(f"not a duration: {text!r} (use e.g. 30s, 15m, 2h, 1d or seconds)")
    return sign * sum(int(n) * _UNIT_SECONDS[u] for n, u in parts)


def parse_time(text: str, now: int) -> int:
    """A NumericDate from a duration relative to *now* (``"15m"``, ``"-5m"``,
    ``"3600"``), a Unix time (``"@1700000000"``) or an ISO 8601 date
    (``"2030-01-01"``, ``"2030-01-01T12:00:00Z"``; UTC unless it says)."""
    body = text.strip()
    if body.startswith("@") and body[1:].isdigit():
        return int(body[1:])
    if re.match(r"^\d{4}-\d{2}-\d{2}", body):
        iso = body[:-1] + "+00:00" if body.endswith(("Z", "z")) else body
        try:
            date = datetime.fromisoformat(iso)
        except ValueError:
            raise UsageError(f"not an ISO 8601 date: {text!r}") from None
        if date.tzinfo is None:
            date = date.replace(tzinfo=timezone.utc)
        return int(date.timestamp())
    return now + parse_duration(body)


def parse_assignment(text: str, strings: Container[str] = ()) -> tuple[str, Any]:
    """``name=value``; the value is JSON when it parses as JSON, else the
    string.  Names in *strings* always get a string (a JSON string is
    unquoted, anything else is taken as written)."""
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise UsageError(f"expected NAME=VALUE, got {text!r}")
    try:
        value = json.loads(raw)
    except ValueError:
        return name, raw
    if name in strings and not isinstance(value, str):
        return name, raw
    return name, value


def clean_token(text: str) -> str:
    """The token in *text*, without surrounding whitespace, a ``Bearer ``
    prefix or an ``Authorization:`` header name."""
    token = _BEARER.sub("", text.strip()).strip()
    if not token:
        raise UsageError("empty token")
    return token


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def jwks_rows(data: Any) -> list[dict[str, Any]]:
    """One row per member of a JWK Set's ``keys``: what it is and whether
    cyjwt can use it.  Private or secret key material is never shown."""
    members = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(members, list) or not members:
        raise PyJWKSetError("The JWK Set did not contain any keys")
    rows = []
    for member in members:
        if not isinstance(member, dict):
            rows.append({"kid": None, "usable": False, "error": "not a JSON object"})
            continue
        row: dict[str, Any] = {m: member.get(m) for m in ("kid", "kty", "alg", "use")}
        row["size"] = row["curve"] = None
        try:
            if member.get("kty") == "RSA":
                row["size"] = len(base64url_decode(member["n"]).lstrip(b"\0")) * 8
            elif member.get("kty") == "oct":
                row["size"] = len(base64url_decode(member["k"])) * 8
        except (KeyError, TypeError, ValueError):
            pass
        if member.get("kty") in ("EC", "OKP"):
            row["curve"] = member.get("crv")
        row["private"] = any(m in member for m in PRIVATE_JWK_MEMBERS)
        try:
            PyJWK(member)
            row["usable"], row["error"] = True, None
        except PyJWTError as exc:
            row["usable"], row["error"] = False, type(exc).__name__
        rows.append(row)
    return rows


def format_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The rows of :func:`jwks_rows` as aligned text columns."""
    heads = ["KID", "KTY", "ALG", "USE", "SIZE/CURVE", "STATUS"]
    cells = []
    for row in rows:
        size = f"{row['size']} bits" if row.get("size") else row.get("curve") or "-"
        status = "usable" if row.get("usable") else f"unusable ({row.get('error')})"
        if row.get("private"):
            status += ", PRIVATE KEY MATERIAL"
        values = [row.get(c) for c in ("kid", "kty", "alg", "use")]
        cells.append([("-" if v is None else str(v)) for v in values] + [size, status])
    widths = [max(len(line[i]) for line in [heads, *cells]) for i in range(len(heads))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [heads, *cells]
    ]
