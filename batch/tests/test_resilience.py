"""Retries, backoff, Retry-After, deadlines and the fallback policy, against a scripted stand-in server."""

from __future__ import annotations

import socket
import unittest
import warnings
from unittest import mock

from stand_in import Reply, StandIn

import live_server  # noqa: F401 (puts the package on sys.path)
from gradus_reward import GradusClient, GradusRequestError, GradusUnavailable, compute_score_batch, trl
from gradus_reward.transport import retry_after_s

ITEMS = [{"response": "1", "ground_truth": "1"}] * 3


def free_port_nobody_listens_on() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RetryTest(unittest.TestCase):
    def setUp(self) -> None:
        self.sleeps: list[float] = []
        patcher = mock.patch("gradus_reward.transport._sleep", side_effect=self.sleeps.append)
        patcher.start()
        self.addCleanup(patcher.stop)

    def client(self, url: str, **settings) -> GradusClient:
        client = GradusClient(url=url, **settings)
        self.addCleanup(client.close)
        return client

    def test_503_then_recovery(self) -> None:
        script = [Reply(503, headers={"retry-after": "0"}), Reply(503, headers={"retry-after": "0"}), Reply(200)]
        with StandIn(script) as server:
            results = self.client(server.url).score(ITEMS)
        self.assertEqual([r["score"] for r in results], [1, 1, 1])
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(self.sleeps, [0.0, 0.0])

    def test_429_retry_after_is_honoured(self) -> None:
        with StandIn([Reply(429, headers={"retry-after": "7"}), Reply(200)]) as server:
            self.client(server.url).score(ITEMS)
        self.assertEqual(self.sleeps, [7.0])

    def test_exponential_backoff_with_jitter_without_retry_after(self) -> None:
        with StandIn([Reply(502), Reply(500), Reply(504), Reply(200)]) as server:
            self.client(server.url, backoff_s=0.1, backoff_max_s=0.3).score(ITEMS)
        self.assertEqual(len(self.sleeps), 3)
        for sleep, ceiling in zip(self.sleeps, [0.1, 0.2, 0.3]):
            self.assertGreaterEqual(sleep, ceiling / 2)
            self.assertLessEqual(sleep, ceiling)

    def test_out_of_retries_raises(self) -> None:
        with StandIn([Reply(503)]) as server:
            with self.assertRaisesRegex(GradusUnavailable, "after 3 tries; last: HTTP 503"):
                self.client(server.url, max_retries=2).score(ITEMS)
            self.assertEqual(len(server.requests), 3)

    def test_a_4xx_is_not_retried_and_not_replaced_by_the_fallback(self) -> None:
        body = {"error": {"code": "VALIDATION_ERROR", "message": "bad", "path": "items.0.response"}}
        with StandIn([Reply(400, body=body)]) as server:
            with self.assertRaisesRegex(GradusRequestError, "items.0.response"):
                self.client(server.url, on_unreachable="fallback").score(ITEMS)
            self.assertEqual(len(server.requests), 1)

    def test_a_dropped_keep_alive_connection_is_replaced_silently(self) -> None:
        with StandIn([Reply(200, close_after=True), Reply(200)]) as server:
            client = self.client(server.url)
            client.score(ITEMS)
            client.score(ITEMS)
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(self.sleeps, [])

    def test_batches_are_split_and_reassembled(self) -> None:
        items = [{"id": i, "response": "1", "ground_truth": "1"} for i in range(10)]
        with StandIn([Reply(200)]) as server:
            results = self.client(server.url, batch_size=4, max_concurrency=3).score(items)
        self.assertEqual(sorted(len(r["items"]) for r in server.requests), [2, 4, 4])
        self.assertEqual(len(results), 10)


class DeadlineAndFallbackTest(unittest.TestCase):
    def test_the_deadline_bounds_a_slow_service(self) -> None:
        with StandIn([Reply(200, delay_s=3)]) as server:
            with GradusClient(url=server.url, timeout_s=60, deadline_s=0.3) as client:
                with self.assertRaises(GradusUnavailable):
                    client.score(ITEMS)

    def test_unreachable_raises_by_default(self) -> None:
        url = f"http://127.0.0.1:{free_port_nobody_listens_on()}"
        with GradusClient(url=url, max_retries=1, backoff_s=0) as client:
            with self.assertRaisesRegex(GradusUnavailable, "ConnectionRefusedError"):
                client.score(ITEMS)

    def test_unreachable_with_fallback_warns_and_returns_the_fallback(self) -> None:
        url = f"http://127.0.0.1:{free_port_nobody_listens_on()}"
        settings = {"url": url, "max_retries": 1, "backoff_s": 0, "on_unreachable": "fallback"}
        with self.assertWarnsRegex(RuntimeWarning, "UNREACHABLE"), self.assertLogs("gradus_reward", "ERROR"):
            scores = compute_score_batch(["math"] * 2, ["1", "2"], ["1", "1"], fallback_reward=-0.5, **settings)
        self.assertEqual(scores, [{"score": -0.5, "acc": False, "pred": ""}] * 2)
        with warnings.catch_warnings(), self.assertLogs("gradus_reward", "ERROR"):
            warnings.simplefilter("ignore")
            rewards = trl.make_reward_func(fallback_reward=None, **settings)(["p"], ["1"], answer=["1"])
        self.assertEqual(rewards, [None])  # TRL leaves None out of the update


class RetryAfterTest(unittest.TestCase):
    def test_seconds_and_http_dates(self) -> None:
        self.assertEqual(retry_after_s("3"), 3.0)
        self.assertEqual(retry_after_s(None), None)
        self.assertEqual(retry_after_s("soon"), None)
        self.assertEqual(retry_after_s("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0), 10.0)


if __name__ == "__main__":
    unittest.main()
