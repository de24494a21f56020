"""Errors the client raises."""

from __future__ import annotations

from typing import Optional


class GradusError(Exception):
    """Base class of every error raised by the gradus client."""


class GradusUnavailable(GradusError):
    """The service could not score a batch in time: unreachable, or 429/5xx through every retry."""


class GradusRequestError(GradusError):
    """The service refused a request (4xx other than 429, or 501): the data or the settings are wrong.

    Never replaced by a fallback reward: retrying or falling back would hide a mistake.
    """

    def __init__(self, status: int, code: str, message: str, path: Optional[str] = None) -> None:
        where = f" at {path}" if path else ""
        super().__init__(f"gradus: HTTP {status} {code}{where}: {message}")
        self.status = status
        self.code = code
        self.path = path
