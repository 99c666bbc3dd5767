from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.oracle import oracle_dir

pytest_plugins = ["sandbox.pytest_plugin", "pytester"]


@pytest.fixture(scope="session")
def oracle_path() -> Path:
    """Slack's schemas in ../shared/oracle; tests that need them skip when it is absent."""
    found = oracle_dir()
    if found is None:
        pytest.skip("../shared/oracle is not beside this checkout (set SLACK_ORACLE_DIR)")
    return found
