"""Stage 2's truncation masking (gradus_verl) on a stand-in of verl's trainer loop; no torch, no verl."""

from __future__ import annotations

import math
import os
import sys
import types
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gradus_verl import runner  # noqa: E402
from gradus_verl.patch import (  # noqa: E402
    COUNT_METRIC,
    SHARE_METRIC,
    TruncationMasking,
    apply_gradus_block,
    eos_token_ids,
    install,
)
from gradus_verl.truncation import mask_truncated, truncated_rows, without_rows  # noqa: E402

try:
    import numpy
except ImportError:  # the plain-list tests still run
    numpy = None

EOS, OTHER_EOS, PAD = 2, 3, 0
WIDTH = 4

# A step of six responses, max_response_length 4, two prompts (uid a: rows 0-3, uid b: rows 4-5).
PROMPT_ATTENTION = [[1, 1]] * 6
RESPONSES = [
    [5, 6, 7, 8],  # 0: filled the limit, no EOS: truncated
    [5, 6, 7, EOS],  # 1: EOS at the last position: ended by itself
    [5, EOS, PAD, PAD],  # 2: short
    [5, 6, 7, OTHER_EOS],  # 3: the generation config's other EOS at the last position
    [8, 8, 8, 8],  # 4: truncated
    [4, EOS, PAD, PAD],  # 5: short
]
RESPONSE_ATTENTION = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 0]]
SCORES = [0.0, 1.0, 1.0, 0.0, 0.0, 1.0]
UIDS = ["a", "a", "a", "a", "b", "b"]
TRUNCATED = [0, 4]

# A stand-in of verl.trainer.ppo.ray_trainer: module-level compute_advantage (GRPO over each uid group) and
# compute_data_metrics, looked up by RayPPOTrainer.fit as globals of the module, as verl's are.
STAND_IN_TRAINER = '''
def compute_advantage(data, adv_estimator, gamma=1.0, lam=1.0, num_repeat=1, norm_adv_by_std_in_grpo=True, config=None):
    t = data.batch
    scores = [sum(row) for row in t["token_level_rewards"]]
    groups = {}
    for i, uid in enumerate(data.non_tensor_batch["uid"]):
        groups.setdefault(uid, []).append(i)
    adv = [0.0] * len(scores)
    for rows in groups.values():
        mean = sum(scores[i] for i in rows) / len(rows)
        std = (sum((scores[i] - mean) ** 2 for i in rows) / len(rows)) ** 0.5
        for i in rows:
            adv[i] = (scores[i] - mean) / (std + 1e-6)
    t["advantages"] = [[a * m for m in row] for a, row in zip(adv, t["response_mask"])]
    t["returns"] = t["advantages"]
    return data


def compute_data_metrics(batch, use_critic=True):
    t = batch.batch
    valid = [a for adv, mask in zip(t["advantages"], t["response_mask"]) for a, m in zip(adv, mask) if m]
    if not valid:
        raise RuntimeError("max(): empty selection")  # as torch.max of an empty masked_select
    return {"critic/advantages/max": max(valid)}


class RayPPOTrainer:
    def __init__(self, batch, tokenizer=None):
        self.batch = batch
        self.tokenizer = tokenizer
        self.updates = []
        self.logged = []

    def fit(self):
        batch = compute_advantage(self.batch, adv_estimator="grpo", num_repeat=4)
        self.updates.append([list(row) for row in batch.batch["response_mask"]])  # update_actor's loss mask
        self.logged.append(compute_data_metrics(batch=batch, use_critic=False))
        return batch
'''


def stand_in_ray_trainer() -> types.ModuleType:
    module = types.ModuleType("stand_in_ray_trainer")
    exec(STAND_IN_TRAINER, module.__dict__)  # noqa: S102 - the test's own source
    return module


class StandInProto:
    """What the wrapped functions use of verl's DataProto: ``batch`` (tensors by name) and ``non_tensor_batch``."""

    def __init__(self, responses=RESPONSES, attention=None, scores=SCORES, uids=UIDS):
        attention = attention or [prompt + r for prompt, r in zip(PROMPT_ATTENTION, RESPONSE_ATTENTION)]
        rewards = []
        for score, att in zip(scores, attention):
            row = [0.0] * WIDTH
            row[sum(att[-WIDTH:]) - 1] = score  # the reward sits on the response's last token
            rewards.append(row)
        self.batch = {
            "responses": [list(r) for r in responses],
            "attention_mask": [list(a) for a in attention],
            "response_mask": [list(a[-WIDTH:]) for a in attention],
            "token_level_rewards": rewards,
        }
        self.non_tensor_batch = {"uid": list(uids)}


