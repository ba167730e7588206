"""cyjwt.PyJWKClient against a real HTTP server on 127.0.0.1, plus mocked openers."""

from __future__ import annotations

import contextlib
import io
import json
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from unittest import mock
from urllib.error import HTTPError, URLError

import pytest

import cyjwt
from cyjwt import PyJWKClient
from cyjwt.api_jwk import PyJWK, PyJWKSet
from cyjwt.exceptions import (
    DecodeError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
)
from cyjwt.jwk_set_cache import JWKSetCache
from cyjwt.jwks_client import _NoRedirectHandler

SECRET_A = b"first-shared-secret-of-32-bytes!"
SECRET_B = b"second-shared-secret-of-32-bytes"


def _oct(kid: str | None, secret: bytes, **extra: Any) -> dict[str, Any]:
    jwk: dict[str, Any] = {"kty": "oct", "k": cyjwt.utils.base64url_encode(secret).decode()}
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(extra)
    return jwk


SET_A = {"keys": [_oct("key-a", SECRET_A, use="sig")]}
SET_B = {"keys": [_oct("key-b", SECRET_B)]}
SET_AB = {"keys": SET_A["keys"] + SET_B["keys"]}


# --------------------------------------------------------------------------
# A small JWKS server.  Each route maps a path to a callable returning
# (status, headers, body); every request is recorded.
# --------------------------------------------------------------------------

Route = Callable[[], "tuple[int, dict[str, str], bytes]"]


class _Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append((self.path, dict(self.headers.items())))
                route = owner.routes.get(self.path)
                headers: dict[str, str]
                if route is None:
                    status, headers, body = 404, {}, b"not found"
                else:
                    status, headers, body = route()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"

    def json(self, path: str, *payloads: Any) -> None:
        """Serve ``payloads`` in turn at ``path`` (the last one repeats)."""
        queue = list(payloads)

        def route() -> tuple[int, dict[str, str], bytes]:
            payload = queue.pop(0) if len(queue) > 1 else queue[0]
            return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()

        self.routes[path] = route

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _client(url: str, **kwargs: Any) -> PyJWKClient:
    kwargs.setdefault("timeout", 5)
    return PyJWKClient(url, **kwargs)


# --------------------------------------------------------------------------
# Constructor
# --------------------------------------------------------------------------


def test_defaults() -> None:
    client = PyJWKClient("https://issuer.test/jwks")
    assert client.uri == "https://issuer.test/jwks"
    assert client.headers == {}
    assert client.timeout == 30
    assert client.ssl_context is None
    assert client.cooldown_duration == 30
    assert isinstance(client.jwk_set_cache, JWKSetCache)
    assert client.jwk_set_cache.lifespan == 300
    assert not hasattr(client.get_signing_key, "cache_info")


@pytest.mark.parametrize(
    ("uri", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("ftp://files.test/jwks.json", "ftp"),
        ("data:application/json,{}", "data"),
        ("relative/path.json", ""),
        ("Gopher://old.test/", "gopher"),
    ],
)
def test_only_http_and_https_are_accepted(uri: str, scheme: str) -> None:
    with pytest.raises(PyJWKClientError) as info:
        PyJWKClient(uri)
    assert str(info.value) == (
        f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
    )


@pytest.mark.parametrize("uri", ["http://a.test/k", "https://a.test/k", "HtTpS://A.test/k"])
def test_http_schemes_in_any_case(uri: str) -> None:
    assert PyJWKClient(uri).uri == uri


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lifespan": 0}, 'Lifespan must be greater than 0, the input is "0"'),
        ({"lifespan": -2.5}, 'Lifespan must be greater than 0, the input is "-2.5"'),
        (
            {"cooldown_duration": -1},
            'Cooldown duration must be greater than or equal to 0, the input is "-1"',
        ),
        (
            {"cooldown_duration": float("-inf")},
            'Cooldown duration must be greater than or equal to 0, the input is "-inf"',
        ),
        (
            {"cooldown_duration": float("inf")},
            'Cooldown duration must be finite, the input is "inf"',
        ),
        (
            {"cooldown_duration": float("nan")},
            'Cooldown duration must be finite, the input is "nan"',
        ),
    ],
)
def test_argument_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PyJWKClientError) as info:
        PyJWKClient("https://issuer.test/jwks", **kwargs)
    assert str(info.value) == message


