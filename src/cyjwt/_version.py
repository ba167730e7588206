"""Version numbers, kept apart so that ``setup.py`` can read them without importing cyjwt."""

__version__ = "0.1.0"

#: The PyJWT release whose behaviour cyjwt reproduces.
PYJWT_COMPAT_VERSION = "2.15.1"