def masked_trainer(eos=(EOS, OTHER_EOS)):
    module = stand_in_ray_trainer()
    masking = TruncationMasking()
    install(module, masking, find_eos=lambda _trainer: set(eos), log=lambda _line: None)
    return module, masking


class TruncatedRowsTest(unittest.TestCase):
    def test_the_rule(self) -> None:
        lengths = [4, 4, 2, 4, 4, 2]
        last = [row[-1] for row in RESPONSES]
        self.assertEqual(truncated_rows(lengths, last, WIDTH, {EOS, OTHER_EOS}), TRUNCATED)
        # With only the tokenizer's EOS known, row 3 (the generation config's EOS) counts as cut off.
        self.assertEqual(truncated_rows(lengths, last, WIDTH, {EOS}), [0, 3, 4])
        with self.assertRaisesRegex(ValueError, "6 lengths but 5 last tokens"):
            truncated_rows(lengths, last[:5], WIDTH, {EOS})

    def test_lists(self) -> None:
        batch = StandInProto()
        mask, rows = mask_truncated(
            batch.batch["response_mask"], batch.batch["responses"], batch.batch["attention_mask"], {EOS, OTHER_EOS}
        )
        self.assertEqual(rows, TRUNCATED)
        self.assertEqual(mask, [[0] * 4, [1] * 4, [1, 1, 0, 0], [1] * 4, [0] * 4, [1, 1, 0, 0]])
        self.assertEqual(batch.batch["response_mask"][0], [1, 1, 1, 1], "the input mask is left as it was")
        self.assertEqual(mask_truncated([], [], [], {EOS}), ([], []))

    @unittest.skipIf(numpy is None, "numpy is not installed: the array path is covered where it is")
    def test_arrays_and_a_mask_that_views_the_attention_mask(self) -> None:
        batch = StandInProto()
        attention = numpy.array(batch.batch["attention_mask"])
        response_mask = attention[:, -WIDTH:]  # a view, as verl's compute_response_mask returns
        mask, rows = mask_truncated(response_mask, numpy.array(RESPONSES), attention, [EOS, OTHER_EOS])
        self.assertEqual(rows, TRUNCATED)
        self.assertEqual(mask.sum(-1).tolist(), [0, 4, 2, 4, 0, 2])
        self.assertEqual(attention.sum(), 2 * 6 + 20, "the attention mask is untouched")
        untouched = without_rows(response_mask, [])
        untouched[:] = 0
        self.assertEqual(attention.sum(), 2 * 6 + 20, "nothing masked is still a copy")


class StandInTrainerTest(unittest.TestCase):
    def test_masks_the_truncated_and_keeps_rewards_and_advantages(self) -> None:
        plain = stand_in_ray_trainer()
        reference = plain.RayPPOTrainer(StandInProto()).fit()
        module, _ = masked_trainer()
        trainer = module.RayPPOTrainer(StandInProto())
        batch = trainer.fit()

        loss_mask = trainer.updates[0]
        self.assertEqual(loss_mask, [[0] * 4, [1] * 4, [1, 1, 0, 0], [1] * 4, [0] * 4, [1, 1, 0, 0]])
        # The truncated responses' rewards counted in their groups: every advantage is the one computed without
        # masking, e.g. row 1 (score 1 in a group of scores 0, 1, 1, 0) is +1 standard deviation.
        self.assertEqual(batch.batch["advantages"], reference.batch["advantages"])
        self.assertEqual(batch.batch["token_level_rewards"], reference.batch["token_level_rewards"])
        self.assertTrue(math.isclose(batch.batch["advantages"][1][0], 1.0, rel_tol=1e-5))
        self.assertTrue(math.isclose(batch.batch["advantages"][0][0], -1.0, rel_tol=1e-5))

        metrics = trainer.logged[0]
        self.assertEqual(metrics[SHARE_METRIC], 2 / 6)
        self.assertEqual(metrics[COUNT_METRIC], 2)
        self.assertEqual(metrics["critic/advantages/max"], reference_metrics(plain, reference)["critic/advantages/max"])
        self.assertEqual(batch.batch["response_mask"], loss_mask, "the batch keeps the masked loss mask")

    def test_a_step_with_every_response_truncated(self) -> None:
        module, _ = masked_trainer()
        full = [[5, 6, 7, 8]] * 6
        trainer = module.RayPPOTrainer(StandInProto(responses=full, attention=[[1] * 6] * 6))
        trainer.fit()
        self.assertEqual(trainer.updates[0], [[0] * 4] * 6)
        self.assertEqual(trainer.logged[0][SHARE_METRIC], 1.0)

    def test_no_truncation_reports_zero(self) -> None:
        module, _ = masked_trainer()
        short = [[5, EOS, PAD, PAD]] * 6
        trainer = module.RayPPOTrainer(StandInProto(responses=short, attention=[[1, 1, 1, 1, 0, 0]] * 6))
        trainer.fit()
        self.assertEqual(trainer.updates[0], [[1, 1, 0, 0]] * 6)
        self.assertEqual(trainer.logged[0][SHARE_METRIC], 0.0)

    def test_refuses_to_guess_without_eos_ids(self) -> None:
        module, _ = masked_trainer(eos=())
        with self.assertRaisesRegex(RuntimeError, "EOS token ids"):
            module.RayPPOTrainer(StandInProto()).fit()


