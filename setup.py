"""Build cyjwt, with its Cython core when it can be built.

Environment switches, read at build time:

* ``CYJWT_NO_EXTENSIONS=1``: build the pure-Python package only.
* ``CYJWT_REQUIRE_EXTENSIONS=1``: fail the build instead of falling back
  to pure Python when the extension cannot be built (CI sets this).
* ``CYJWT_OPENSSL_DIR``: prefix of the OpenSSL to compile and link against
  (``include/`` and ``lib/`` below it); ``CYJWT_OPENSSL_STATIC=1`` links
  ``libcrypto.a`` from it instead of the shared library.
"""

from __future__ import annotations

import os
import platform
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_PYX = os.path.join("src", "cyjwt", "_core_c.pyx")
# Everything _core_c.pyx includes or cimports: a change to any of them
# rebuilds the extension.
CORE_PARTS = sorted(
    os.path.join("src", "cyjwt", name)
    for name in os.listdir(os.path.join(HERE, "src", "cyjwt"))
    if name.endswith((".pxi", ".pxd"))
)


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


NO_EXTENSIONS = _flag("CYJWT_NO_EXTENSIONS")
REQUIRE_EXTENSIONS = _flag("CYJWT_REQUIRE_EXTENSIONS")
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

# Every Cython directive lives here, in one place.
CYTHON_DIRECTIVES = {
    "language_level": "3",
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
    "embedsignature": True,
    "freethreading_compatible": True,
}


def _openssl_settings() -> dict[str, list[str]]:
    include_dirs: list[str] = []
    library_dirs: list[str] = []
    libraries = ["crypto"]
    extra_objects: list[str] = []
    prefix = os.environ.get("CYJWT_OPENSSL_DIR")
    if prefix:
        include_dirs.append(os.path.join(prefix, "include"))
        libdirs = [os.path.join(prefix, d) for d in ("lib", "lib64")]
        library_dirs.extend(d for d in libdirs if os.path.isdir(d))
        if _flag("CYJWT_OPENSSL_STATIC"):
            libraries = []
            for d in libdirs:
                archive = os.path.join(d, "libcrypto.a")
                if os.path.exists(archive):
                    extra_objects.append(archive)
                    break
    if sys.platform == "win32":
        # MSVC links libcrypto.lib whether it is the static library or the
        # import library of the DLL; the static one needs these system libraries.
        libraries = ["libcrypto"]
        extra_objects = []
        if _flag("CYJWT_OPENSSL_STATIC"):
            libraries += ["crypt32", "ws2_32", "advapi32", "user32"]
    return {
        "include_dirs": include_dirs,
        "library_dirs": library_dirs,
        "libraries": libraries,
        "extra_objects": extra_objects,
    }


def _extensions() -> list[Extension]:
    if NO_EXTENSIONS:
        print("*** CYJWT_NO_EXTENSIONS is set: building the pure-Python package only.")
        return []
    if not os.path.exists(os.path.join(HERE, CORE_PYX)):
        return []
    if platform.python_implementation() != "CPython":
        # Through PyPy's C-API emulation the extension is slower than the
        # pure-Python twin under PyPy's JIT.
        print("*** Not CPython: building the pure-Python package only.")
        return []
    try:
        from Cython.Build import cythonize
    except ImportError as exc:
        if REQUIRE_EXTENSIONS:
            raise RuntimeError("CYJWT_REQUIRE_EXTENSIONS is set but Cython is missing") from exc
        print("*** WARNING: Cython is not installed; cyjwt will be pure Python (slower).")
        return []
    # The low-level SHA2 calls (SHA256_Init ...) are deprecated in OpenSSL 3
    # but kept, and they are what lets a key's HMAC pads be hashed once
    # and the context copied per call as a plain struct.
    macros = [("OPENSSL_API_COMPAT", "0x10101000L")]
    if sys.platform != "win32":
        extra_compile_args = ["-O3", "-Wno-deprecated-declarations"]
    else:
        extra_compile_args = []
    ext = Extension(
        "cyjwt._core_c",
        [CORE_PYX],
        depends=CORE_PARTS,
        define_macros=macros,
        extra_compile_args=extra_compile_args,
        **_openssl_settings(),
    )
    return cythonize([ext], compiler_directives=CYTHON_DIRECTIVES, quiet=True)


class OptionalBuildExt(build_ext):
    """Fall back to pure Python, loudly, when the extension cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            self._fallback(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fallback(exc)

    def _fallback(self, exc: BaseException) -> None:
        if REQUIRE_EXTENSIONS:
            raise RuntimeError(
                "CYJWT_REQUIRE_EXTENSIONS is set but the cyjwt extension failed to build"
            ) from exc
        print(
            "*** WARNING: the cyjwt C extension could not be built "
            f"({exc.__class__.__name__}: {exc}).\n"
            "*** cyjwt is installed as pure Python; it works the same but is slower.\n"
            "*** Install a C compiler and the OpenSSL headers (libssl-dev) for the fast core.",
            file=sys.stderr,
        )


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
