"""Wraps verl 0.5.0's trainer loop (``verl.trainer.ppo.ray_trainer``) to leave truncated responses out of
the loss, as the paper's stage 2 does (and DAPO's overlong filtering).

Each step, ``RayPPOTrainer.fit`` computes the rewards, then calls the module's ``compute_advantage(batch,
...)``, then ``update_critic(batch)`` and ``update_actor(batch)``, whose every loss term (policy, KL,
entropy, value) is aggregated under ``batch.batch["response_mask"]``. Zeroing that mask's truncated rows in
the batch ``compute_advantage`` returns is the narrowest point: their rewards have already counted in their
group's mean and standard deviation (GRPO groups by ``uid`` over all samples), and nothing before the
updates reads the mask again. ``fit`` then logs ``compute_data_metrics(batch=..., use_critic=...)``; the
wrapped one adds the share of masked samples.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Optional

from .truncation import mask_truncated

SHARE_METRIC = "gradus/masked_truncated_share"
COUNT_METRIC = "gradus/masked_truncated_count"

# What install() wraps, with the parameters it relies on; batch/tests/test_verl_wrap_points.py checks them
# against verl 0.5.0's source.
WRAPPED_FUNCTIONS = {
    "compute_advantage": ("data",),
    "compute_data_metrics": ("batch",),
}
WRAPPED_METHOD = ("RayPPOTrainer", "fit", ("self",))


class TruncationMasking:
    """The masking of one trainer: its EOS token ids, and what the last step masked."""

    def __init__(self, eos_ids: Iterable[int] = ()) -> None:
        self.eos_ids = frozenset(eos_ids)
        self._last: Optional[tuple[Any, Any, int, int]] = None

    def apply(self, data: Any) -> Any:
        """Zeroes the loss mask of ``data``'s truncated responses; returns ``data``."""
        if not self.eos_ids:
            raise RuntimeError("gradus: truncation masking needs the model's EOS token ids; none were found")
        tensors = data.batch
        before = tensors["response_mask"]
        after, rows = mask_truncated(before, tensors["responses"], tensors["attention_mask"], self.eos_ids)
        tensors["response_mask"] = after
        self._last = (before, after, len(rows), len(tensors["responses"]))
        return data

    def data_metrics(self, compute: Callable[..., dict], args: tuple, kwargs: dict) -> dict:
        """verl's data metrics over every response (the masked ones too: they were generated and scored,
        and its advantage statistics fail on an empty selection), plus the masked share of the last step."""
        last, self._last = self._last, None
        if last is None:
            return compute(*args, **kwargs)
        before, after, count, total = last
        batch = kwargs["batch"] if "batch" in kwargs else args[0]
        tensors = batch.batch
        swap = tensors["response_mask"] is after
        if swap:
            tensors["response_mask"] = before
        try:
            metrics = dict(compute(*args, **kwargs))
        finally:
            if swap:
                tensors["response_mask"] = after
        metrics[SHARE_METRIC] = count / total if total else 0.0
        metrics[COUNT_METRIC] = count
        return metrics


def eos_token_ids(tokenizer: Any, model_path: str) -> set[int]:
    """The tokens that end a response: the tokenizer's EOS and the model's generation config's (vLLM stops
    at both; verl's rollout marks the response's end at the generation config's)."""
    ids = set(_as_ids(getattr(tokenizer, "eos_token_id", None)))
    try:
        from transformers import GenerationConfig

        ids |= set(_as_ids(GenerationConfig.from_pretrained(model_path).eos_token_id))
    except Exception:  # noqa: BLE001 - a model without generation_config.json: the tokenizer's EOS is it
        pass
    return ids


def _as_ids(value: Any) -> list[int]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


def install(
    ray_trainer: Any,
    masking: TruncationMasking,
    find_eos: Optional[Callable[[Any], set[int]]] = None,
    log: Callable[[str], None] = lambda line: print(line, flush=True),
) -> bool:
    """Wraps ``compute_advantage``, ``compute_data_metrics`` and ``RayPPOTrainer.fit`` in the module
    ``ray_trainer``; ``fit`` learns the EOS ids from its trainer (``find_eos(trainer)``). Returns False when
    the module was wrapped already."""
    if getattr(ray_trainer, "_gradus_masking", None) is not None:
        return False
    compute_advantage = ray_trainer.compute_advantage
    compute_data_metrics = ray_trainer.compute_data_metrics
    fit = ray_trainer.RayPPOTrainer.fit
    find = find_eos or (lambda trainer: eos_token_ids(trainer.tokenizer, trainer.config.actor_rollout_ref.model.path))

    @functools.wraps(compute_advantage)
    def masked_compute_advantage(data: Any, *args: Any, **kwargs: Any) -> Any:
        return masking.apply(compute_advantage(data, *args, **kwargs))

    @functools.wraps(compute_data_metrics)
    def data_metrics(*args: Any, **kwargs: Any) -> dict:
        return masking.data_metrics(compute_data_metrics, args, kwargs)

    @functools.wraps(fit)
    def fit_with_eos(self: Any) -> Any:
        masking.eos_ids = frozenset(find(self))
        log(f"[gradus] truncation masking on; EOS token ids {sorted(masking.eos_ids)}")
        return fit(self)

    ray_trainer.compute_advantage = masked_compute_advantage
    ray_trainer.compute_data_metrics = data_metrics
    ray_trainer.RayPPOTrainer.fit = fit_with_eos
    ray_trainer._gradus_masking = masking
    return True


def apply_gradus_block(config: Any, load_ray_trainer: Optional[Callable[[], Any]] = None) -> Optional[TruncationMasking]:
    """Installs what the config's ``gradus`` block asks for in this process (verl's TaskRunner); returns
    the masking, or None when the block does not ask for it."""
    block = config.get("gradus") or {}
    if not block.get("mask_truncated_responses", False):
        return None
    if load_ray_trainer is None:
        from verl.trainer.ppo import ray_trainer
    else:
        ray_trainer = load_ray_trainer()
    masking = TruncationMasking()
    if not install(ray_trainer, masking):
        return ray_trainer._gradus_masking
    return masking
