"""Give this file to OpenRLHF as ``--remote_rm_url /path/to/batch/gradus_reward/openrlhf_remote_rm.py``.

OpenRLHF loads it by path and calls ``reward_func(queries, prompts, labels)``. The service URL and the
other settings come from ``GRADUS_URL`` and the other ``GRADUS_*`` variables (see ``config.py``).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gradus_reward.openrlhf import reward_func  # noqa: E402

__all__ = ["reward_func"]
