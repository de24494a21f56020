"""One JSON POST to the service with keep-alive, retries with exponential backoff, and a deadline."""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import threading
import time
import urllib.parse
from typing import Any, Optional

from .errors import GradusRequestError, GradusUnavailable

#: Statuses worth another try: the service is busy (429) or failing for now (5xx, but not 501).
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

_CONNECTION_ERRORS = (OSError, http.client.HTTPException)

#: How the transport waits between tries (a name of its own, so tests can watch the waits).
_sleep = time.sleep


def to_json_bytes(body: Any) -> bytes:
    """JSON for ``body``; numpy arrays and scalars, tuples and sets become plain lists and numbers."""
    return json.dumps(body, default=_plain, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"gradus: cannot send a {type(value).__name__} as JSON")


def retry_after_s(header: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date); None if absent or bad."""
    if header is None:
        return None
    header = header.strip()
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Transport:
    """POSTs JSON to one service, keeping one persistent connection per thread."""

    def __init__(self, base_url: str, *, max_retries: int, backoff_s: float, backoff_max_s: float) -> None:
        parsed = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"gradus: not an http(s) URL: {base_url!r}")
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port
        self._prefix = parsed.path
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self._local = threading.local()
        self._open: set[http.client.HTTPConnection] = set()
        self._open_lock = threading.Lock()

    def post(self, path: str, body: Any, *, timeout_s: float, deadline: float) -> Any:
        """POSTs ``body`` and returns the decoded JSON answer.

        Retries connection errors, timeouts, 429 and 5xx (except 501) with exponential backoff and jitter,
        waiting what ``Retry-After`` asks when it is given, and never past ``deadline`` (a
        ``time.monotonic()`` value). Raises :class:`GradusUnavailable` when out of retries or time, and
        :class:`GradusRequestError` when the service refuses the request.
        """
        data = to_json_bytes(body)
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GradusUnavailable(f"gradus: POST {path}: the call's deadline passed before an answer came")
            wait_hint: Optional[float] = None
            try:
                status, headers, payload = self._send(path, data, min(timeout_s, remaining))
            except _CONNECTION_ERRORS as err:
                problem = f"{type(err).__name__}: {err}"
            else:
                if 200 <= status < 300:
                    return _decode(path, status, payload)
                if status not in RETRYABLE_STATUSES:
                    raise _request_error(status, payload)
                problem = f"HTTP {status}"
                wait_hint = retry_after_s(headers.get("retry-after"))
            if attempt >= self.max_retries:
                raise GradusUnavailable(f"gradus: POST {path} failed after {attempt + 1} tries; last: {problem}")
            delay = self._delay(attempt, wait_hint)
            if time.monotonic() + delay >= deadline:
                raise GradusUnavailable(
                    f"gradus: POST {path}: the call's deadline leaves no time to retry after {problem}"
                )
            _sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(retry_after, self.backoff_max_s)
        exponential = min(self.backoff_max_s, self.backoff_s * (2**attempt))
        return exponential * (0.5 + random.random() / 2)

    def _send(self, path: str, data: bytes, timeout_s: float) -> tuple[int, dict[str, str], bytes]:
        """One exchange. A kept-alive connection the server has closed meanwhile is replaced once, silently."""
        for reused in (True, False):
            conn, was_open = self._connection(timeout_s)
            try:
                conn.request("POST", self._prefix + path, body=data, headers={
                    "content-type": "application/json", "accept": "application/json",
                })
                response = conn.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._drop()
                if was_open and reused:
                    continue
                raise
            except BaseException:
                self._drop()
                raise
            headers = {k.lower(): v for k, v in response.getheaders()}
            if headers.get("connection", "").lower() == "close":
                self._drop()
            return response.status, headers, payload
        raise AssertionError("unreachable")

    def _connection(self, timeout_s: float) -> tuple[http.client.HTTPConnection, bool]:
        conn: Optional[http.client.HTTPConnection] = getattr(self._local, "conn", None)
        if conn is not None:
            conn.timeout = timeout_s
            if conn.sock is not None:
                conn.sock.settimeout(timeout_s)
                return conn, True
        factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = factory(self._host, self._port, timeout=timeout_s)
        self._local.conn = conn
        with self._open_lock:
            self._open.add(conn)
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()
            with self._open_lock:
                self._open.discard(conn)

    def close(self) -> None:
        """Closes every kept-alive connection, whichever thread opened it."""
        with self._open_lock:
            conns, self._open = self._open, set()
        for conn in conns:
            conn.close()


def _decode(path: str, status: int, payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        raise GradusUnavailable(f"gradus: POST {path}: HTTP {status} with a body that is not JSON") from None


def _request_error(status: int, payload: bytes) -> GradusRequestError:
    try:
        error = json.loads(payload)["error"]
        return GradusRequestError(status, str(error["code"]), str(error["message"]), error.get("path"))
    except (ValueError, KeyError, TypeError):
        return GradusRequestError(status, "HTTP_ERROR", payload[:500].decode("utf-8", errors="replace"))
