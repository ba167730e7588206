"""Warning categories, the same classes PyJWT 2.15.1 emits."""

from __future__ import annotations

__all__ = ["RemovedInPyjwt3Warning", "InsecureKeyLengthWarning"]


class RemovedInPyjwt3Warning(DeprecationWarning):
    """A call uses something PyJWT 3 will no longer accept."""


class InsecureKeyLengthWarning(UserWarning):
    """A key is shorter than the length recommended for its algorithm."""
