"""The console script lists and runs the project's commands."""

import subprocess
import sys
from pathlib import Path

CAMPAIGNDESK = Path(sys.executable).parent / "campaigndesk"


def test_help_lists_project_and_django_commands():
    result = subprocess.run(
        [str(CAMPAIGNDESK), "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Campaign Desk commands:" in result.stdout
    for command in ("regions", "schedule", "demo", "migrate"):
        assert f" {command}" in result.stdout, command


def test_unknown_command_fails():
    result = subprocess.run(
        [str(CAMPAIGNDESK), "no-such-command"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Unknown command" in result.stderr