class GradusBlockTest(unittest.TestCase):
    def test_installs_only_when_asked_and_once(self) -> None:
        module = stand_in_ray_trainer()
        original = module.compute_advantage
        self.assertIsNone(apply_gradus_block({"gradus": {"mask_truncated_responses": False}}, lambda: module))
        self.assertIsNone(apply_gradus_block({}, lambda: module))
        self.assertIs(module.compute_advantage, original)

        config = {"gradus": {"mask_truncated_responses": True}}
        masking = apply_gradus_block(config, lambda: module)
        self.assertIsInstance(masking, TruncationMasking)
        wrapped = module.compute_advantage
        self.assertIsNot(wrapped, original)
        self.assertIs(apply_gradus_block(config, lambda: module), masking)
        self.assertIs(module.compute_advantage, wrapped, "not wrapped twice")

    def test_eos_ids_from_the_tokenizer(self) -> None:
        tokenizer = types.SimpleNamespace(eos_token_id=EOS)
        self.assertIn(EOS, eos_token_ids(tokenizer, "/nonexistent/model"))
        self.assertEqual(eos_token_ids(types.SimpleNamespace(eos_token_id=None), "/nonexistent/model"), set())


class TaskRunnerTest(unittest.TestCase):
    def test_applies_the_block_in_the_task_runner_then_runs_verl(self) -> None:
        calls = []

        class VerlTaskRunner:
            def run(self, config):
                calls.append(("verl run", config))
                return "done"

        # What ray.remote returns for a class: an actor class that keeps the class as __ray_actor_class__.
        actor_class = types.SimpleNamespace(__ray_actor_class__=VerlTaskRunner)
        options = {}

        def remote(**kwargs):
            options.update(kwargs)
            return lambda cls: cls

        runner_class = runner.task_runner_class(actor_class, remote)
        self.assertTrue(issubclass(runner_class, VerlTaskRunner))
        self.assertEqual(options, {"num_cpus": 1})
        with mock.patch.object(runner, "apply_gradus_block", side_effect=lambda c: calls.append(("gradus", c))):
            self.assertEqual(runner_class().run({"x": 1}), "done")
        self.assertEqual(calls, [("gradus", {"x": 1}), ("verl run", {"x": 1})])

    def test_exports_the_package_folder_for_ray_workers(self) -> None:
        env = {"PYTHONPATH": "/elsewhere"}
        runner.export_package_path(env)
        self.assertEqual(env["PYTHONPATH"].split(os.pathsep), [runner.PACKAGE_PARENT, "/elsewhere"])
        runner.export_package_path(env)
        self.assertEqual(env["PYTHONPATH"].split(os.pathsep), [runner.PACKAGE_PARENT, "/elsewhere"])
        empty = {}
        runner.export_package_path(empty)
        self.assertEqual(empty["PYTHONPATH"], runner.PACKAGE_PARENT)


def reference_metrics(module, batch):
    return module.compute_data_metrics(batch=batch, use_critic=False)


if __name__ == "__main__":
    unittest.main()
