"""cyjwt.install_as_jwt(): ``import jwt`` in other code gives cyjwt.

Every case runs in a fresh interpreter, because the alias is process-wide
and this test process may itself have PyJWT imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import cyjwt

SRC = str(Path(os.path.abspath(cyjwt.__file__)).parents[1])

SUBMODULES = [
    "algorithms",
    "api_jwk",
    "api_jws",
    "api_jwt",
    "exceptions",
    "help",
    "jwk_set_cache",
    "jwks_client",
    "types",
    "utils",
    "warnings",
]

# Stands for a third-party package written against PyJWT.
THIRD_PARTY = """\
import jwt
import jwt.api_jwt
from jwt import PyJWKClient, decode, encode
from jwt.exceptions import ExpiredSignatureError, InvalidTokenError
from jwt.algorithms import get_default_algorithms


def roundtrip():
    token = encode({"sub": "x"}, "k" * 32, algorithm="HS256")
    return decode(token, "k" * 32, algorithms=["HS256"])
"""


def _pyjwt_installed() -> bool:
    code = (
        "import importlib.metadata as m, importlib.util as u\n"
        "try:\n    v = m.version('PyJWT')\nexcept m.PackageNotFoundError:\n    v = ''\n"
        "print(v if u.find_spec('jwt') else '')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    return out.stdout.strip() != ""


needs_pyjwt = pytest.mark.skipif(
    not _pyjwt_installed(), reason="PyJWT is not installed (pip install pyjwt==2.15.1)"
)


def _run(tmp_path: Path, body: str) -> dict[str, Any]:
    (tmp_path / "thirdparty_lib.py").write_text(THIRD_PARTY)
    script = tmp_path / "driver.py"
    script.write_text(
        "import json, sys\n"
        "RESULT = {}\n" + textwrap.dedent(body) + "\nprint('RESULT=' + json.dumps(RESULT))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC, str(tmp_path)])
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT=")]
    assert lines, proc.stdout + proc.stderr
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT=") :])
    return result


def test_exported_from_package() -> None:
    from cyjwt._jwt_alias import install_as_jwt

    assert cyjwt.install_as_jwt is install_as_jwt


def test_third_party_code_gets_cyjwt(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import cyjwt
        cyjwt.install_as_jwt()
        import thirdparty_lib
        import jwt
        RESULT["jwt_is_cyjwt"] = thirdparty_lib.jwt is cyjwt and jwt is cyjwt
        RESULT["api_jwt"] = thirdparty_lib.jwt.api_jwt is cyjwt.api_jwt
        RESULT["exc"] = thirdparty_lib.InvalidTokenError is cyjwt.exceptions.InvalidTokenError
        RESULT["expired"] = thirdparty_lib.ExpiredSignatureError is cyjwt.ExpiredSignatureError
        RESULT["client"] = thirdparty_lib.PyJWKClient is cyjwt.PyJWKClient
        RESULT["roundtrip"] = thirdparty_lib.roundtrip()
        RESULT["spec_name"] = cyjwt.__spec__.name
        RESULT["sub_spec_name"] = cyjwt.api_jwt.__spec__.name
        RESULT["jwt_name"] = jwt.__name__
        """,
    )
    assert result == {
        "jwt_is_cyjwt": True,
        "api_jwt": True,
        "exc": True,
        "expired": True,
        "client": True,
        "roundtrip": {"sub": "x"},
        # cyjwt keeps its own identity.
        "spec_name": "cyjwt",
        "sub_spec_name": "cyjwt.api_jwt",
        "jwt_name": "cyjwt",
    }


def test_every_pyjwt_submodule_is_aliased(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        f"""
        import importlib, cyjwt
        cyjwt.install_as_jwt()
        for sub in {SUBMODULES!r}:
            mine = importlib.import_module("cyjwt." + sub)
            RESULT[sub] = (
                importlib.import_module("jwt." + sub) is mine
                and sys.modules["jwt." + sub] is mine
                and getattr(importlib.import_module("jwt"), sub) is mine
            )
        """,
    )
    assert result == dict.fromkeys(SUBMODULES, True)


@needs_pyjwt
def test_wins_over_installed_pyjwt(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import importlib.util
        import os
        pyjwt_origin = importlib.util.find_spec("jwt").origin or ""
        RESULT["pyjwt_present"] = "site-packages" in pyjwt_origin
        # PyJWT's own directory (cyjwt may be in site-packages too).
        pyjwt_dir = os.path.dirname(pyjwt_origin)
        import cyjwt
        cyjwt.install_as_jwt()
        import thirdparty_lib
        from jwt.exceptions import InvalidTokenError
        import jwt.jwks_client
        RESULT["jwt_is_cyjwt"] = thirdparty_lib.jwt is cyjwt
        RESULT["exc"] = InvalidTokenError is cyjwt.InvalidTokenError
        RESULT["jwks"] = jwt.jwks_client is cyjwt.jwks_client
        RESULT["pyjwt_files"] = sorted(
            n for n, m in sys.modules.items()
            if n.split(".")[0] == "jwt"
            and (getattr(m, "__file__", None) or "").startswith(pyjwt_dir + os.sep)
        )
        """,
    )
    assert result == {
        "pyjwt_present": True,
        "jwt_is_cyjwt": True,
        "exc": True,
        "jwks": True,
        "pyjwt_files": [],
    }


@needs_pyjwt
def test_without_the_call_jwt_is_pyjwt(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import cyjwt
        import jwt
        RESULT["is_cyjwt"] = jwt is cyjwt
        RESULT["version"] = jwt.__version__
        """,
    )
    assert result == {"is_cyjwt": False, "version": "2.15.1"}


