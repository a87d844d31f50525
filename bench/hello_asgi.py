"""A bare ASGI hello-world: the ceiling of the server itself (granian, same flags as
``netral serve``), measured in the same run as Netral so results can be quoted as ratios.

    granian --interface asgi --no-ws --loop auto --workers 2 --working-dir bench hello_asgi:app
"""

_BODY = b'{"status": "ok"}'
_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_BODY)).encode())],
}
_RESPONSE = {"type": "http.response.body", "body": _BODY, "more_body": False}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    # Drain the request body (none for GET), then answer.
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    await send(_START)
    await send(_RESPONSE)
