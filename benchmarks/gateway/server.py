"""One gateway server process: the app of benchmarks/gateway/app.py under uvicorn.

    python -m benchmarks.gateway.server --port P --mode cyjwt --alg HS256 \
        --audience A --issuer I [--secret-hex HEX | --jwks-url URL] [--max-seconds S]

It listens on 127.0.0.1 only, with uvicorn's fastest available loop and HTTP
parser (uvloop and httptools when installed), without access log, and exits
by itself after ``--max-seconds`` in case the runner that started it is gone.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from typing import List, Optional

from .app import MODES, VERIFIER_CACHE_SIZE, GatewaySettings, make_app


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.gateway.server")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=MODES, required=True)
    p.add_argument("--alg", choices=("HS256", "RS256"), required=True)
    p.add_argument("--audience", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--secret-hex", default="")
    p.add_argument("--jwks-url", default="")
    p.add_argument("--cache-size", type=int, default=VERIFIER_CACHE_SIZE)
    p.add_argument("--max-seconds", type=float, default=600.0)
    return p.parse_args(argv)


def _watchdog(seconds: float) -> None:
    """Stop this process after ``seconds`` whatever happens to its parent."""
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.daemon = True
    timer.start()


def main(argv: Optional[List[str]] = None) -> int:
    warnings.simplefilter("ignore")
    args = parse_args(argv)
    settings = GatewaySettings(
        mode=args.mode,
        alg=args.alg,
        audience=args.audience,
        issuer=args.issuer,
        secret=bytes.fromhex(args.secret_hex),
        jwks_url=args.jwks_url,
        cache_size=args.cache_size,
    )
    app = make_app(settings)
    import uvicorn

    _watchdog(args.max_seconds)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        date_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
