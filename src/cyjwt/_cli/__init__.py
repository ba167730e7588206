"""The pieces of :mod:`cyjwt.cli` (the ``cyjwt`` command line)."""
