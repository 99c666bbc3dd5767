"""The newcomer's path: the README's commands as typed, start-up against an unusable Slack."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def _shell_env() -> dict[str, str]:
    """A person's shell: no venv on PATH, no PYTHONPATH, not inside another make."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if Path(part) != VENV_BIN
    )
    return env


@pytest.fixture
def installed() -> None:
    """`make install` has run in this checkout (it has in CI, which runs `make test`)."""
    fresh = subprocess.run(
        ["make", "--question", "install"], cwd=ROOT, env=_shell_env(), capture_output=True
    )
    if fresh.returncode != 0 and os.environ.get("CI") != "true":
        pytest.skip("this checkout's .venv is not installed and current")
    assert fresh.returncode == 0, "make install is not current"


def _sh(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", command],
        cwd=cwd,
        env=_shell_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.usefixtures("installed")
def test_make_manifest_into_a_file_is_only_json(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    done = _sh(f"make manifest > {target}", ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text())["settings"]["socket_mode_enabled"] is True
    done = _sh(f"make manifest URL=https://bot.example.com > {target}", ROOT)
    assert done.returncode == 0, done.stderr
    manifest = json.loads(target.read_text())
    assert manifest["settings"]["interactivity"]["request_url"].startswith("https://bot.example")


def test_the_install_a_redirected_target_may_run_writes_nothing_to_stdout() -> None:
    # On a fresh clone `make manifest > manifest.json` installs first; that must not land
    # in the file. Make echoes recipe lines to stdout unless they start with @.
    makefile = (ROOT / "Makefile").read_text()
    for target in (r"\$\(STAMP\)", "manifest", "sandbox"):
        recipe = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
        assert recipe is not None, target
        lines = recipe.group(1).splitlines()
        assert all(line.startswith("\t@") for line in lines), lines
        if target.startswith(r"\$"):
            talkers = [line for line in lines if "venv" in line or "pip" in line]
            assert talkers and all(line.endswith(">&2") for line in talkers), lines


@pytest.mark.usefixtures("installed")
def test_the_readme_programs_run_as_written_from_anywhere(tmp_path: Path) -> None:
    for command, expected in (
        (f"{VENV_BIN}/delegate-bot --help", "sandbox"),
        (f"{VENV_BIN}/python -m sandbox --help", "fake Slack workspace"),
        (f"{VENV_BIN}/delegate-bot manifest --url https://x.example > m.json", ""),
    ):
        done = _sh(command, tmp_path)
        assert done.returncode == 0, (command, done.stderr)
        assert expected in done.stdout, command
    assert json.loads((tmp_path / "m.json").read_text())["display_information"]["name"]
