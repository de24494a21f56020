"""Runs verl's ``run_ppo`` with a TaskRunner that first applies the config's ``gradus`` block.

verl trains inside its TaskRunner, a Ray actor in a process of its own: the wrapping has to happen there,
so the replacement TaskRunner calls :func:`gradus_verl.patch.apply_gradus_block` before verl's ``run``.
That process imports ``gradus_verl``: the container sets PYTHONPATH for every process; a Ray cluster this
process starts inherits the PYTHONPATH set here.
"""

from __future__ import annotations

import os
from typing import Any

from .patch import apply_gradus_block

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def export_package_path(environ: Any = os.environ) -> None:
    """Puts this package's folder first on PYTHONPATH (for the processes Ray starts from here)."""
    paths = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if PACKAGE_PARENT not in paths:
        environ["PYTHONPATH"] = os.pathsep.join([PACKAGE_PARENT, *paths])


def task_runner_class(verl_runner: Any, remote: Any) -> Any:
    """A Ray actor class like verl's TaskRunner (``verl_runner``, a Ray actor class) whose ``run`` applies
    the ``gradus`` block first. ``remote`` is ``ray.remote``."""
    # Ray keeps the class it was given as __ray_actor_class__ on the actor class it returns.
    base = getattr(verl_runner, "__ray_actor_class__", verl_runner)

    class GradusTaskRunner(base):  # type: ignore[misc, valid-type]
        def run(self, config: Any) -> Any:
            apply_gradus_block(config)
            return super().run(config)

    # verl declares its TaskRunner with one CPU.
    return remote(num_cpus=1)(GradusTaskRunner)


def run(config: Any) -> None:
    import ray
    from verl.trainer import main_ppo

    export_package_path()
    # run_ppo starts the module's TaskRunner by name.
    main_ppo.TaskRunner = task_runner_class(main_ppo.TaskRunner, ray.remote)
    main_ppo.run_ppo(config)
