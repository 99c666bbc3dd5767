"""Fixtures shared by the bot's unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.server import SandboxServer
from tests.helpers.followups import World, open_world


@pytest.fixture
def world(tmp_path: Path, slack_sandbox: SandboxServer) -> Iterator[World]:
    """An empty migrated database, a clock at Monday 09:00 London, the sender wired as in run."""
    with open_world(tmp_path, slack_sandbox) as opened:
        yield opened