def test_scheme_is_checked_before_cooldown_and_lifespan() -> None:
    with pytest.raises(PyJWKClientError, match="Invalid JWKS URI scheme"):
        PyJWKClient("file:///x", lifespan=0, cooldown_duration=-1)
    with pytest.raises(PyJWKClientError, match="Cooldown"):
        PyJWKClient("https://x.test/", lifespan=0, cooldown_duration=-1)


def test_lifespan_ignored_without_set_cache() -> None:
    client = PyJWKClient("https://issuer.test/jwks", cache_jwk_set=False, lifespan=-7)
    assert client.jwk_set_cache is None


def test_headers_object_is_kept() -> None:
    headers = {"Authorization": "Bearer x"}
    assert PyJWKClient("https://issuer.test/jwks", headers=headers).headers is headers


# --------------------------------------------------------------------------
# Over HTTP
# --------------------------------------------------------------------------


def test_fetch_data_returns_json_and_sends_headers(server: _Server) -> None:
    server.json("/jwks", SET_A)
    client = _client(server.url("/jwks"), headers={"X-Tenant": "acme", "User-Agent": "cyjwt-test"})
    assert client.fetch_data() == SET_A
    path, headers = server.requests[-1]
    assert path == "/jwks"
    assert headers["X-Tenant"] == "acme"
    assert headers["User-Agent"] == "cyjwt-test"
    assert isinstance(client.jwk_set_cache, JWKSetCache)
    cached = client.jwk_set_cache.get()
    assert cached is not None and [k.key_id for k in cached.keys] == ["key-a"]


def test_jwk_set_is_downloaded_once_while_fresh(server: _Server) -> None:
    server.json("/jwks", SET_A)
    client = _client(server.url("/jwks"))
    first = client.get_jwk_set()
    second = client.get_jwk_set()
    assert isinstance(first, PyJWKSet)
    assert second is first
    assert server.hits("/jwks") == 1
    client.get_jwk_set(refresh=True)
    assert server.hits("/jwks") == 2


def test_without_set_cache_every_call_downloads(server: _Server) -> None:
    server.json("/jwks", SET_A)
    client = _client(server.url("/jwks"), cache_jwk_set=False)
    client.get_jwk_set()
    client.get_signing_keys()
    assert server.hits("/jwks") == 2


def test_expired_set_is_downloaded_again(server: _Server) -> None:
    server.json("/jwks", SET_A, SET_B)
    client = _client(server.url("/jwks"), lifespan=0.05)
    assert [k.key_id for k in client.get_jwk_set().keys] == ["key-a"]
    time.sleep(0.1)
    assert [k.key_id for k in client.get_jwk_set().keys] == ["key-b"]
    assert server.hits("/jwks") == 2


def test_redirects_are_not_followed(server: _Server) -> None:
    server.routes["/start"] = lambda: (302, {"Location": server.url("/elsewhere")}, b"")
    server.json("/elsewhere", SET_A)
    client = _client(server.url("/start"), headers={"Authorization": "secret"})
    with pytest.raises(PyJWKClientConnectionError) as info:
        client.fetch_data()
    assert str(info.value).startswith('Fail to fetch data from the url, err: "HTTP Error 302')
    assert isinstance(info.value.__cause__, HTTPError)
    assert server.hits("/elsewhere") == 0


def test_http_error_status(server: _Server) -> None:
    server.routes["/jwks"] = lambda: (503, {}, b"down")
    client = _client(server.url("/jwks"))
    with pytest.raises(PyJWKClientConnectionError) as info:
        client.get_jwk_set()
    assert str(info.value) == (
        'Fail to fetch data from the url, err: "HTTP Error 503: Service Unavailable"'
    )


def test_unreachable_host() -> None:
    # Bind then close a socket to obtain a port nobody listens on.
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = _client(f"http://127.0.0.1:{port}/jwks")
    with pytest.raises(PyJWKClientConnectionError, match="^Fail to fetch data from the url, err: "):
        client.fetch_data()


