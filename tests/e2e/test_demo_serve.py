"""`outcomes demo --serve`: the demo's folder works again with the commands its settings name."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_the_demo_keeps_its_sandbox_up_for_the_commands_its_settings_name(tmp_path: Path) -> None:
    out = tmp_path / "outcomes-demo"
    demo = subprocess.Popen(
        [sys.executable, "-m", "service", "demo", "--out", str(out), "--serve"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert demo.stdout is not None
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if line.startswith("The sandbox stays up at") or len(lines) > 200:
                break
        assert lines[-1].startswith("The sandbox stays up at"), "".join(lines)
        # The settings say, in their header, how to use them again: take the command from there.
        header = (out / "outcomes.yaml").read_text(encoding="utf-8")
        match = re.search(
            r"#   (OUTCOMES_DEMO_TOKEN)=(\S+) outcomes run --config outcomes.yaml", header
        )
        assert match, header
        env = dict(os.environ, **{match.group(1): match.group(2)})
        again = subprocess.run(
            [sys.executable, "-m", "service", "run", "--config", "outcomes.yaml"],
            cwd=out,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 0, again.stderr
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert "Sandbox stopped." in rest
