"""slime: custom reward hooks (``--custom-rm-path gradus_reward.slime.rm``) that score a sample or a group of
samples in one request through the client (batching, retries, fallback). For one request per sample
without this package, point slime's own ``remote_rm`` at ``/v1/slime/reward`` instead (see the README)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .client import shared_client


def _item(sample: Any, task: Optional[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"response": sample.response, "ground_truth": sample.label}
    metadata = getattr(sample, "metadata", None)
    data_source = metadata.get("data_source") if isinstance(metadata, dict) else None
    if task is not None:
        item["task"] = task
    if data_source is not None:
        item["data_source"] = data_source
    return item


async def rm(args: Any, sample: Any, **kwargs: Any) -> Any:
    """slime's custom reward hook. slime calls it with one ``Sample`` (a reward back) or, with
    ``--group-rm``, with a list of them (a list of rewards back, in order). ``response`` and ``label`` are
    read; ``metadata["data_source"]`` routes a sample when present. Settings come from ``GRADUS_*``."""
    samples: Sequence[Any] = sample if isinstance(sample, (list, tuple)) else [sample]
    client = shared_client()
    results = await client.ascore([_item(s, client.config.task) for s in samples])
    rewards = [client.reward_of(r) for r in results]
    return rewards if isinstance(sample, (list, tuple)) else rewards[0]
