"""What a newcomer reads: the README's commands and `.env.example` match the code."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = ROOT / ".env.example"
_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def _commands() -> list[str]:
    """Every inline code span and indented code line of the README, as typed."""
    spans = re.findall(r"`([^`\n]+)`", README)
    blocks = [line.strip() for line in README.splitlines() if line.startswith("    ")]
    return [text.strip() for text in spans + blocks if text.strip()]


def _make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, flags=re.MULTILINE))


def test_the_readme_names_no_program_that_is_not_on_the_path() -> None:
    # `make install` creates .venv but puts nothing on PATH, and `python` may not even be
    # the venv's: a command must go through make or name .venv/bin.
    bare = [text for text in _commands() if re.match(r"(delegate-bot|python3?|pytest)\b", text)]
    assert bare == []


def test_every_make_target_the_readme_names_exists() -> None:
    named = {
        match.group(1)
        for text in _commands()
        if (match := re.match(r"make ([a-z][a-z0-9-]*)", text)) is not None
    }
    assert {"run", "test", "manifest", "sandbox", "migrate"} <= named
    assert named - _make_targets() == set()


def test_every_venv_program_the_readme_names_is_installed() -> None:
    programs = {
        match.group(1)
        for text in _commands()
        if (match := re.match(r"\.venv/bin/([\w.-]+)", text)) is not None
    }
    assert {"delegate-bot", "python"} <= programs
    venv_bin = Path(sys.executable).parent
    assert [name for name in programs if not (venv_bin / name).exists()] == []


def _example_lines() -> dict[str, tuple[bool, str]]:
    """NAME -> (commented out, value) for each assignment in .env.example."""
    found: dict[str, tuple[bool, str]] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = _ASSIGNMENT.match(line)
        if match is not None:
            assert match.group(2) not in found, f"{match.group(2)} appears twice"
            found[match.group(2)] = (match.group(1) is not None, match.group(3))
    return found


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    assert set(_example_lines()) == settings


def test_env_example_explains_every_setting() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for index, line in enumerate(lines):
        if _ASSIGNMENT.match(line) and index > 0:
            before = lines[index - 1]
            # Each variable sits under a comment line, or shares one with its neighbour.
            assert before.startswith("#"), f"no explanation above {line!r}"


def test_env_example_as_is_loads_and_its_commented_values_are_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    # Copied as is, it loads: the credentials are blank, so `run` names what is missing.
    copied = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
    assert len(copied.missing_credentials()) == 2
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    commented = "\n".join(
        f"{name}={value}" for name, (off, value) in _example_lines().items() if off
    )
    uncommented = tmp_path / ".env"
    uncommented.write_text(commented + "\n")
    assert Settings(_env_file=uncommented).model_dump() == defaults.model_dump()  # type: ignore[call-arg]
