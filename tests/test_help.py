"""cyjwt.help: PyJWT's bug-report layout plus a ``cyjwt`` section."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

import cyjwt
import cyjwt._core
from cyjwt import help as cyjwt_help

SRC = str(Path(os.path.abspath(cyjwt.__file__)).parents[1])


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_sections_and_types() -> None:
    data = cyjwt_help.info()
    assert set(data) == {"platform", "implementation", "cryptography", "pyjwt", "cyjwt"}
    assert set(data["platform"]) == {"system", "release"}
    assert set(data["implementation"]) == {"name", "version"}
    assert set(data["cryptography"]) == {"version"}
    for section in data.values():
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in section.items())
    json.dumps(data)


def test_pyjwt_section_reports_the_compat_level() -> None:
    assert cyjwt_help.info()["pyjwt"] == {"version": "2.15.1"}


def test_cyjwt_section() -> None:
    section = cyjwt_help.info()["cyjwt"]
    assert section["version"] == cyjwt.CYJWT_VERSION == "0.1.0"
    assert cyjwt.__version__ == "2.15.1"
    assert section["implementation"] == cyjwt._core.IMPLEMENTATION
    assert section["implementation"] in ("cython", "python")
    assert section["pyjwt_compat"] == "2.15.1"
    assert section["openssl"]
    assert section["openssl_source"] in ("cyjwt core", "python ssl module")


def test_openssl_from_the_compiled_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cyjwt._core, "OPENSSL_VERSION", "OpenSSL 9.9.9 test", raising=False)
    section = cyjwt_help.info()["cyjwt"]
    assert section["openssl"] == "OpenSSL 9.9.9 test"
    assert section["openssl_source"] == "cyjwt core"


def test_openssl_falls_back_to_ssl_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(cyjwt._core, "OPENSSL_VERSION", raising=False)
    section = cyjwt_help.info()["cyjwt"]
    assert section["openssl"] == ssl.OPENSSL_VERSION
    assert section["openssl_source"] == "python ssl module"


def test_cryptography_version() -> None:
    cryptography = pytest.importorskip("cryptography")
    assert cyjwt_help.info()["cryptography"] == {"version": cryptography.__version__}
    assert cyjwt_help.cryptography_version == cryptography.__version__


def test_cryptography_missing_gives_empty_version() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'cryptography':\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import json, cyjwt.help\n"
        "print(json.dumps(cyjwt.help.info()['cryptography']))\n"
    )
    proc = _run("-c", code)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"version": ""}


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        cyjwt_help.no_such_thing  # noqa: B018


def test_platform_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> str:
        raise OSError("uname failed")

    monkeypatch.setattr(cyjwt_help.platform, "system", boom)  # type: ignore[attr-defined]
    assert cyjwt_help.info()["platform"] == {"system": "Unknown", "release": "Unknown"}


def test_cpython_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cyjwt_help.platform, "python_implementation", lambda: "CPython")  # type: ignore[attr-defined]
    monkeypatch.setattr(cyjwt_help.platform, "python_version", lambda: "3.99.1")  # type: ignore[attr-defined]
    assert cyjwt_help.info()["implementation"] == {"name": "CPython", "version": "3.99.1"}


@pytest.mark.parametrize(("level", "expected"), [("final", "7.3.17"), ("beta", "7.3.17beta")])
def test_pypy_version(monkeypatch: pytest.MonkeyPatch, level: str, expected: str) -> None:
    VersionInfo = namedtuple("VersionInfo", "major minor micro releaselevel serial")
    info = VersionInfo(7, 3, 17, level, 0)
    monkeypatch.setattr(cyjwt_help.platform, "python_implementation", lambda: "PyPy")  # type: ignore[attr-defined]
    monkeypatch.setattr(sys, "pypy_version_info", info, raising=False)
    assert cyjwt_help.info()["implementation"] == {"name": "PyPy", "version": expected}


def test_other_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cyjwt_help.platform, "python_implementation", lambda: "GraalPy")  # type: ignore[attr-defined]
    assert cyjwt_help.info()["implementation"] == {"name": "GraalPy", "version": "Unknown"}


def test_main_prints_sorted_indented_json(capsys: pytest.CaptureFixture[str]) -> None:
    cyjwt_help.main()
    out = capsys.readouterr().out
    assert out == json.dumps(cyjwt_help.info(), sort_keys=True, indent=2) + "\n"


@pytest.mark.parametrize("no_ext", ["", "1"])
def test_python_dash_m(no_ext: str) -> None:
    proc = _run("-W", "error", "-m", "cyjwt.help", env_extra={"CYJWT_NO_EXTENSIONS": no_ext})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["pyjwt"] == {"version": "2.15.1"}
    if no_ext == "1":
        assert data["cyjwt"]["implementation"] == "python"
        assert data["cyjwt"]["openssl_source"] == "python ssl module"
