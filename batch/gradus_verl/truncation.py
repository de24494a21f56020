"""Which responses the length limit cut off, and a loss mask without them.

Pure functions over lists of rows, numpy arrays or torch tensors (anything with ``len()``, row indexing,
and for arrays ``[:, j]`` slicing, ``.sum(-1)`` and ``.tolist()``), so the rule is tested without torch.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence


def truncated_rows(
    lengths: Sequence[int], last_tokens: Sequence[int], max_length: int, eos_ids: Iterable[int]
) -> list[int]:
    """Rows whose response filled all ``max_length`` positions and does not end with an EOS token.

    ``lengths``: each response's token count; ``last_tokens``: each response's token at position
    ``max_length - 1``. A response of exactly ``max_length`` tokens whose last one is EOS ended by itself.
    """
    if len(lengths) != len(last_tokens):
        raise ValueError(f"truncated_rows: {len(lengths)} lengths but {len(last_tokens)} last tokens")
    eos = frozenset(int(t) for t in eos_ids)
    return [i for i, (n, last) in enumerate(zip(lengths, last_tokens)) if int(n) >= max_length and int(last) not in eos]


def without_rows(mask: Any, rows: Sequence[int]) -> Any:
    """A copy of ``mask`` (rows x tokens) with ``rows`` zeroed. ``mask`` itself is left as it is: verl's
    response mask can be a view of the attention mask, which the model's forward pass still reads."""
    if isinstance(mask, list):
        drop = set(rows)
        return [[0] * len(row) if i in drop else list(row) for i, row in enumerate(mask)]
    out = mask.clone() if hasattr(mask, "clone") else mask.copy()
    if rows:
        out[list(rows)] = 0
    return out


def response_lengths(attention_mask: Any, width: int) -> list[int]:
    """Each response's token count: the sum of the last ``width`` columns of its attention mask.

    The attention mask, not the loss mask: in multi-turn rollouts the loss mask leaves out tool output,
    which still takes room under the length limit.
    """
    if isinstance(attention_mask, list):
        return [sum(row[len(row) - width :]) for row in attention_mask]
    return attention_mask[:, -width:].sum(-1).tolist()


def last_tokens(responses: Any) -> list[int]:
    if isinstance(responses, list):
        return [row[-1] for row in responses]
    return responses[:, -1].tolist()


def mask_truncated(
    response_mask: Any, responses: Any, attention_mask: Any, eos_ids: Iterable[int]
) -> tuple[Any, list[int]]:
    """The loss mask without the truncated responses, and their rows.

    ``responses`` is padded to the length limit (verl pads every response to ``max_response_length``), so
    its width is the limit; ``attention_mask`` covers prompt and response, the response last.
    """
    if len(responses) == 0:
        return response_mask, []
    width = len(responses[0])
    rows = truncated_rows(response_lengths(attention_mask, width), last_tokens(responses), width, eos_ids)
    return without_rows(response_mask, rows), rows
