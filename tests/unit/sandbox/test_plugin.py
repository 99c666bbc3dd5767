"""The slack_sandbox fixture fails the very test whose call real Slack would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_refused_call_fails_the_test_that_made_it(
    pytester: pytest.Pytester, oracle_path: Path
) -> None:
    pytester.makeconftest('pytest_plugins = ["sandbox.pytest_plugin"]')
    pytester.makepyfile(
        """
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError

        def _client(sandbox):
            return WebClient(base_url=sandbox.api_url, token=sandbox.workspace.bot_token)

        def test_title_too_long(slack_sandbox):
            trigger = slack_sandbox.issue_trigger(slack_sandbox.workspace.lead.id)
            view = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 40},
                    "blocks": []}
            try:
                _client(slack_sandbox).views_open(trigger_id=trigger, view=view)
            except SlackApiError:
                pass

        def test_fine_message(slack_sandbox):
            _client(slack_sandbox).chat_postMessage(channel="C0SBGENRL", text="hello")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_title_too_long*"])
    result.stdout.fnmatch_lines(["*call(s) real Slack would refuse*"])
