"""TRL (GRPOTrainer): reward functions scored by gradus.

TRL calls ``reward_func(prompts=..., completions=..., completion_ids=..., **columns)`` where every other
dataset column arrives as a list aligned with the completions. Pick the gold column by name::

    from gradus_reward.trl import make_reward_func, make_async_reward_func
    trainer = GRPOTrainer(..., reward_funcs=[make_async_reward_func(gold_column="answer")])
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping, Optional, Sequence

from .client import GradusClient, shared_client

RewardFunc = Callable[..., list[Optional[float]]]
AsyncRewardFunc = Callable[..., Awaitable[list[Optional[float]]]]


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or (conversational datasets) the last assistant message,
    whose content may be a string or a list of ``{"type": "text", "text": ...}`` parts."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion:
        messages = [m for m in completion if isinstance(m, Mapping)]
        assistant = [m for m in messages if m.get("role") == "assistant"] or messages
        content = assistant[-1].get("content", "") if assistant else ""
        if isinstance(content, str):
            return content
        if isinstance(content, Sequence):
            return "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
    return ""


class _TrlAdapter:
    """Builds RewardItems from TRL's arguments and reads rewards back."""

    def __init__(
        self,
        gold_column: str,
        data_source_column: Optional[str],
        task: Optional[str],
        client: Optional[GradusClient],
        settings: Mapping[str, Any],
    ) -> None:
        self.gold_column = gold_column
        self.data_source_column = data_source_column
        self.client = client if client is not None else shared_client(**settings)
        self.task = task if task is not None else self.client.config.task

    def items(self, completions: Sequence[Any], columns: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
        golds = columns.get(self.gold_column)
        if golds is None:
            present = ", ".join(sorted(k for k in columns if isinstance(columns[k], (list, tuple)))) or "none"
            raise KeyError(f"gradus: the dataset has no column {self.gold_column!r} (gold_column); columns: {present}")
        sources = columns.get(self.data_source_column) if self.data_source_column else None
        items: list[dict[str, Any]] = []
        positions: list[int] = []
        for i, completion in enumerate(completions):
            if golds[i] is None:
                continue  # no gold: TRL gets None for this sample and leaves it out
            item: dict[str, Any] = {"response": completion_text(completion), "ground_truth": golds[i]}
            if self.task is not None:
                item["task"] = self.task
            if sources is not None and sources[i] is not None:
                item["data_source"] = sources[i]
            items.append(item)
            positions.append(i)
        return items, positions

    def rewards(self, n: int, results: Sequence[Mapping[str, Any]], positions: Sequence[int]) -> list[Optional[float]]:
        out: list[Optional[float]] = [None] * n
        for position, result in zip(positions, results):
            out[position] = self.client.reward_of(result)
        return out


def make_reward_func(
    gold_column: str = "answer",
    *,
    data_source_column: Optional[str] = None,
    task: Optional[str] = None,
    client: Optional[GradusClient] = None,
    name: str = "gradus_reward",
    **settings: Any,
) -> RewardFunc:
    """A synchronous TRL reward function.

    Args:
        gold_column: Dataset column with the gold answer (math) or the tests (code).
        data_source_column: Optional column routing each sample to a scorer (like verl's ``data_source``).
        task: ``"math"`` or ``"code"`` for every sample (default: by data_source, else math).
        client: A client to use; by default a shared one built from ``settings`` and ``GRADUS_*`` variables.
        name: The function's ``__name__``, which TRL logs rewards under.
        settings: :class:`ClientConfig` fields (``url``, ``batch_size``, ``min_reward``, ...).

    Samples whose gold is ``None`` get ``None`` (TRL skips them).
    """
    adapter = _TrlAdapter(gold_column, data_source_column, task, client, settings)

    def reward_func(prompts: Sequence[Any], completions: Sequence[Any], **columns: Any) -> list[Optional[float]]:
        items, positions = adapter.items(completions, columns)
        return adapter.rewards(len(completions), adapter.client.score(items), positions)

    reward_func.__name__ = name
    return reward_func


def make_async_reward_func(
    gold_column: str = "answer",
    *,
    data_source_column: Optional[str] = None,
    task: Optional[str] = None,
    client: Optional[GradusClient] = None,
    name: str = "gradus_reward",
    **settings: Any,
) -> AsyncRewardFunc:
    """An ``async`` TRL reward function (TRL >= 0.27 awaits these concurrently); same arguments as
    :func:`make_reward_func`. Requests run in threads, so the trainer's event loop never blocks."""
    adapter = _TrlAdapter(gold_column, data_source_column, task, client, settings)

    async def reward_func(prompts: Sequence[Any], completions: Sequence[Any], **columns: Any) -> list[Optional[float]]:
        items, positions = adapter.items(completions, columns)
        return adapter.rewards(len(completions), await adapter.client.ascore(items), positions)

    reward_func.__name__ = name
    return reward_func
