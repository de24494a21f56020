"""verl: ``compute_score`` for ``custom_reward_function`` (naive/prime/dapo reward managers) and
``compute_score_batch`` for the ``batch`` reward manager. Both post verl rows to ``/v1/verl/rows``.

verl config::

    custom_reward_function.path=batch/gradus_reward/verl.py
    custom_reward_function.name=compute_score_batch     # with reward_model.reward_manager=batch
    +custom_reward_function.reward_kwargs.url=http://reward:8787   # or GRADUS_URL in the environment

Settings not given as reward kwargs come from ``GRADUS_*`` variables (see :class:`ClientConfig`).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Mapping, Optional, Sequence

if __package__ in (None, ""):  # loaded by file path, as verl does: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from gradus_reward.client import GradusClient, shared_client
    from gradus_reward.config import CONFIG_FIELDS
else:
    from .client import GradusClient, shared_client
    from .config import CONFIG_FIELDS

VERL_ROWS_PATH = "/v1/verl/rows"

Row = dict[str, Any]
Score = dict[str, Any]


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Optional[Mapping[str, Any]] = None,
    **kwargs: Any,
) -> Score:
    """Scores one response, verl's ``custom_reward_function`` signature.

    Returns ``{"score", "acc", "pred"}``: ``score`` is the reward (1 correct, ``min_reward`` wrong, code
    pass rates in between), ``acc`` whether it is correct, ``pred`` the extracted answer. ``kwargs``
    may carry client settings (``url``, ``min_reward``, ``task``, ...); other keys verl adds are ignored.
    """
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kwargs)[0]


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Optional[Mapping[str, Any]]]] = None,
    **kwargs: Any,
) -> list[Score]:
    """Scores a batch, verl's ``batch`` reward manager signature; one score dict per response, in order."""
    n = len(solution_strs)
    if not len(data_sources) == len(ground_truths) == n or (extra_infos is not None and len(extra_infos) != n):
        raise ValueError(
            f"gradus: compute_score_batch needs aligned lists; got {len(data_sources)} data_sources, "
            f"{n} solution_strs, {len(ground_truths)} ground_truths"
            + ("" if extra_infos is None else f", {len(extra_infos)} extra_infos")
        )
    rows = [
        verl_row(data_sources[i], solution_strs[i], ground_truths[i], None if extra_infos is None else extra_infos[i])
        for i in range(n)
    ]
    return score_rows(rows, _client_from(kwargs))


async def compute_score_async(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Optional[Mapping[str, Any]] = None,
    **kwargs: Any,
) -> Score:
    """``async`` :func:`compute_score` (verl awaits async reward functions)."""
    client = _client_from(kwargs)
    rows = [verl_row(data_source, solution_str, ground_truth, extra_info)]
    return (await client.amap_batches(VERL_ROWS_PATH, rows, _rows_body, _scores_of, _fallback(client), _query(client)))[0]


def verl_row(data_source: str, response: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]]) -> Row:
    """A row in verl's parquet schema carrying one response."""
    row: Row = {"data_source": data_source, "reward_model": {"ground_truth": ground_truth}, "response": response}
    if extra_info:
        # verl adds its own bookkeeping (rollout_reward_scores, num_turns) that the scorer has no use for.
        row["extra_info"] = {k: v for k, v in extra_info.items() if k not in ("rollout_reward_scores",)}
    return row


def score_rows(rows: Sequence[Row], client: GradusClient) -> list[Score]:
    """Scores verl rows (each with one ``response``); one ``{"score", "acc", "pred"}`` per row."""
    return client.map_batches(VERL_ROWS_PATH, rows, _rows_body, _scores_of, _fallback(client), _query(client))


def _client_from(kwargs: Mapping[str, Any]) -> GradusClient:
    return shared_client(**{k: v for k, v in kwargs.items() if k in CONFIG_FIELDS})


def _query(client: GradusClient) -> dict[str, Any]:
    return {"task": client.config.task, "min_reward": client.config.min_reward}


def _rows_body(rows: Sequence[Row]) -> dict[str, Any]:
    return {"rows": list(rows)}


def _scores_of(answer: Any) -> list[Score]:
    return [{"score": r["score"], "acc": r["acc"], "pred": r["pred"]} for r in answer["results"]]


def _fallback(client: GradusClient) -> Callable[[Row], Score]:
    reward = client.config.fallback_reward
    return lambda _row: {"score": 0.0 if reward is None else reward, "acc": False, "pred": ""}
