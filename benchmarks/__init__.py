"""cyjwt benchmarks: a pytest-benchmark suite and a comparison runner (python -m benchmarks)."""
