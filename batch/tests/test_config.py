"""Settings from GRADUS_* variables and arguments."""

from __future__ import annotations

import unittest

import live_server  # noqa: F401 (puts the package on sys.path)
from gradus_reward import ClientConfig


class ConfigTest(unittest.TestCase):
    def test_environment_then_arguments(self) -> None:
        env = {"GRADUS_URL": "http://reward:9000/", "GRADUS_BATCH_SIZE": "64", "GRADUS_ON_UNREACHABLE": "fallback",
               "GRADUS_FALLBACK_REWARD": "none", "GRADUS_MIN_REWARD": "-1"}
        config = ClientConfig.from_env(env, batch_size=128)
        self.assertEqual(config.url, "http://reward:9000")
        self.assertEqual(config.batch_size, 128)
        self.assertEqual(config.on_unreachable, "fallback")
        self.assertIsNone(config.fallback_reward)
        self.assertEqual(config.min_reward, -1.0)
        self.assertEqual(ClientConfig.from_env({}).url, "http://127.0.0.1:8787")

    def test_bad_values_are_named(self) -> None:
        with self.assertRaisesRegex(ValueError, "GRADUS_TIMEOUT_S='soon' is not a number"):
            ClientConfig.from_env({"GRADUS_TIMEOUT_S": "soon"})
        with self.assertRaisesRegex(ValueError, "on_unreachable must be 'raise' or 'fallback'"):
            ClientConfig.from_env({}, on_unreachable="ignore")
        with self.assertRaisesRegex(ValueError, "batch_size must be positive"):
            ClientConfig.from_env({}, batch_size=0)
        with self.assertRaisesRegex(TypeError, "unknown setting\\(s\\) urll"):
            ClientConfig.from_env({}, urll="http://x")


if __name__ == "__main__":
    unittest.main()
