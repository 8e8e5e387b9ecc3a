"""The client process killed (SIGKILL) at random moments of a sync, then restarted."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clerk_app.credentials import SERVICE
from clerk_app.services import sync_admin
from clerk_app.settings import SYNC_BATCH_SIZE
from tests.sync.invariants import check_county_matches

ROOT = Path(__file__).resolve().parents[2]


def _env(keyring_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "tests.sync.keyrings.FileKeyring"
    env["CLERK_TEST_KEYRING_FILE"] = str(keyring_file)
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_client_killed_mid_sync_then_restarted(device, county, proxy, tmp_path):
    with device.ctx.tx() as s:
        SYNC_BATCH_SIZE.set(s, 8)
    for _ in range(120):
        device.new_case()
    sync_admin.save_settings(device.ctx, None, url=proxy.url)
    proxy.set_mode("delay", delay=0.05, only_path="/api/v1/push")
    device_id = sync_admin.overview(device.ctx).device_id
    ring = tmp_path / "keyring.json"
    ring.write_text(json.dumps({f"{SERVICE}|{device_id}": device.creds.get_token(device_id)}))
    data_dir = device.ctx.db.path.parent
    cmd = [sys.executable, "-m", "clerk_app.cli", "--data-dir", str(data_dir), "admin", "sync"]
    rng = random.Random(20261203)
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(ring), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.8, 2.5))  # start-up takes most of a second
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=30)
    assert kills >= 1
    proxy.set_mode("pass")
    done = subprocess.run(cmd, cwd=ROOT, env=_env(ring), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sync_admin.overview(device.ctx).pending == 0
    stats = check_county_matches(county, [device])
    assert stats["cases"] == 120 and stats["changes"] == 120


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_admin_sync_status_needs_no_network(device, tmp_path):
    ring = tmp_path / "keyring.json"
    ring.write_text("{}")
    out = subprocess.run([sys.executable, "-m", "clerk_app.cli", "--data-dir",
                          str(device.ctx.db.path.parent), "admin", "sync", "--status"],
                         cwd=ROOT, env=_env(ring), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "待上传 0 条" in out.stdout
