"""OpenRLHF: ``reward_func(queries, prompts, labels)``, the local reward function OpenRLHF loads when
``--remote_rm_url`` names a ``.py`` file (use ``openrlhf_remote_rm.py`` beside this module). It posts
the samples to gradus's OpenRLHF route ``/get_reward`` in batches and merges the answers."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .client import GradusClient, shared_client

OPENRLHF_PATH = "/get_reward"

Sample = tuple[str, Optional[str], Any]


def score_openrlhf(
    queries: Sequence[str],
    prompts: Optional[Sequence[str]],
    labels: Optional[Sequence[Any]],
    client: Optional[GradusClient] = None,
) -> dict[str, Any]:
    """``{"rewards", "scores", "extra_logs"}`` as plain lists, one entry per query.

    Each query is the decoded prompt + response; the service scores the part after its prompt against
    its label. Samples of a batch the service could not score get the fallback reward (when configured)
    and ``extra_logs["unavailable"] = 1``.
    """
    client = client if client is not None else shared_client()
    n = len(queries)
    for name, values in (("prompts", prompts), ("labels", labels)):
        if values is not None and len(values) != n:
            raise ValueError(f"gradus: {len(values)} {name} for {n} queries")
    samples: list[Sample] = [
        (queries[i], None if prompts is None else prompts[i], None if labels is None else labels[i]) for i in range(n)
    ]
    fallback = client.config.fallback_reward
    fallback_row = {"reward": 0.0 if fallback is None else fallback, "score": 0.0,
                    "logs": {"acc": 0, "answered": 0, "error": 0, "unavailable": 1}}
    rows = client.map_batches(
        OPENRLHF_PATH, samples, _body, _rows, lambda _s: fallback_row,
        {"task": client.config.task, "min_reward": client.config.min_reward},
    )
    log_keys = sorted({key for row in rows for key in row["logs"]})
    return {
        "rewards": [row["reward"] for row in rows],
        "scores": [row["score"] for row in rows],
        "extra_logs": {key: [row["logs"].get(key, 0) for row in rows] for key in log_keys},
    }


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict[str, Any]:
    """OpenRLHF's local reward function: like :func:`score_openrlhf`, with ``torch`` tensors when torch
    is installed (as OpenRLHF expects), lists otherwise. Settings come from ``GRADUS_*`` variables."""
    out = score_openrlhf(queries, prompts, labels)
    try:
        import torch  # type: ignore[import-not-found]
    except ImportError:
        return out
    return {
        "rewards": torch.tensor(out["rewards"], dtype=torch.float),
        "scores": torch.tensor(out["scores"], dtype=torch.float),
        "extra_logs": {k: torch.tensor(v, dtype=torch.float) for k, v in out["extra_logs"].items()},
    }


def _body(samples: Sequence[Sample]) -> dict[str, Any]:
    body: dict[str, Any] = {"query": [s[0] for s in samples]}
    if all(s[1] is not None for s in samples):
        body["prompts"] = [s[1] for s in samples]
    body["labels"] = [s[2] for s in samples]
    return body


def _rows(answer: Any) -> list[dict[str, Any]]:
    logs = answer.get("extra_logs", {})
    return [
        {
            "reward": reward,
            "score": answer["scores"][i],
            "logs": {**{key: values[i] for key, values in logs.items()}, "unavailable": 0},
        }
        for i, reward in enumerate(answer["rewards"])
    ]
