"""Environment report for bug tickets: ``python -m cyjwt.help``.

:func:`info` returns the same sections as PyJWT's ``jwt.help.info()``
(``platform``, ``implementation``, ``cryptography``, ``pyjwt``) so code that
reads PyJWT's layout keeps working; ``pyjwt.version`` is the PyJWT release
cyjwt reproduces.  A ``cyjwt`` section adds cyjwt's own version, which core
is in use (``"cython"`` or ``"python"``), the PyJWT compatibility level and
the OpenSSL version.
"""

from __future__ import annotations

import json
import platform
import ssl
import sys
from typing import Any

from . import _core
from ._version import CYJWT_VERSION, PYJWT_COMPAT_VERSION

#: The version PyJWT's help module reports (this module's PyJWT stand-in).
pyjwt_version = PYJWT_COMPAT_VERSION

__all__ = ["info", "main"]


def _cryptography_version() -> str:
    # Imported only when asked for: cyjwt itself does not need cryptography
    # for HMAC tokens, and ``import cyjwt`` should not pay for it.
    try:
        import cryptography
    except ImportError:
        return ""
    return str(cryptography.__version__)


def __getattr__(name: str) -> Any:
    # PyJWT's module has a ``cryptography_version`` global; computed lazily.
    if name == "cryptography_version":
        return _cryptography_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _platform_info() -> dict[str, str]:
    try:
        return {"system": platform.system(), "release": platform.release()}
    except OSError:
        return {"system": "Unknown", "release": "Unknown"}


def _python_info() -> dict[str, str]:
    name = platform.python_implementation()
    if name == "CPython":
        version = platform.python_version()
    elif name == "PyPy":
        pypy = sys.pypy_version_info  # type: ignore[attr-defined]
        version = f"{pypy.major}.{pypy.minor}.{pypy.micro}"
        if pypy.releaselevel != "final":
            version += pypy.releaselevel
    else:
        version = "Unknown"
    return {"name": name, "version": version}


def _openssl_info() -> dict[str, str]:
    core_openssl = getattr(_core, "OPENSSL_VERSION", None)
    if core_openssl:
        return {"openssl": str(core_openssl), "openssl_source": "cyjwt core"}
    # The pure-Python core links nothing itself; what it uses (hashlib,
    # hmac) comes with the interpreter's OpenSSL, reported by ``ssl``.
    return {"openssl": ssl.OPENSSL_VERSION, "openssl_source": "python ssl module"}


def info() -> dict[str, dict[str, str]]:
    """Collect what a bug report needs about this installation."""
    cyjwt_info = {
        "version": CYJWT_VERSION,
        "implementation": _core.IMPLEMENTATION,
        "pyjwt_compat": PYJWT_COMPAT_VERSION,
    }
    cyjwt_info.update(_openssl_info())
    return {
        "platform": _platform_info(),
        "implementation": _python_info(),
        "cryptography": {"version": _cryptography_version()},
        "pyjwt": {"version": PYJWT_COMPAT_VERSION},
        "cyjwt": cyjwt_info,
    }


def main() -> None:
    """Print :func:`info` as indented JSON with sorted keys."""
    print(json.dumps(info(), sort_keys=True, indent=2))


if __name__ == "__main__":
    main()
