"""Client settings: defaults, overridden by ``GRADUS_*`` environment variables, overridden by arguments."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional

OnUnreachable = Literal["raise", "fallback"]


@dataclass(frozen=True)
class ClientConfig:
    """How the client reaches the gradus reward service and what it does when it cannot.

    Attributes:
        url: Base URL of the service, e.g. ``http://reward:8787`` (env ``GRADUS_URL``).
        batch_size: Samples per HTTP request (env ``GRADUS_BATCH_SIZE``; the server takes up to 4096).
        max_concurrency: Requests in flight at once per call (env ``GRADUS_MAX_CONCURRENCY``).
        timeout_s: Time limit of one HTTP request (env ``GRADUS_TIMEOUT_S``).
        deadline_s: Time limit of one whole call, all batches and retries included (env ``GRADUS_DEADLINE_S``).
        max_retries: Retries of one request on 429, 5xx and connection errors (env ``GRADUS_MAX_RETRIES``).
        backoff_s: First retry delay; it doubles per retry, with jitter (env ``GRADUS_BACKOFF_S``).
        backoff_max_s: Largest retry delay, ``Retry-After`` included (env ``GRADUS_BACKOFF_MAX_S``).
        on_unreachable: ``"raise"`` (default) raises :class:`GradusUnavailable` when a batch cannot be
            scored in time; ``"fallback"`` logs a loud warning and gives its samples ``fallback_reward``
            (env ``GRADUS_ON_UNREACHABLE``).
        fallback_reward: The reward of samples the service could not score, when falling back
            (env ``GRADUS_FALLBACK_REWARD``; ``none`` gives ``None``, which TRL skips).
        min_reward: Reward of a wrong answer (a correct one gets 1; code pass rates scale between);
            ``None`` keeps the service's 0 (env ``GRADUS_MIN_REWARD``; -1 gives verl math_dapo's +/-1).
        task: Scorer for samples that do not say (``"math"`` or ``"code"``; env ``GRADUS_TASK``).
    """

    url: str = "http://127.0.0.1:8787"
    batch_size: int = 512
    max_concurrency: int = 4
    timeout_s: float = 120.0
    deadline_s: float = 600.0
    max_retries: int = 6
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    on_unreachable: OnUnreachable = "raise"
    fallback_reward: Optional[float] = 0.0
    min_reward: Optional[float] = None
    task: Optional[str] = None

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"gradus: url must start with http:// or https://, got {self.url!r}")
        positive = {"batch_size": self.batch_size, "max_concurrency": self.max_concurrency,
                    "timeout_s": self.timeout_s, "deadline_s": self.deadline_s}
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"gradus: {name} must be positive, got {value!r}")
        if self.max_retries < 0 or self.backoff_s < 0 or self.backoff_max_s < 0:
            raise ValueError("gradus: max_retries, backoff_s and backoff_max_s must not be negative")
        if self.on_unreachable not in ("raise", "fallback"):
            raise ValueError(f"gradus: on_unreachable must be 'raise' or 'fallback', got {self.on_unreachable!r}")
        if self.min_reward is not None and not -100 <= self.min_reward <= 0:
            raise ValueError(f"gradus: min_reward must be between -100 and 0, got {self.min_reward!r}")

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides: Any) -> "ClientConfig":
        """Defaults, then ``GRADUS_*`` variables from ``env`` (default ``os.environ``), then ``overrides``.

        Unknown override names raise ``TypeError``; an unreadable variable raises ``ValueError`` naming it.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(f"GRADUS_{field.name.upper()}")
            if raw is not None and raw.strip() != "":
                values[field.name] = _parse(field.name, raw.strip())
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"gradus: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values.update({k: v for k, v in overrides.items()})
        return cls(**values)


_INTS = {"batch_size", "max_concurrency", "max_retries"}
_FLOATS = {"timeout_s", "deadline_s", "backoff_s", "backoff_max_s"}
_OPTIONAL_FLOATS = {"fallback_reward", "min_reward"}


def _parse(name: str, raw: str) -> Any:
    variable = f"GRADUS_{name.upper()}"
    try:
        if name in _INTS:
            return int(raw)
        if name in _FLOATS:
            return float(raw)
        if name in _OPTIONAL_FLOATS:
            return None if raw.lower() == "none" else float(raw)
    except ValueError:
        raise ValueError(f"gradus: {variable}={raw!r} is not a number") from None
    return raw.rstrip("/") if name == "url" else raw


CONFIG_FIELDS = frozenset(field.name for field in dataclasses.fields(ClientConfig))
