"""Version numbers, kept apart so that the build can read them without importing cyjwt."""

#: cyjwt's own release number: the version of the distribution on PyPI.
CYJWT_VERSION = "0.1.0"

#: The PyJWT release whose API and behaviour cyjwt reproduces.
PYJWT_COMPAT_VERSION = "2.15.1"

#: ``cyjwt.__version__`` is the PyJWT version it stands in for, because code
#: written for PyJWT reads ``jwt.__version__`` to choose how to call it (for
#: example "``algorithms`` is required from 2.0 on"); under
#: :func:`cyjwt.install_as_jwt` that code sees this module.  cyjwt's own
#: release is :data:`CYJWT_VERSION` (and ``importlib.metadata.version("cyjwt")``).
__version__ = PYJWT_COMPAT_VERSION
