"""The end-to-end gateway run of ``python -m benchmarks`` (``--gateway``).

* app.py: the ASGI app that checks a Bearer token per request;
* server.py: one such app under uvicorn, on 127.0.0.1;
* jwks.py: the local JWKS endpoint the RS256 servers fetch their key from;
* tokens.py, tokens.lua: the tokens sent, and how wrk picks them;
* load.py: wrk, or the bounded Python load generator where wrk is missing;
* run.py: starts everything, loads the servers interleaved, stops everything.
"""
