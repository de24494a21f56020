"""``python3 -m gradus_verl.main_ppo --config-path DIR --config-name NAME``: verl's ``main_ppo`` with the
rendered config's ``gradus`` block applied (see gradus_verl/__init__.py). Same arguments as verl's."""

import hydra


@hydra.main(config_path="pkg://verl.trainer.config", config_name="ppo_trainer", version_base=None)
def main(config):  # noqa: ANN001, ANN201 - Hydra's DictConfig
    from gradus_verl.runner import run

    run(config)


if __name__ == "__main__":
    main()
