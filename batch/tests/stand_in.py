"""A scripted stand-in for the reward service: answers each POST with the next scripted reply."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional


class Reply:
    """One scripted answer. ``results=True`` answers a /v1/reward body with one correct result per item."""

    def __init__(self, status: int = 200, *, headers: Optional[dict[str, str]] = None, body: Any = None,
                 delay_s: float = 0.0, close_after: bool = False) -> None:
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.delay_s = delay_s
        self.close_after = close_after


def ok_results(request: dict[str, Any]) -> dict[str, Any]:
    return {"results": [{"task": "math", "score": 1, "correct": True, "status": "ok", "extracted": "1", "ms": 0}
                        for _ in request["items"]]}


class StandIn:
    """Serves ``script`` in order (the last reply repeats); records every request body."""

    def __init__(self, script: list[Reply]) -> None:
        self.script = list(script)
        self.requests: list[Any] = []
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with stand_in._lock:
                    stand_in.requests.append(body)
                    reply = stand_in.script.pop(0) if len(stand_in.script) > 1 else stand_in.script[0]
                time.sleep(reply.delay_s)
                payload = reply.body if reply.body is not None else (
                    ok_results(body) if reply.status == 200 else {"error": {"code": "X", "message": "scripted"}})
                data = json.dumps(payload).encode()
                self.send_response(reply.status)
                for k, v in {"content-type": "application/json", **reply.headers}.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (deadline tests)
                if reply.close_after:  # drop the kept-alive connection without saying so
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "StandIn":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
