"""Run a WSGI app (Django) from an ASGI server on a few persistent threads.

Django's own ASGI handler creates a thread per request, and a2wsgi hands every chunk across
threads; both cost far more than the request itself here (shared/PERFORMANCE.md). This
bridge makes one hop per request: the whole request body is read on the event loop, the
WSGI app runs on a persistent thread, and the response comes back in batches (streamed in
256 KB batches for large files). Long-lived responses (server-sent events) do not belong
here: they are routed to async handlers in ``netral.asgi``.
"""

import asyncio
import io
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

_SPOOL_LIMIT = 1024 * 1024
_BATCH = 256 * 1024


def environ_for(scope, body, body_size) -> dict:
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf8").decode("latin1"),
        "PATH_INFO": scope["path"].encode("utf8").decode("latin1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": "HTTP/" + scope.get("http_version", "1.1"),
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(body_size),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1").upper().replace("-", "_")
        value = raw_value.decode("latin1")
        if name == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        if name == "CONTENT_LENGTH":
            continue
        key = "HTTP_" + name
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class _Response:
    __slots__ = ("status", "headers", "iterator", "closer")

    def __init__(self):
        self.status = 500
        self.headers = []
        self.iterator = None
        self.closer = None


def _next_batch(response: _Response) -> tuple[bytes, bool]:
    """Pull up to one batch from the iterator; returns (data, finished)."""
    parts, size = [], 0
    for chunk in response.iterator:
        if chunk:
            parts.append(chunk)
            size += len(chunk)
            if size >= _BATCH:
                return b"".join(parts), False
    return b"".join(parts), True


class WSGIBridge:
    def __init__(self, app, *, threads: int = 1, executor: ThreadPoolExecutor | None = None):
        self.app = app
        self.executor = executor or ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")

    def _start(self, environ) -> tuple[_Response, bytes, bool]:
        response = _Response()

        def start_response(status, headers, exc_info=None):
            response.status = int(status.split(" ", 1)[0])
            response.headers = [(k.lower().encode("latin1"), v.encode("latin1")) for k, v in headers]

        result = self.app(environ, start_response)
        response.iterator = iter(result)
        response.closer = getattr(result, "close", None)
        return (response, *self._continue(response))

    @staticmethod
    def _close(response: _Response):
        if response.closer is not None:
            response.closer()
            response.closer = None

    def _continue(self, response: _Response) -> tuple[bytes, bool]:
        try:
            data, finished = _next_batch(response)
        except BaseException:
            self._close(response)
            raise
        if finished:
            self._close(response)
        return data, finished

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = io.BytesIO()
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > _SPOOL_LIMIT and isinstance(body, io.BytesIO):
                    spooled = tempfile.TemporaryFile()
                    spooled.write(body.getvalue())
                    body = spooled
                body.write(chunk)
            if not message.get("more_body"):
                break
        body.seek(0)
        loop = asyncio.get_running_loop()
        environ = environ_for(scope, body, size)
        response, data, finished = await loop.run_in_executor(self.executor, self._start, environ)
        try:
            await send({"type": "http.response.start", "status": response.status, "headers": response.headers})
            await send({"type": "http.response.body", "body": data, "more_body": not finished})
            while not finished:
                data, finished = await loop.run_in_executor(self.executor, self._continue, response)
                await send({"type": "http.response.body", "body": data, "more_body": not finished})
        finally:
            if not finished:
                await loop.run_in_executor(self.executor, self._close, response)
            body.close()
