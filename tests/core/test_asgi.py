"""The serving shape: the ASGI front, the one-hop WSGI bridge, async static files."""

import asyncio
import gzip
import json

import pytest


def call_asgi(app, path, *, method="GET", headers=(), body=b""):
    """Drive an ASGI app like a server would; return (status, headers dict, body)."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers], "http_version": "1.1",
             "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 5000), "root_path": ""}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return (start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]))


def test_static_files_served_from_memory_with_gzip(tmp_path):
    from netral.core.static_asgi import StaticFiles

    (tmp_path / "netral").mkdir()
    (tmp_path / "netral" / "app.0123456789ab.css").write_text("body{color:red}")
    (tmp_path / "netral" / "app.0123456789ab.css.gz").write_bytes(gzip.compress(b"body{color:red}"))
    (tmp_path / "secret.txt").write_text("x")
    app = StaticFiles(tmp_path / "netral", prefix="/static/")

    status, headers, body = call_asgi(app, "/static/app.0123456789ab.css", headers=[("Accept-Encoding", "gzip, br")])
    plain = call_asgi(app, "/static/app.0123456789ab.css")
    escape = call_asgi(app, "/static/../secret.txt")

    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == b"body{color:red}"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain[2] == b"body{color:red}" and plain[1]["content-type"] == "text/css; charset=utf-8"
    assert escape[0] == 404


@pytest.mark.django_db(transaction=True)
def test_api_goes_through_the_lean_handler():
    from netral import asgi

    status, headers, body = call_asgi(asgi.application, "/api/health")

    assert status == 200
    assert json.loads(body)["status"] == "ok"
    assert "content-security-policy" not in headers  # page middleware skipped for JSON


@pytest.mark.django_db(transaction=True)
def test_pages_go_through_full_middleware():
    from netral import asgi

    status, headers, body = call_asgi(asgi.application, "/")

    assert status == 200
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["content-language"] == "id"


@pytest.mark.django_db(transaction=True)
def test_bridge_passes_post_bodies_and_streams_large_responses(settings, tmp_path):
    from django.core.wsgi import get_wsgi_application

    from netral.core.wsgibridge import WSGIBridge

    def app(environ, start_response):
        length = int(environ["CONTENT_LENGTH"])
        data = environ["wsgi.input"].read(length)
        start_response("201 Created", [("Content-Type", "application/octet-stream")])
        return iter([data] * 3)

    big = b"x" * (2 * 1024 * 1024 + 17)  # spooled to a temp file, sent in batches
    status, headers, body = call_asgi(WSGIBridge(app), "/echo", method="POST", body=big)

    assert status == 201
    assert body == big * 3
    assert get_wsgi_application() is not None


@pytest.mark.django_db(transaction=True)
def test_lifespan_startup_builds_the_self_check_index():
    from netral import asgi
    from netral.knowledge import selectors
    from netral.knowledge.loader import load_content

    load_content()
    selectors._built.update(version=None, index=None)
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(asgi.application({"type": "lifespan"}, receive, send))

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert selectors._built["index"] is not None
