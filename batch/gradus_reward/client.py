"""The batching client: splits samples into requests, runs them with bounded concurrency, applies the
fallback policy, and puts the answers back in sample order."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import urllib.parse
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar

from .config import ClientConfig
from .errors import GradusError, GradusUnavailable
from .transport import Transport

log = logging.getLogger("gradus_reward")

S = TypeVar("S")
R = TypeVar("R")


class GradusClient:
    """Talks to one gradus reward service. Thread-safe; share one per process.

    Example::

        client = GradusClient(url="http://reward:8787", batch_size=1024)
        results = client.score([{"response": "\\\\boxed{2}", "ground_truth": "2"}])
        results[0]["score"]  # 1.0
    """

    def __init__(self, config: Optional[ClientConfig] = None, **settings: Any) -> None:
        """Uses ``config``, or ``ClientConfig.from_env(**settings)`` (``GRADUS_*`` variables + arguments)."""
        if config is not None and settings:
            raise TypeError("gradus: pass either config or settings, not both")
        self.config = config if config is not None else ClientConfig.from_env(**settings)
        self._transport = Transport(
            self.config.url,
            max_retries=self.config.max_retries,
            backoff_s=self.config.backoff_s,
            backoff_max_s=self.config.backoff_max_s,
        )
        self._pool: Optional[ThreadPoolExecutor] = None
        self._pool_lock = threading.Lock()

    # ---- the generic machinery every adapter uses -------------------------------------------------

    def map_batches(
        self,
        path: str,
        samples: Sequence[S],
        body_of: Callable[[Sequence[S]], Any],
        results_of: Callable[[Any], Sequence[R]],
        fallback_of: Callable[[S], R],
        query: Optional[Mapping[str, Any]] = None,
    ) -> list[R]:
        """Scores ``samples`` in requests of ``batch_size``, ``max_concurrency`` at a time.

        ``body_of(chunk)`` builds a request body, ``results_of(answer)`` reads one result per sample back.
        A chunk the service cannot score in time raises :class:`GradusUnavailable`, or, with
        ``on_unreachable="fallback"``, gets ``fallback_of(sample)`` per sample and a loud warning.
        """
        if not samples:
            return []
        deadline = time.monotonic() + self.config.deadline_s
        url_path = self._path(path, query)
        chunks = self._chunks(samples)

        def run(chunk: Sequence[S]) -> list[R]:
            return self._score_chunk(url_path, chunk, body_of, results_of, fallback_of, deadline)

        if len(chunks) == 1:
            return run(chunks[0])
        out: list[R] = []
        for part in self._executor().map(run, chunks):
            out.extend(part)
        return out

    async def amap_batches(
        self,
        path: str,
        samples: Sequence[S],
        body_of: Callable[[Sequence[S]], Any],
        results_of: Callable[[Any], Sequence[R]],
        fallback_of: Callable[[S], R],
        query: Optional[Mapping[str, Any]] = None,
    ) -> list[R]:
        """:meth:`map_batches` for an event loop: each request runs in a thread, at most
        ``max_concurrency`` at once, so the loop (e.g. TRL's) is never blocked."""
        if not samples:
            return []
        deadline = time.monotonic() + self.config.deadline_s
        url_path = self._path(path, query)
        gate = asyncio.Semaphore(self.config.max_concurrency)

        async def run(chunk: Sequence[S]) -> list[R]:
            async with gate:
                return await asyncio.to_thread(
                    self._score_chunk, url_path, chunk, body_of, results_of, fallback_of, deadline
                )

        parts = await asyncio.gather(*(run(chunk) for chunk in self._chunks(samples)))
        return [result for part in parts for result in part]

    # ---- the plain reward API ---------------------------------------------------------------------

    def score(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``POST /v1/reward``: one RewardResult dict per RewardItem dict, in order (see the README)."""
        return self.map_batches("/v1/reward", items, _reward_body, _reward_results, self._fallback_result)

    async def ascore(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Async :meth:`score`."""
        return await self.amap_batches("/v1/reward", items, _reward_body, _reward_results, self._fallback_result)

    def reward_of(self, result: Mapping[str, Any]) -> Optional[float]:
        """The reward for a RewardResult: its score mapped onto ``[min_reward, 1]``; fallbacks as configured."""
        if result.get("status") == "unavailable":
            return self.config.fallback_reward
        low = self.config.min_reward or 0.0
        return low + (1.0 - low) * float(result["score"])

    def close(self) -> None:
        """Closes its connections and worker threads (the client stays usable: they reopen when needed)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._transport.close()

    def __enter__(self) -> "GradusClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- internals --------------------------------------------------------------------------------

    def _fallback_result(self, item: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"task": item.get("task", "unknown"), "score": 0.0, "correct": False,
                                  "status": "unavailable", "extracted": None,
                                  "reason": "the reward service could not be reached; fallback reward", "ms": 0}
        if "id" in item:
            result["id"] = item["id"]
        return result

    def _score_chunk(
        self,
        url_path: str,
        chunk: Sequence[S],
        body_of: Callable[[Sequence[S]], Any],
        results_of: Callable[[Any], Sequence[R]],
        fallback_of: Callable[[S], R],
        deadline: float,
    ) -> list[R]:
        try:
            answer = self._transport.post(url_path, body_of(chunk), timeout_s=self.config.timeout_s, deadline=deadline)
            results = list(results_of(answer))
        except GradusUnavailable as err:
            if self.config.on_unreachable == "raise":
                raise
            message = (f"GRADUS REWARD SERVICE UNREACHABLE at {self.config.url}: {len(chunk)} sample(s) get the "
                       f"fallback reward {self.config.fallback_reward!r} instead of a real one ({err})")
            log.error(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            return [fallback_of(sample) for sample in chunk]
        if len(results) != len(chunk):
            raise GradusError(f"gradus: {url_path} answered {len(results)} results for {len(chunk)} samples")
        return results

    def _chunks(self, samples: Sequence[S]) -> list[Sequence[S]]:
        size = self.config.batch_size
        return [samples[i : i + size] for i in range(0, len(samples), size)]

    def _path(self, path: str, query: Optional[Mapping[str, Any]]) -> str:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        return f"{path}?{urllib.parse.urlencode(params)}" if params else path

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.config.max_concurrency, thread_name_prefix="gradus")
            return self._pool


def _reward_body(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"items": list(items)}


def _reward_results(answer: Any) -> list[dict[str, Any]]:
    return answer["results"]


_clients: dict[tuple[tuple[str, Any], ...], GradusClient] = {}
_clients_lock = threading.Lock()


def shared_client(**settings: Any) -> GradusClient:
    """One client per distinct settings (and environment at first use), reused across calls: keeps
    connections alive between a trainer's reward calls."""
    config = ClientConfig.from_env(**settings)
    key = tuple(sorted(vars(config).items()))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = GradusClient(config)
        return client
