"""gradus_reward: call the gradus reward service from RL trainers (verl, TRL, OpenRLHF, slime).

Standard library only; Python >= 3.9. Settings come from arguments and ``GRADUS_*`` environment variables
(:class:`ClientConfig`); the service URL is ``GRADUS_URL`` (default ``http://127.0.0.1:8787``).
"""

from .client import GradusClient, shared_client
from .config import ClientConfig
from .errors import GradusError, GradusRequestError, GradusUnavailable
from .openrlhf import reward_func as openrlhf_reward_func
from .openrlhf import score_openrlhf
from .trl import make_async_reward_func, make_reward_func
from .verl import compute_score, compute_score_async, compute_score_batch

__all__ = [
    "ClientConfig",
    "GradusClient",
    "GradusError",
    "GradusRequestError",
    "GradusUnavailable",
    "compute_score",
    "compute_score_async",
    "compute_score_batch",
    "make_async_reward_func",
    "make_reward_func",
    "openrlhf_reward_func",
    "score_openrlhf",
    "shared_client",
]
