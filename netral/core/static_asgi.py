"""Collected static files served straight from the event loop (no thread hop, no Django).

Files are read once, kept in memory with their gzip variant (written by WhiteNoise's
``collectstatic`` post-processing), and served with long cache lifetimes when the name
carries a content hash. Anything it cannot serve falls through to Django (WhiteNoise)."""

import mimetypes
import re
from pathlib import Path

_HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
_MAX_BYTES = 8 * 1024 * 1024


class _Entry:
    __slots__ = ("body", "gz", "headers")

    def __init__(self, body: bytes, gz: bytes | None, content_type: str, cache: str):
        self.body = body
        self.gz = gz
        self.headers = [(b"content-type", content_type.encode()), (b"cache-control", cache.encode()),
                        (b"vary", b"Accept-Encoding"), (b"x-content-type-options", b"nosniff")]


class StaticFiles:
    def __init__(self, root, *, prefix: str = "/static/", fallback=None):
        self.root = Path(root).resolve()
        self.prefix = prefix
        self.fallback = fallback
        self._cache: dict[str, _Entry | None] = {}

    def _load(self, rel: str) -> "_Entry | None":
        path = (self.root / rel).resolve()
        if self.root not in path.parents or not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        gz_path = path.with_name(path.name + ".gz")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
            content_type += "; charset=utf-8"
        cache = "public, max-age=31536000, immutable" if _HASHED.search(path.name) else "public, max-age=60"
        return _Entry(path.read_bytes(), gz_path.read_bytes() if gz_path.is_file() else None, content_type, cache)

    async def __call__(self, scope, receive, send):
        rel = scope["path"][len(self.prefix):]
        if rel not in self._cache:
            self._cache[rel] = self._load(rel) if rel and "\0" not in rel else None
        entry = self._cache[rel]
        if entry is None or scope["method"] not in ("GET", "HEAD"):
            if self.fallback is not None:
                await self.fallback(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Not found"})
            return
        accept = b""
        for name, value in scope.get("headers", []):
            if name == b"accept-encoding":
                accept = value
                break
        body, headers = entry.body, list(entry.headers)
        if entry.gz is not None and b"gzip" in accept:
            body = entry.gz
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