def test_slow_server_times_out(server: _Server) -> None:
    release = threading.Event()

    def slow() -> tuple[int, dict[str, str], bytes]:
        release.wait(timeout=5)
        return 200, {}, b"{}"

    server.routes["/jwks"] = slow
    client = PyJWKClient(server.url("/jwks"), timeout=0.2)
    if sys.version_info < (3, 10):
        # socket.timeout is not yet TimeoutError: PyJWT lets it through, and so do we.
        import socket

        try:
            with pytest.raises(socket.timeout):
                client.fetch_data()
        finally:
            release.set()
        return
    try:
        with pytest.raises(PyJWKClientConnectionError) as info:
            client.fetch_data()
    finally:
        release.set()
    assert str(info.value) == 'Fail to fetch data from the url, err: "timed out"'


def test_non_object_payload_is_rejected_and_cache_kept(server: _Server) -> None:
    server.json("/jwks", SET_A, ["not", "an", "object"])
    client = _client(server.url("/jwks"))
    before = client.get_jwk_set()
    with pytest.raises(PyJWKClientError) as info:
        client.get_jwk_set(refresh=True)
    assert type(info.value) is PyJWKClientError
    assert str(info.value) == "The JWKS endpoint did not return a JSON object"
    assert client.get_jwk_set() is before


def test_failed_download_keeps_the_cached_set(server: _Server) -> None:
    server.json("/jwks", SET_A)
    client = _client(server.url("/jwks"))
    before = client.get_jwk_set()
    server.routes["/jwks"] = lambda: (500, {}, b"")
    with pytest.raises(PyJWKClientConnectionError):
        client.get_jwk_set(refresh=True)
    assert client.get_jwk_set() is before


def test_invalid_json_is_not_wrapped(server: _Server) -> None:
    # Like PyJWT: only transport errors become PyJWKClientConnectionError.
    server.routes["/jwks"] = lambda: (200, {}, b"{not json")
    client = _client(server.url("/jwks"))
    with pytest.raises(json.JSONDecodeError):
        client.fetch_data()


def test_set_without_usable_keys(server: _Server) -> None:
    server.json("/jwks", {"keys": [{"kty": "nonsense", "kid": "x"}]})
    with pytest.raises(PyJWKSetError):
        _client(server.url("/jwks")).get_jwk_set()


def test_signing_keys_filter(server: _Server) -> None:
    server.json(
        "/jwks",
        {
            "keys": [
                _oct("sig-key", SECRET_A, use="sig"),
                _oct("enc-key", SECRET_A, use="enc"),
                _oct(None, SECRET_A),
                _oct("", SECRET_A),
                _oct("plain", SECRET_B),
            ]
        },
    )
    keys = _client(server.url("/jwks")).get_signing_keys()
    assert [k.key_id for k in keys] == ["sig-key", "plain"]


def test_no_signing_keys(server: _Server) -> None:
    server.json("/jwks", {"keys": [_oct("enc-only", SECRET_A, use="enc")]})
    with pytest.raises(PyJWKClientError) as info:
        _client(server.url("/jwks")).get_signing_keys()
    assert str(info.value) == "The JWKS endpoint did not contain any signing keys"


