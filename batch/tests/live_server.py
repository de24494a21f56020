"""Starts the real gradus reward server (functions/reward/node.ts) once per test process, on a free port."""

from __future__ import annotations

import atexit
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[2]
BATCH = REPO / "batch"
if str(BATCH) not in sys.path:
    sys.path.insert(0, str(BATCH))

START_TIMEOUT_S = 90
_url: Optional[str] = None
_process: Optional[subprocess.Popen] = None
_lock = threading.Lock()


def server_url() -> str:
    """The URL of the running server, starting it on first use (``PORT=0``: the OS picks a free port)."""
    global _url, _process
    with _lock:
        if _url is not None:
            return _url
        env = {**os.environ, "PORT": "0", "HOST": "127.0.0.1"}
        _process = subprocess.Popen(
            ["npx", "node", "--no-node-snapshot", "functions/reward/node.ts"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        atexit.register(_stop)
        assert _process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        seen: list[str] = []
        while time.monotonic() < deadline:
            line = _process.stdout.readline()
            if line == "":
                raise RuntimeError("the reward server exited before listening:\n" + "".join(seen))
            seen.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                _url = match.group(1)
                # Keep draining its output so the server never blocks on a full pipe.
                threading.Thread(target=_process.stdout.read, daemon=True).start()
                return _url
        _stop()
        raise RuntimeError(f"the reward server did not start within {START_TIMEOUT_S} s:\n" + "".join(seen))


def _stop() -> None:
    """Stops npx and the node it started (the process group this module created), waiting for both."""
    global _process
    process, _process = _process, None
    if process is None:
        return
    group = process.pid
    for sig, wait_s in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            process.poll()
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
