"""A GRPO-sized batch: 2,048 MATH-500 responses through the client and the real server."""

from __future__ import annotations

import json
import os
import sys
import time
import unittest
from itertools import cycle, islice
from pathlib import Path

from live_server import REPO, server_url

from gradus_reward import GradusClient, compute_score_batch

N = 2048
REL = Path("math", "math500_selfpairs.jsonl")


def data_roots() -> list[Path]:
    """The roots of scripts/data-dir.ts, in its order (kept in step with it)."""
    if os.environ.get("GRADUS_DATA_DIR"):
        return [Path(os.environ["GRADUS_DATA_DIR"]).resolve()]
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    cache = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return [REPO.parent / "shared" / "data", cache / "gradus" / "data"]


PAIRS = next((root / REL for root in data_roots() if (root / REL).exists()), None)
if PAIRS is None:
    print(f"skipped the 2,048-response throughput test: no {REL} in {' or '.join(map(str, data_roots()))}: "
          "fetch benchmarks and code sets with 'npx gradus data fetch', or set GRADUS_DATA_DIR to a copy of the gradus data sets, or place them at ../shared/data (see README 'Data')",
          file=sys.stderr)


@unittest.skipIf(PAIRS is None, "no math data set (README 'Data')")
class ThroughputTest(unittest.TestCase):
    def test_2048_responses(self) -> None:
        with PAIRS.open(encoding="utf-8") as f:
            pairs = list(islice(cycle([json.loads(line) for line in f if line.strip()]), N))
        client = GradusClient(url=server_url(), batch_size=4096)
        self.addCleanup(client.close)
        client.score([{"response": p["pred"], "ground_truth": p["gold"]} for p in pairs[:64]])  # warm-up: the worker pool's first items

        started = time.perf_counter()
        scores = compute_score_batch(
            data_sources=["HuggingFaceH4/MATH-500"] * N,
            solution_strs=[p["pred"] for p in pairs],
            ground_truths=[p["gold"] for p in pairs],
            url=server_url(), batch_size=512, max_concurrency=4,
        )
        seconds = time.perf_counter() - started

        self.assertEqual(len(scores), N)
        # The same verdicts, in the same order, as the plain route in one request; and mostly the labels
        # (the few rows where gradus disagrees with MATH-500's labels are listed in test/math/disagreements.ts).
        direct = client.score([{"response": p["pred"], "ground_truth": p["gold"]} for p in pairs[:N]])
        mismatched = [i for i, (s, r) in enumerate(zip(scores, direct)) if s["acc"] != r["correct"]]
        self.assertEqual(mismatched, [])
        off_label = [i for i, (s, p) in enumerate(zip(scores, pairs)) if s["acc"] != p["expected"]]
        self.assertLess(len(off_label), N // 100, f"verdicts off the labels at {off_label[:20]}")
        print(f"\n2,048 responses through compute_score_batch (4 requests of 512, 4 in flight): "
              f"{seconds:.2f} s, {N / seconds:,.0f} rewards/s", flush=True)


if __name__ == "__main__":
    unittest.main()
