"""Each trainer adapter, called the way its trainer calls it, against the real reward server."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import unittest
from pathlib import Path
from types import ModuleType, SimpleNamespace
from unittest import mock

from live_server import BATCH, server_url

from gradus_reward import client as client_module
from gradus_reward import slime, trl

CHATML_PROMPT = "<|im_start|>user\nWhat is 6 * 7?<|im_end|>\n<|im_start|>assistant\n"
ADD_PROGRAM = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
ADD_TESTS = '{"inputs": ["1 2\\n", "5 7\\n"], "outputs": ["3\\n", "12\\n"]}'


def load_by_path(name: str, path: Path) -> ModuleType:
    """Loads a file the way verl (custom_reward_function.path) and OpenRLHF (--remote_rm_url x.py) do."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class AdapterTest(unittest.TestCase):
    def setUp(self) -> None:
        # Adapters without explicit settings read GRADUS_* and share one client per settings.
        patcher = mock.patch.dict(os.environ, {"GRADUS_URL": server_url()})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(_close_shared_clients)


class VerlTest(AdapterTest):
    def setUp(self) -> None:
        super().setUp()
        self.verl = load_by_path("custom_module", BATCH / "gradus_reward" / "verl.py")

    def test_compute_score_one_response(self) -> None:
        # NaiveRewardManager's call; url as custom_reward_function.reward_kwargs would pass it.
        score = self.verl.compute_score(
            data_source="HuggingFaceH4/MATH-500",
            solution_str="<think>6*7</think> The answer is $\\boxed{42}$.",
            ground_truth="42",
            extra_info={"index": 3, "split": "test", "num_turns": 1, "rollout_reward_scores": {}},
            url=server_url(),
        )
        self.assertEqual(score, {"score": 1, "acc": True, "pred": "42"})

    def test_compute_score_batch_with_math_dapo_rewards_and_code(self) -> None:
        scores = self.verl.compute_score_batch(
            data_sources=["math_dapo", "math_dapo", "codecontests", "codecontests"],
            solution_strs=["Answer: \\boxed{5}", "Answer: \\boxed{6}", ADD_PROGRAM, "```python\nprint(3)\n```"],
            ground_truths=["5", "5", ADD_TESTS, ADD_TESTS],
            extra_infos=[{"index": i} for i in range(4)],
            min_reward=-1,
        )
        self.assertEqual([s["score"] for s in scores], [1, -1, 1, 0])  # code: 1 of 2 tests -> halfway
        self.assertEqual([s["acc"] for s in scores], [True, False, True, False])

    def test_async_compute_score(self) -> None:
        score = asyncio.run(self.verl.compute_score_async("openai/gsm8k", "#### 12", "12"))
        self.assertEqual(score["score"], 1)

    def test_unknown_data_source_raises_naming_it(self) -> None:
        from gradus_reward.errors import GradusRequestError

        with self.assertRaisesRegex(GradusRequestError, "rows.0.data_source"):
            self.verl.compute_score("my_private_set", "1", "1")


