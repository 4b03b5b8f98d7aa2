"""A denied file's reason reaches the client's status line on both of uvicorn's HTTP/1.1
implementations, and every other response keeps the standard phrase."""

from __future__ import annotations

import http.client
import socket
import threading

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

from ossmeta.surfaces.index.reason_phrase import ReasonPhraseResponse, install_reason_phrases


def app() -> FastAPI:
    made = FastAPI()

    @made.get("/denied")
    def denied() -> Response:
        return ReasonPhraseResponse(b"{}", 403, phrase="policy p v1: malicious: MAL-1\r\nX: y")

    @made.get("/plain")
    def plain() -> Response:
        return Response(b"", 403)

    return made


@pytest.mark.parametrize("implementation", ["h11", "httptools"])
def test_reason_phrase_reaches_the_status_line(implementation: str) -> None:
    install_reason_phrases()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app(), http=implementation, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    waited = threading.Event()
    for _ in range(1000):
        if server.started:
            break
        waited.wait(0.01)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        reasons = []
        for path in ("/denied", "/plain", "/denied"):  # one connection: nothing leaks between
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            reasons.append((answer.status, answer.reason, answer.getheader("x")))
        connection.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    denied = (403, "policy p v1: malicious: MAL-1 X: y", None)  # no header smuggled in
    assert reasons == [denied, (403, "Forbidden", None), denied]
