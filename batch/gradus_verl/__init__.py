"""gradus' extension to verl 0.5.0's PPO/GRPO trainer: applies the rendered config's ``gradus`` block.

Run ``python3 -m gradus_verl.main_ppo`` with the arguments of ``verl.trainer.main_ppo``. With
``gradus.mask_truncated_responses: true`` (the paper's stage 2) every response that reached
``data.max_response_length`` tokens without an end-of-sequence token is left out of the loss
(:mod:`gradus_verl.truncation`, :mod:`gradus_verl.patch`). Without it the entry runs verl unchanged.
"""
