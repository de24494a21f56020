"""What gradus_verl wraps exists in verl 0.5.0 with the signature and call sites it relies on.

Reads verl's source in the workspace's ../shared/peers/verl-0.5.0 with ``ast`` (verl is not imported).
"""

from __future__ import annotations

import ast
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gradus_verl.patch import WRAPPED_FUNCTIONS, WRAPPED_METHOD  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VERL = os.path.join(os.path.dirname(REPO), "shared", "peers", "verl-0.5.0")
HAVE_VERL = os.path.isdir(os.path.join(VERL, "verl"))
SKIP_REASON = "../shared/peers/verl-0.5.0 is absent (a clone outside the gradus workspace): verl's wrap points are not checked"


def parse(relative: str) -> ast.Module:
    with open(os.path.join(VERL, relative), encoding="utf-8") as f:
        return ast.parse(f.read())


def top_level(module: ast.Module, name: str) -> ast.AST:
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return node
    raise AssertionError(f"{name} is not defined at the top of the module")


def method(cls: ast.ClassDef, name: str) -> ast.FunctionDef:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise AssertionError(f"{cls.name}.{name} is not defined")


def params(fn: ast.FunctionDef) -> list[str]:
    return [a.arg for a in fn.args.posonlyargs + fn.args.args]


def calls_named(tree: ast.AST, name: str) -> list[ast.Call]:
    """Calls of ``name(...)`` or ``<anything>.name(...)``, in source order."""
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def names_loaded(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@unittest.skipUnless(HAVE_VERL, SKIP_REASON)
class RayTrainerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.module = parse("verl/trainer/ppo/ray_trainer.py")
        cls.trainer = top_level(cls.module, WRAPPED_METHOD[0])
        cls.fit = method(cls.trainer, WRAPPED_METHOD[1])

    def test_compute_advantage_is_a_module_function_that_returns_its_batch(self) -> None:
        fn = top_level(self.module, "compute_advantage")
        self.assertEqual(params(fn)[: len(WRAPPED_FUNCTIONS["compute_advantage"])], list(WRAPPED_FUNCTIONS["compute_advantage"]))
        returns = [n.value for n in ast.walk(fn) if isinstance(n, ast.Return)]
        self.assertTrue(returns and all(isinstance(r, ast.Name) and r.id == "data" for r in returns))

    def test_compute_data_metrics_is_imported_into_the_module(self) -> None:
        imported = {
            alias.asname or alias.name
            for node in self.module.body
            if isinstance(node, ast.ImportFrom) and node.module == "verl.trainer.ppo.metric_utils"
            for alias in node.names
        }
        self.assertIn("compute_data_metrics", imported)

    def test_fit_takes_only_self_and_the_trainer_has_a_tokenizer(self) -> None:
        self.assertEqual(params(self.fit), list(WRAPPED_METHOD[2]))
        init = method(self.trainer, "__init__")
        assigned = {
            t.attr
            for n in ast.walk(init)
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
        }
        self.assertIn("tokenizer", assigned)

    def test_fit_masks_between_the_advantages_and_the_updates(self) -> None:
        """fit assigns ``batch = compute_advantage(batch, ...)``, then updates critic and actor with that
        batch and logs ``compute_data_metrics(batch=batch, ...)``, and sets no response mask in between."""
        (advantage,) = calls_named(self.fit, "compute_advantage")
        assign = next(
            n for n in ast.walk(self.fit) if isinstance(n, ast.Assign) and n.value is advantage
        )
        self.assertEqual([t.id for t in assign.targets if isinstance(t, ast.Name)], ["batch"])
        self.assertIsInstance(advantage.args[0], ast.Name)
        self.assertEqual(advantage.args[0].id, "batch")

        updates = calls_named(self.fit, "update_actor") + calls_named(self.fit, "update_critic")
        self.assertEqual(len(updates), 2)
        for update in updates:
            self.assertGreater(update.lineno, advantage.lineno)
            self.assertEqual([a.id for a in update.args if isinstance(a, ast.Name)], ["batch"])

        (metrics,) = calls_named(self.fit, "compute_data_metrics")
        self.assertGreater(metrics.lineno, max(u.lineno for u in updates))
        self.assertEqual({k.arg: k.value.id for k in metrics.keywords if isinstance(k.value, ast.Name)}["batch"], "batch")

        last_update = max(u.lineno for u in updates)
        for node in ast.walk(self.fit):
            if isinstance(node, ast.Assign) and advantage.lineno < node.lineno <= last_update:
                for target in node.targets:
                    self.assertFalse(
                        isinstance(target, ast.Subscript) and ast.unparse(target.slice) == "'response_mask'",
                        f"line {node.lineno} sets the response mask after compute_advantage",
                    )
                    self.assertFalse(
                        isinstance(target, ast.Name) and target.id == "batch",
                        f"line {node.lineno} replaces the batch after compute_advantage",
                    )

    def test_the_loss_mask_is_the_batchs_response_mask(self) -> None:
        """compute_advantage reads ``data.batch["response_mask"]``, the key the wrapper zeroes."""
        fn = top_level(self.module, "compute_advantage")
        keys = {ast.unparse(n.slice) for n in ast.walk(fn) if isinstance(n, ast.Subscript)}
        self.assertIn("'response_mask'", keys)


@unittest.skipUnless(HAVE_VERL, SKIP_REASON)
class MainPpoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.module = parse("verl/trainer/main_ppo.py")

    def test_run_ppo_starts_the_modules_task_runner_by_name(self) -> None:
        run_ppo = top_level(self.module, "run_ppo")
        self.assertEqual(params(run_ppo), ["config"])
        self.assertIn("TaskRunner", names_loaded(run_ppo))

    def test_task_runner_is_a_ray_actor_whose_run_takes_the_config(self) -> None:
        runner = top_level(self.module, "TaskRunner")
        self.assertEqual(params(method(runner, "run")), ["self", "config"])
        self.assertIn("ray.remote", [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in runner.decorator_list])

    def test_the_trainer_it_builds_is_ray_trainers(self) -> None:
        imported = {
            alias.name
            for node in self.module.body
            if isinstance(node, ast.ImportFrom) and node.module == "verl.trainer.ppo.ray_trainer"
            for alias in node.names
        }
        self.assertIn("RayPPOTrainer", imported)
        run = method(top_level(self.module, "TaskRunner"), "run")
        self.assertTrue(calls_named(run, "RayPPOTrainer"))
        self.assertTrue(calls_named(run, "fit"))


if __name__ == "__main__":
    unittest.main()
