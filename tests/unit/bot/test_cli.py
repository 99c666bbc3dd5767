"""The CLI's dispatch, in process (the e2e tests run it as a real process)."""

from __future__ import annotations

import pytest

from bot import cli


def test_sandbox_options_reach_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_sandbox(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr(cli, "sandbox_main", fake_sandbox)
    assert cli.main(["sandbox", "--port", "3999", "--host", "127.0.0.1"]) == 0
    assert seen == [["--port", "3999", "--host", "127.0.0.1"]]


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["frobnicate"])
    assert stopped.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
