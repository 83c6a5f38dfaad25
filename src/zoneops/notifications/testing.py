"""A local robot/SMS server for tests: records every request and answers as told.

A pytest fixture (``robot_server``); the notifications tests and the browser tests import it.
"""

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class RobotServer:
    """``answers``: what the next requests get, as (HTTP status, JSON body); when it runs out,
    ``default`` is answered."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)
    default: tuple[int, dict] = (200, {"errcode": 0, "errmsg": "ok"})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, status: int = 500, body=None) -> None:
        self.answers += [(status, body or {"errcode": -1, "errmsg": "busy"})] * count

    def answer(self) -> tuple[int, dict]:
        with self.lock:
            return self.answers.pop(0) if self.answers else self.default


@pytest.fixture
def robot_server():
    server_state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes: without TCP_NODELAY each answer would wait
        # for the client's delayed ACK (40 ms).
        disable_nagle_algorithm = True

        def do_POST(self):
            state = server_state["state"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parts = urllib.parse.urlsplit(self.path)
            with state.lock:
                state.requests.append(
                    Received(
                        parts.path,
                        dict(urllib.parse.parse_qsl(parts.query)),
                        dict(self.headers),
                        body,
                    )
                )
            status, answer = state.answer()
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state = RobotServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    server_state["state"] = state
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