@needs_pyjwt
def test_refuses_when_pyjwt_was_imported_first(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import jwt, jwt.api_jwt
        import cyjwt
        try:
            cyjwt.install_as_jwt()
        except RuntimeError as exc:
            RESULT["error"] = str(exc)
        RESULT["still_pyjwt"] = sys.modules["jwt"] is jwt and jwt is not cyjwt
        RESULT["installed"] = cyjwt._jwt_alias.is_jwt_alias_installed()
        """,
    )
    assert result["still_pyjwt"] is True
    assert result["installed"] is False
    assert "before anything imports 'jwt'" in result["error"]
    assert "jwt (" in result["error"] and "jwt.api_jwt (" in result["error"]


def test_refuses_when_an_unrelated_jwt_is_imported(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import types
        sys.modules["jwt"] = types.ModuleType("jwt")
        import cyjwt
        try:
            cyjwt.install_as_jwt()
        except RuntimeError as exc:
            RESULT["error"] = type(exc).__name__
        """,
    )
    assert result == {"error": "RuntimeError"}


def test_idempotent(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import cyjwt
        from cyjwt import _jwt_alias
        cyjwt.install_as_jwt()
        import jwt, jwt.utils
        cyjwt.install_as_jwt()
        cyjwt.install_as_jwt()
        RESULT["finders"] = sum(isinstance(f, _jwt_alias._JwtAliasFinder) for f in sys.meta_path)
        RESULT["first"] = isinstance(sys.meta_path[0], _jwt_alias._JwtAliasFinder)
        RESULT["jwt"] = jwt is cyjwt
        """,
    )
    assert result == {"finders": 1, "first": True, "jwt": True}


def test_unknown_submodule_fails_loudly(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import importlib, cyjwt
        cyjwt.install_as_jwt()
        for name in ["jwt.contrib", "jwt._core", "jwt._jwt_alias", "jwt.api_jwt.json"]:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                RESULT[name] = exc.name
            else:
                RESULT[name] = "imported!"
        try:
            from jwt import contrib
        except ImportError as exc:
            RESULT["from"] = type(exc).__name__
        RESULT["leaked"] = sorted(n for n in sys.modules if n in ("jwt.contrib", "jwt._core"))
        """,
    )
    assert result == {
        "jwt.contrib": "jwt.contrib",
        "jwt._core": "jwt._core",
        "jwt._jwt_alias": "jwt._jwt_alias",
        "jwt.api_jwt.json": "jwt.api_jwt.json",
        "from": "ImportError",
        "leaked": [],
    }


def test_missing_cyjwt_module_is_reported(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import cyjwt
        from cyjwt import _jwt_alias
        cyjwt.install_as_jwt()
        _jwt_alias.ALIASED_SUBMODULES = _jwt_alias.ALIASED_SUBMODULES | {"contrib"}
        try:
            import jwt.contrib
        except ModuleNotFoundError as exc:
            RESULT["name"] = exc.name
            RESULT["msg"] = str(exc)
        """,
    )
    assert result["name"] == "jwt.contrib"
    assert "'cyjwt.contrib', which does not exist" in result["msg"]


def test_mock_patch_through_the_alias(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        from unittest import mock
        import cyjwt
        cyjwt.install_as_jwt()
        with mock.patch("jwt.jwks_client.time.monotonic", return_value=123.0):
            RESULT["patched"] = cyjwt.jwks_client.time.monotonic()
        """,
    )
    assert result == {"patched": 123.0}


def test_uninstall(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import importlib, cyjwt
        from cyjwt._jwt_alias import uninstall_jwt_alias, is_jwt_alias_installed
        cyjwt.install_as_jwt()
        import jwt, jwt.exceptions
        uninstall_jwt_alias()
        RESULT["installed"] = is_jwt_alias_installed()
        RESULT["left"] = sorted(n for n in sys.modules if n == "jwt" or n.startswith("jwt."))
        RESULT["cyjwt_intact"] = sys.modules["cyjwt.exceptions"] is cyjwt.exceptions
        try:
            again = importlib.import_module("jwt")
            RESULT["after"] = "cyjwt" if again is cyjwt else "other"
        except ModuleNotFoundError:
            RESULT["after"] = "missing"
        uninstall_jwt_alias()  # harmless when not installed
        cyjwt.install_as_jwt() if RESULT["after"] == "missing" else None
        """,
    )
    assert result["installed"] is False
    assert result["left"] == []
    assert result["cyjwt_intact"] is True
    assert result["after"] in ("missing", "other")