class TrlTest(AdapterTest):
    def call_like_trl(self, func, **columns):
        prompts = [[{"role": "user", "content": "What is 6 * 7?"}]] * 3
        completions = [
            [{"role": "assistant", "content": "It is \\boxed{42}."}],
            [{"role": "assistant", "content": [{"type": "text", "text": "It is \\boxed{41}."}]}],
            [{"role": "assistant", "content": "It is \\boxed{42}."}],
        ]
        return func(prompts=prompts, completions=completions, completion_ids=[[1, 2]] * 3,
                    trainer_state=None, log_extra=None, log_metric=None, **columns)

    def test_sync_reward_func_conversational(self) -> None:
        func = trl.make_reward_func(gold_column="solution")
        self.assertEqual(func.__name__, "gradus_reward")
        rewards = self.call_like_trl(func, solution=["42", "42", None], level=[1, 2, 3])
        self.assertEqual(rewards, [1.0, 0.0, None])  # no gold: None, which TRL leaves out

    def test_async_reward_func(self) -> None:
        func = trl.make_async_reward_func(gold_column="answer", min_reward=-1, name="math_acc")
        self.assertTrue(asyncio.iscoroutinefunction(func))
        rewards = asyncio.run(self.call_like_trl(func, answer=["42", "42", "41"]))
        self.assertEqual(rewards, [1.0, -1.0, -1.0])

    def test_missing_gold_column_is_named(self) -> None:
        func = trl.make_reward_func(gold_column="answer")
        with self.assertRaisesRegex(KeyError, "no column 'answer'.*solution"):
            self.call_like_trl(func, solution=["42"] * 3)

    def test_code_by_data_source_column(self) -> None:
        func = trl.make_reward_func(gold_column="tests", data_source_column="source")
        rewards = func(prompts=["p", "p"], completions=[ADD_PROGRAM, "```python\nprint(0)\n```"],
                       tests=[ADD_TESTS, ADD_TESTS], source=["taco", "taco"])
        self.assertEqual(rewards, [1.0, 0.0])


    def test_code_tests_as_a_list_of_cases_without_task(self) -> None:
        # A dataset column of Codeforces/LiveCodeBench test lists arrives as lists of dicts; no task is set.
        func = trl.make_reward_func(gold_column="tests")
        codeforces = [{"input": "1 2\n", "output": "3\n"}, {"input": "5 7\n", "output": "12\n"}]
        livecodebench = [dict(case, testtype="stdin") for case in codeforces]
        rewards = func(prompts=["p", "p", "p"],
                       completions=[ADD_PROGRAM, ADD_PROGRAM, "```python\nprint(3)\n```"],
                       tests=[codeforces, livecodebench, codeforces])
        self.assertEqual(rewards, [1.0, 1.0, 0.5])

class OpenRLHFTest(AdapterTest):
    def test_remote_rm_file(self) -> None:
        module = load_by_path("reward_func", BATCH / "gradus_reward" / "openrlhf_remote_rm.py")
        queries = [
            CHATML_PROMPT + "6 * 7 = \\boxed{42}<|im_end|>",
            CHATML_PROMPT + "I guess \\boxed{48}<|im_end|>",
            "<|im_start|>user\nAdd.<|im_end|>\n<|im_start|>assistant\n" + ADD_PROGRAM + "<|im_end|>",
        ]
        prompts = [CHATML_PROMPT, CHATML_PROMPT, "<|im_start|>user\nAdd.<|im_end|>\n<|im_start|>assistant\n"]
        with mock.patch.dict(os.environ, {"GRADUS_BATCH_SIZE": "2"}):  # 2 requests
            out = module.reward_func(queries, prompts, ["42", "42", {"inputs": ["2 2\n"], "outputs": ["4\n"]}])
        rewards = out["rewards"].tolist() if hasattr(out["rewards"], "tolist") else out["rewards"]
        self.assertEqual(rewards, [1.0, 0.0, 1.0])
        self.assertEqual(list(out["extra_logs"]["acc"]), [1, 0, 1])
        self.assertEqual(list(out["extra_logs"]["unavailable"]), [0, 0, 0])

    def test_bad_label_scores_zero_and_is_flagged(self) -> None:
        from gradus_reward.openrlhf import score_openrlhf

        out = score_openrlhf(["Q: 1+1\nA: 2"], ["Q: 1+1\nA:"], [None])
        self.assertEqual(out["rewards"], [0])
        self.assertEqual(out["extra_logs"]["error"], [1])


class SlimeTest(AdapterTest):
    def test_single_and_group_hooks(self) -> None:
        def sample(response: str, label: str, **metadata):
            return SimpleNamespace(prompt="q", response=response, label=label, metadata=metadata)

        single = asyncio.run(slime.rm(None, sample("\\boxed{3}", "3")))
        group = asyncio.run(slime.rm(None, [sample("\\boxed{3}", "3"), sample("\\boxed{3}", "4"),
                                            sample(ADD_PROGRAM, ADD_TESTS, data_source="apps")]))
        self.assertEqual(single, 1.0)
        self.assertEqual(group, [1.0, 0.0, 1.0])


def _close_shared_clients() -> None:
    with client_module._clients_lock:
        clients = list(client_module._clients.values())
        client_module._clients.clear()
    for c in clients:
        c.close()


if __name__ == "__main__":
    unittest.main()
