"""Opt-in: let ``import jwt`` give cyjwt.

After :func:`install_as_jwt`, ``import jwt`` and ``import jwt.<sub>`` (for
each module PyJWT 2.15.1 ships) return cyjwt's own module objects, so
``jwt is cyjwt`` and ``jwt.api_jwt is cyjwt.api_jwt``.  This is done by a
finder placed first on :data:`sys.meta_path`; it therefore wins over an
installed PyJWT, and it never hands an import on to PyJWT: ``jwt.<name>``
for any other name raises :class:`ModuleNotFoundError` straight away.

Why a ``RuntimeError`` when ``jwt`` is already imported
-------------------------------------------------------
If something already imported ``jwt`` (PyJWT, or an unrelated package of
that name) then other modules may hold references to it (``from jwt
import InvalidTokenError`` and the like).  Swapping the ``sys.modules``
entries at that point would leave the process running two JWT libraries
at once, where an ``except jwt.InvalidTokenError`` written against one does
not catch the other's exceptions.  That failure would be silent and
intermittent, so :func:`install_as_jwt` refuses instead and says where to
call it (before the first ``import jwt``, e.g. at the top of the program's
entry point or in ``sitecustomize``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Sequence
from types import ModuleType

__all__ = ["install_as_jwt", "is_jwt_alias_installed", "uninstall_jwt_alias"]

_ALIAS = "jwt"
_TARGET = "cyjwt"

#: The submodules of PyJWT 2.15.1; ``jwt.<one of these>`` maps to
#: ``cyjwt.<same name>``.  Anything else under ``jwt.`` is refused.
ALIASED_SUBMODULES = frozenset(
    {
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
    }
)

_lock = threading.RLock()


def _target_name(alias_name: str) -> str:
    return _TARGET + alias_name[len(_ALIAS) :]


class _ExistingModuleLoader(importlib.abc.Loader):
    """Hands an already-imported cyjwt module to the import system."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module
        self._own_spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self._module

    def exec_module(self, module: ModuleType) -> None:
        # The import system has just stamped the alias spec (named "jwt...")
        # onto the module; give it back its own so that cyjwt still knows
        # itself as cyjwt (reload, pickling by module name, -m, ...).
        module.__spec__ = self._own_spec


class _JwtAliasFinder(importlib.abc.MetaPathFinder):
    """Answers ``jwt`` and ``jwt.*`` with cyjwt modules, and nothing else."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        if fullname != _ALIAS:
            sub = fullname[len(_ALIAS) + 1 :]
            if sub not in ALIASED_SUBMODULES:
                raise ModuleNotFoundError(
                    f"No module named {fullname!r}: cyjwt's 'jwt' alias only provides "
                    f"jwt.{{{', '.join(sorted(ALIASED_SUBMODULES))}}} "
                    "and never falls back to PyJWT",
                    name=fullname,
                )
        target_name = _target_name(fullname)
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as exc:
            if exc.name != target_name:
                raise
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: cyjwt's 'jwt' alias maps it to "
                f"{target_name!r}, which does not exist",
                name=fullname,
            ) from exc
        return importlib.machinery.ModuleSpec(
            fullname,
            _ExistingModuleLoader(module),
            is_package=fullname == _ALIAS,
        )


_finder: _JwtAliasFinder | None = None


def _conflicting_modules() -> list[str]:
    """``jwt``/``jwt.*`` entries of :data:`sys.modules` that are not cyjwt's."""
    found = []
    for name, module in list(sys.modules.items()):
        if name != _ALIAS and not name.startswith(_ALIAS + "."):
            continue
        if module is None or module is not sys.modules.get(_target_name(name)):
            where = getattr(module, "__file__", None) or repr(module)
            found.append(f"{name} ({where})")
    return sorted(found)


def is_jwt_alias_installed() -> bool:
    """Whether :func:`install_as_jwt` is in effect."""
    return _finder is not None and _finder in sys.meta_path


def install_as_jwt() -> None:
    """Make ``import jwt`` (and ``import jwt.<submodule>``) return cyjwt.

    Call it once, early, before any code imports ``jwt``; calling it again
    does nothing.  Only the submodules PyJWT 2.15.1 has are provided; other
    ``jwt.*`` names raise :class:`ModuleNotFoundError`, and an installed
    PyJWT is never used.

    :raises RuntimeError: ``jwt`` (or one of its submodules) was imported
        before this call from somewhere other than cyjwt.  Replacing it at
        that point would leave two JWT libraries live in one process, so
        the call refuses; move it before the first ``import jwt``.
    """
    global _finder
    with _lock:
        conflicts = _conflicting_modules()
        if conflicts:
            raise RuntimeError(
                "cyjwt.install_as_jwt() was called after 'jwt' had already been "
                "imported from elsewhere: " + ", ".join(conflicts) + ". Code that "
                "imported it keeps that module, so aliasing now would mix two JWT "
                "libraries (their exception classes differ). Call "
                "cyjwt.install_as_jwt() before anything imports 'jwt', e.g. first "
                "thing in your program's entry point or in sitecustomize.py."
            )
        if is_jwt_alias_installed():
            return
        if _finder is None:
            _finder = _JwtAliasFinder()
        sys.meta_path.insert(0, _finder)


def uninstall_jwt_alias() -> None:
    """Undo :func:`install_as_jwt` (meant for tests).

    Removes the finder and the ``jwt``/``jwt.*`` entries of
    :data:`sys.modules` that point at cyjwt modules; a later ``import jwt``
    then finds whatever it would have found without cyjwt.
    """
    with _lock:
        while _finder is not None and _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        for name, module in list(sys.modules.items()):
            if name != _ALIAS and not name.startswith(_ALIAS + "."):
                continue
            if module is not None and module is sys.modules.get(_target_name(name)):
                del sys.modules[name]
