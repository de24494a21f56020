"""GradusClient against the real reward server: math and code items, order, batching."""

from __future__ import annotations

import asyncio
import unittest

from live_server import server_url

from gradus_reward import GradusClient, GradusRequestError

ADD_PROGRAM = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
SUB_PROGRAM = "```python\na, b = map(int, input().split())\nprint(a - b)\n```"
ADD_TESTS = {"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]}


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.client = GradusClient(url=server_url(), batch_size=3, max_concurrency=2)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def test_math_items_scored_in_order_across_batches(self) -> None:
        items = [{"id": i, "response": f"so the answer is $\\boxed{{{i}}}$", "ground_truth": str(i if i % 2 else i + 1)}
                 for i in range(10)]  # 4 requests of at most 3 items
        results = self.client.score(items)
        self.assertEqual([r["id"] for r in results], list(range(10)))
        self.assertEqual([r["correct"] for r in results], [i % 2 == 1 for i in range(10)])
        self.assertEqual([r["score"] for r in results], [float(i % 2) for i in range(10)])

    def test_code_items_pass_and_fail(self) -> None:
        results = self.client.score([
            {"task": "code", "response": ADD_PROGRAM, "ground_truth": ADD_TESTS},
            {"task": "code", "response": SUB_PROGRAM, "ground_truth": ADD_TESTS},
        ])
        self.assertEqual([r["task"] for r in results], ["code", "code"])
        self.assertEqual([r["score"] for r in results], [1, 0])
        self.assertEqual([len(r["tests"]) for r in results], [2, 2])

    def test_async_score_matches_sync(self) -> None:
        items = [{"response": "7", "ground_truth": g} for g in ("7", "8", "7", "7.0", "x")]
        self.assertEqual(
            [r["correct"] for r in asyncio.run(self.client.ascore(items))],
            [r["correct"] for r in self.client.score(items)],
        )

    def test_min_reward_maps_scores(self) -> None:
        with GradusClient(url=server_url(), min_reward=-1) as client:
            results = client.score([{"response": "\\boxed{1}", "ground_truth": "1"},
                                    {"response": "\\boxed{1}", "ground_truth": "2"}])
        self.assertEqual([client.reward_of(r) for r in results], [1.0, -1.0])

    def test_a_refused_request_raises_with_the_path_even_with_fallback(self) -> None:
        with GradusClient(url=server_url(), on_unreachable="fallback") as client:
            with self.assertRaises(GradusRequestError) as caught:
                client.score([{"response": "1", "ground_truth": "1", "task": "poetry"}])
        self.assertEqual(caught.exception.code, "UNKNOWN_TASK")
        self.assertIn("items.0.task", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