def test_get_signing_key_found(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    key = _client(server.url("/jwks")).get_signing_key("key-b")
    assert isinstance(key, PyJWK)
    assert key.key_id == "key-b"
    assert key.key == SECRET_B


def test_unknown_kid_waits_for_the_cooldown(server: _Server) -> None:
    server.json("/jwks", SET_A, SET_AB)
    client = _client(server.url("/jwks"))
    client.get_jwk_set()
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key("key-b")
    assert str(info.value) == 'Unable to find a signing key that matches: "key-b"'
    assert server.hits("/jwks") == 1


def test_unknown_kid_refreshes_once_without_cooldown(server: _Server) -> None:
    server.json("/jwks", SET_A, SET_AB)
    client = _client(server.url("/jwks"), cooldown_duration=0)
    client.get_jwk_set()
    assert client.get_signing_key("key-b").key_id == "key-b"
    assert server.hits("/jwks") == 2
    with pytest.raises(PyJWKClientError, match='matches: "key-c"'):
        client.get_signing_key("key-c")
    assert server.hits("/jwks") == 3


def test_signing_key_cache(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    client = _client(server.url("/jwks"), cache_keys=True, max_cached_keys=1, cache_jwk_set=False)
    assert client.get_signing_key.cache_info().maxsize == 1  # type: ignore[attr-defined]
    client.get_signing_key("key-a")
    client.get_signing_key("key-a")
    assert server.hits("/jwks") == 1
    client.get_signing_key("key-b")  # evicts key-a
    client.get_signing_key("key-a")
    assert server.hits("/jwks") == 3


def test_signing_key_from_jwt(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    client = _client(server.url("/jwks"))
    token = cyjwt.encode({"sub": "alice"}, SECRET_B, algorithm="HS256", headers={"kid": "key-b"})
    key = client.get_signing_key_from_jwt(token)
    assert key.key_id == "key-b"
    assert cyjwt.decode(token, key.key, algorithms=["HS256"]) == {"sub": "alice"}
    # bytes tokens are accepted too, and the signature is not checked here.
    forged = cyjwt.encode(
        {"sub": "mallory"}, b"x" * 32, algorithm="HS256", headers={"kid": "key-a"}
    )
    assert client.get_signing_key_from_jwt(forged.encode()).key_id == "key-a"


def test_signing_key_from_jwt_without_kid(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    client = _client(server.url("/jwks"))
    token = cyjwt.encode({"sub": "alice"}, SECRET_A, algorithm="HS256")
    with pytest.raises(PyJWKClientError) as info:
        client.get_signing_key_from_jwt(token)
    assert str(info.value) == 'Unable to find a signing key that matches: "None"'


def test_signing_key_from_malformed_jwt_makes_no_request(server: _Server) -> None:
    server.json("/jwks", SET_AB)
    client = _client(server.url("/jwks"))
    with pytest.raises(DecodeError):
        client.get_signing_key_from_jwt("definitely-not-a-jwt")
    assert server.requests == []


def test_subclass_transform_is_what_gets_cached(server: _Server) -> None:
    server.json("/jwks", SET_AB)

    class OnlyB(PyJWKClient):
        def fetch_data(self) -> Any:
            data = super().fetch_data()
            return {"keys": [k for k in data["keys"] if k.get("kid") == "key-b"]}

    client = OnlyB(server.url("/jwks"), timeout=5)
    assert [k.key_id for k in client.get_jwk_set().keys] == ["key-b"]
    assert [k.key_id for k in client.get_jwk_set().keys] == ["key-b"]
    assert server.hits("/jwks") == 1


def test_subclass_returning_non_object() -> None:
    class Broken(PyJWKClient):
        def fetch_data(self) -> Any:
            return "nope"

    with pytest.raises(PyJWKClientError, match="^The JWKS endpoint did not return a JSON object$"):
        Broken("https://issuer.test/jwks").get_jwk_set()


# --------------------------------------------------------------------------
# With a mocked opener and clock
# --------------------------------------------------------------------------


@contextlib.contextmanager
def _mocked_opener(*payloads: Any) -> Iterator[mock.Mock]:
    with mock.patch("urllib.request.build_opener") as build_opener:
        response = mock.MagicMock()
        response.__enter__.return_value = response
        response.__exit__.return_value = False
        bodies = [json.dumps(p) for p in payloads]
        response.read.side_effect = lambda *a: bodies.pop(0) if len(bodies) > 1 else bodies[0]
        build_opener.return_value.open.return_value = response
        yield build_opener


def test_opener_is_looked_up_at_call_time() -> None:
    client = PyJWKClient("https://issuer.test/jwks", timeout=7, headers={"X-A": "1"})
    with _mocked_opener(SET_A) as build_opener:
        assert client.fetch_data() == SET_A
    handlers = build_opener.call_args.args
    assert len(handlers) == 1 and isinstance(handlers[0], _NoRedirectHandler)
    request = build_opener.return_value.open.call_args.args[0]
    assert request.full_url == "https://issuer.test/jwks"
    assert request.get_header("X-a") == "1"
    assert build_opener.return_value.open.call_args.kwargs == {"timeout": 7}


def test_ssl_context_is_handed_to_an_https_handler() -> None:
    context = ssl.create_default_context()
    client = PyJWKClient("https://issuer.test/jwks", ssl_context=context)
    with _mocked_opener(SET_A) as build_opener:
        client.fetch_data()
    handlers = build_opener.call_args.args
    assert isinstance(handlers[0], _NoRedirectHandler)
    assert any(getattr(h, "_context", None) is context for h in handlers[1:])


def test_http_error_is_closed() -> None:
    error = HTTPError("https://issuer.test/jwks", 401, "Unauthorized", Message(), io.BytesIO(b""))
    client = PyJWKClient("https://issuer.test/jwks")
    with mock.patch("urllib.request.build_opener") as build_opener:
        build_opener.return_value.open.side_effect = error
        with pytest.raises(PyJWKClientConnectionError) as info:
            client.fetch_data()
    assert error.fp.closed
    assert info.value.__cause__ is error
    assert str(info.value) == 'Fail to fetch data from the url, err: "HTTP Error 401: Unauthorized"'


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (URLError("no route"), "<urlopen error no route>"),
        (TimeoutError("timed out"), "timed out"),
        (ConnectionResetError("reset"), None),
    ],
)
def test_which_errors_are_wrapped(error: Exception, text: str | None) -> None:
    client = PyJWKClient("https://issuer.test/jwks")
    with mock.patch("urllib.request.build_opener") as build_opener:
        build_opener.return_value.open.side_effect = error
        if text is None:
            # Plain OSErrors other than timeouts are not PyJWT's business.
            with pytest.raises(ConnectionResetError):
                client.fetch_data()
        else:
            with pytest.raises(PyJWKClientConnectionError) as info:
                client.fetch_data()
            assert str(info.value) == f'Fail to fetch data from the url, err: "{text}"'


def test_cooldown_uses_the_module_clock() -> None:
    clock = [100.0]
    client = PyJWKClient("https://issuer.test/jwks", cooldown_duration=10)
    fake_clock = mock.patch("cyjwt.jwks_client.time.monotonic", side_effect=lambda: clock[0])
    with _mocked_opener(SET_A) as build_opener, fake_clock:
        opener = build_opener.return_value
        with pytest.raises(PyJWKClientError):
            client.get_signing_key("missing")
        assert opener.open.call_count == 1
        assert client._last_successful_fetch == 100.0
        clock[0] = 109.9
        with pytest.raises(PyJWKClientError):
            client.get_signing_key("missing")
        assert opener.open.call_count == 1
        clock[0] = 110.0
        with pytest.raises(PyJWKClientError):
            client.get_signing_key("missing")
        assert opener.open.call_count == 2
        assert client._last_successful_fetch == 110.0


def test_concurrent_misses_refresh_once() -> None:
    client = PyJWKClient("https://issuer.test/jwks", cooldown_duration=30)
    with _mocked_opener(SET_A) as build_opener:
        client.get_jwk_set()
        client._last_successful_fetch = -1000.0  # cooldown long over
        failures: list[Exception] = []

        def lookup() -> None:
            try:
                client.get_signing_key("missing")
            except PyJWKClientError as exc:
                failures.append(exc)

        threads = [threading.Thread(target=lookup) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert not any(t.is_alive() for t in threads)
        assert len(failures) == 8
        assert build_opener.return_value.open.call_count == 2


def test_no_redirect_handler_declines() -> None:
    handler = _NoRedirectHandler()
    assert handler.redirect_request(mock.Mock(), None, 301, "Moved", {}, "https://x.test/") is None


def test_match_kid() -> None:
    keys = PyJWKSet.from_dict(SET_AB).keys
    assert PyJWKClient.match_kid(keys, "key-b") is keys[1]
    assert PyJWKClient.match_kid(keys, "zzz") is None
    assert PyJWKClient.match_kid([], "key-a") is None
