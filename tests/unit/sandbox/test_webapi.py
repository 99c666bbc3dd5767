"""The Web API subset, driven through slack_sdk's WebClient as the bot would."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.server import SandboxServer
from sandbox.workspace import Workspace
from tests.helpers.sandbox import bot_client

LEAD = "U0SBLENA1"
PRIYA = "U0SBPRIY1"
DANA = "U0SBDANA1"
GENERAL = "C0SBGENRL"
RANDOM = "C0SBRAND1"
WINTER = datetime(2024, 1, 15, 12, tzinfo=UTC).timestamp()
SUMMER = datetime(2024, 7, 15, 12, tzinfo=UTC).timestamp()


def error_of(call: Any) -> str:
    """Run a WebClient call expected to fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_auth_test_identifies_the_bot(slack_sandbox: SandboxServer) -> None:
    response = bot_client(slack_sandbox).auth_test()

    assert response["team_id"] == "T0SANDBOX"
    assert response["user_id"] == slack_sandbox.workspace.bot_user_id
    assert response["bot_id"] == slack_sandbox.workspace.bot_id
    assert slack_sandbox.api_url.endswith("/api/")


@pytest.mark.parametrize(
    ("user", "at", "tz", "label", "offset"),
    [
        ("U0SBTOM01", WINTER, "Europe/London", "Greenwich Mean Time", 0),
        ("U0SBTOM01", SUMMER, "Europe/London", "British Summer Time", 3600),
        ("U0SBMARC1", WINTER, "America/New_York", "Eastern Standard Time", -18000),
        ("U0SBMARC1", SUMMER, "America/New_York", "Eastern Daylight Time", -14400),
        ("U0SBPRIY1", WINTER, "Asia/Kolkata", "India Standard Time", 19800),
        ("U0SBCHLO1", WINTER, "Australia/Sydney", "Australian Eastern Daylight Time", 39600),
        ("U0SBCHLO1", SUMMER, "Australia/Sydney", "Australian Eastern Standard Time", 36000),
        ("U0SBANA01", WINTER, "America/Sao_Paulo", "Brasilia Standard Time", -10800),
    ],
)
def test_users_info_reports_time_zone_as_of_the_wall_clock(
    make_slack_sandbox: Any, user: str, at: float, tz: str, label: str, offset: int
) -> None:
    server = make_slack_sandbox(wall_clock=lambda: at)

    info = bot_client(server).users_info(user=user)["user"]

    assert (info["tz"], info["tz_label"], info["tz_offset"]) == (tz, label, offset)
    assert info["deleted"] is False and info["is_bot"] is False
    assert info["profile"]["real_name"] == info["real_name"]


def test_seeded_workspace_has_lead_members_bot_and_deactivated_user() -> None:
    ws = Workspace()

    zones = {u.tz for u in ws.members}
    assert {"Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"} <= zones
    assert ws.lead.id == LEAD and ws.lead not in ws.members
    assert ws.bot.is_bot and ws.bot.bot_id == ws.bot_id
    assert [u.id for u in ws.users if u.deleted] == [DANA]
    assert Workspace() == ws


def test_bot_and_deactivated_user_look_like_slack(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    bot = client.users_info(user=slack_sandbox.workspace.bot_user_id)["user"]
    dana = client.users_info(user=DANA)["user"]

    assert bot["is_bot"] is True
    assert bot["profile"]["bot_id"] == slack_sandbox.workspace.bot_id
    assert dana["deleted"] is True


def test_unknown_user_is_user_not_found(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    assert error_of(lambda: client.users_info(user="U0NOBODY0")) == "user_not_found"
    assert slack_sandbox.calls_to("users.info")[-1].error == "user_not_found"


def test_wrong_missing_and_misused_tokens(slack_sandbox: SandboxServer) -> None:
    wrong = WebClient(base_url=slack_sandbox.api_url, token="xoxb-not-the-token")
    missing = WebClient(base_url=slack_sandbox.api_url)
    app_token = WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.app_token)

    assert error_of(wrong.auth_test) == "invalid_auth"
    assert error_of(missing.auth_test) == "not_authed"
    assert error_of(lambda: app_token.users_info(user=LEAD)) == "not_allowed_token_type"


def test_users_list_paginates_with_cursors(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    seen: list[str] = []
    cursor = None

    for _ in range(10):
        page = client.users_list(limit=4, cursor=cursor)
        assert len(page["members"]) <= 4
        seen += [m["id"] for m in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert seen == [u.id for u in slack_sandbox.workspace.users]
    assert error_of(lambda: client.users_list(cursor="bm9wZQ==")) == "invalid_cursor"


def test_dm_post_and_history_with_metadata(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    metadata = {"event_type": "delegation_brief", "event_payload": {"outbox_id": "42"}}

    opened = client.conversations_open(users=PRIYA)
    again = client.conversations_open(users=PRIYA)
    dm = opened["channel"]["id"]
    posted = client.chat_postMessage(channel=dm, text="Your brief", metadata=metadata)
    with_meta = client.conversations_history(channel=dm, include_all_metadata=True)
    without_meta = client.conversations_history(channel=dm)

    assert dm.startswith("D") and again["channel"]["id"] == dm and again["already_open"]
    assert posted["channel"] == dm and posted["message"]["bot_id"] == slack_sandbox.workspace.bot_id
    assert with_meta["messages"][0]["ts"] == posted["ts"]
    assert with_meta["messages"][0]["metadata"] == metadata
    assert "metadata" not in without_meta["messages"][0]


def test_posting_to_a_user_id_lands_in_their_dm(slack_sandbox: SandboxServer) -> None:
    posted = bot_client(slack_sandbox).chat_postMessage(channel=PRIYA, text="hi")

    assert posted["channel"] == slack_sandbox.workspace.dm_id(PRIYA)
    assert [m["text"] for m in slack_sandbox.messages(PRIYA)] == ["hi"]


def test_message_ts_strictly_increase_like_slack(make_slack_sandbox: Any) -> None:
    server = make_slack_sandbox(wall_clock=lambda: 1_700_000_000.0001)
    client = bot_client(server)

    first = client.chat_postMessage(channel=GENERAL, text="one")["ts"]
    second = client.chat_postMessage(channel=GENERAL, text="two")["ts"]

    assert (first, second) == ("1700000000.000100", "1700000000.000101")
    history = client.conversations_history(channel=GENERAL)["messages"]
    assert [m["text"] for m in history] == ["two", "one"]


def test_history_paginates_newest_first(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    for n in range(5):
        client.chat_postMessage(channel=GENERAL, text=f"m{n}")

    first = client.conversations_history(channel=GENERAL, limit=3)
    rest = client.conversations_history(
        channel=GENERAL, limit=3, cursor=first["response_metadata"]["next_cursor"]
    )

    assert [m["text"] for m in first["messages"]] == ["m4", "m3", "m2"] and first["has_more"]
    assert [m["text"] for m in rest["messages"]] == ["m1", "m0"] and not rest["has_more"]


def test_replies_read_a_thread_parent_first_then_oldest_first(
    slack_sandbox: SandboxServer,
) -> None:
    client = bot_client(slack_sandbox)
    dm = client.conversations_open(users=PRIYA)["channel"]["id"]
    parent = client.chat_postMessage(channel=dm, text="parent")["ts"]
    metadata = {"event_type": "delegate_bot_reply", "event_payload": {"outbox_id": 7}}
    replies = [
        client.chat_postMessage(channel=dm, thread_ts=parent, text=f"r{n}", metadata=metadata)["ts"]
        for n in range(5)
    ]
    client.chat_postMessage(channel=dm, text="elsewhere")

    whole = client.conversations_replies(channel=dm, ts=replies[2], include_all_metadata=True)
    first = client.conversations_replies(channel=dm, ts=parent, limit=3)
    rest = client.conversations_replies(
        channel=dm, ts=parent, limit=3, cursor=first["response_metadata"]["next_cursor"]
    )
    bounded = client.conversations_replies(channel=dm, ts=parent, oldest=replies[1])
    history = client.conversations_history(channel=dm)

    assert [m["text"] for m in whole["messages"]] == ["parent", "r0", "r1", "r2", "r3", "r4"]
    assert whole["messages"][1]["metadata"] == metadata and not whole["has_more"]
    assert [m["text"] for m in first["messages"]] == ["parent", "r0", "r1"] and first["has_more"]
    assert [m["text"] for m in rest["messages"]] == ["r2", "r3", "r4"] and not rest["has_more"]
    assert "metadata" not in rest["messages"][0]
    assert [m["text"] for m in bounded["messages"]] == ["parent", "r2", "r3", "r4"]
    # conversations.history holds top-level messages only: the replies are not in it.
    assert [m["text"] for m in history["messages"]] == ["elsewhere", "parent"]
    missing = lambda: client.conversations_replies(channel=dm, ts="1.000001")  # noqa: E731
    assert error_of(missing) == "thread_not_found"
    assert error_of(lambda: client.conversations_replies(channel=RANDOM, ts=parent)) == (
        "not_in_channel"
    )


def test_chat_update_and_delete(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Brief*"}}]
    posted = client.chat_postMessage(channel=GENERAL, text="draft", blocks=blocks)

    updated = client.chat_update(channel=GENERAL, ts=posted["ts"], text="final")
    stored = slack_sandbox.messages(GENERAL)[0]

    assert updated["ts"] == posted["ts"] and updated["text"] == "final"
    assert stored["text"] == "final" and stored["edited"]["user"] == posted["message"]["user"]
    assert stored["blocks"][0]["text"]["text"] == "*Brief*"  # kept, as Slack does
    missing = lambda: client.chat_update(channel=GENERAL, ts="1.000001", text="x")  # noqa: E731
    assert error_of(missing) == "message_not_found"
    client.chat_delete(channel=GENERAL, ts=posted["ts"])
    assert slack_sandbox.messages(GENERAL) == []


def test_channel_rules(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    assert error_of(lambda: client.chat_postMessage(channel=RANDOM, text="x")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == (
        "channel_not_found"
    )
    assert error_of(lambda: client.chat_postMessage(channel=DANA, text="x")) == "account_inactive"
    assert error_of(lambda: client.conversations_open(users=DANA)) == "user_disabled"
    assert error_of(lambda: client.conversations_history(channel=RANDOM)) == "not_in_channel"


def test_post_ephemeral_is_recorded_not_in_history(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    response = client.chat_postEphemeral(channel=GENERAL, user=PRIYA, text="only you")

    assert response["message_ts"]
    assert [e.message["text"] for e in slack_sandbox.ephemerals(PRIYA)] == ["only you"]
    assert slack_sandbox.messages(GENERAL) == []
    outsider = lambda: client.chat_postEphemeral(channel=GENERAL, user=DANA, text="x")  # noqa: E731
    assert error_of(outsider) == "user_not_in_channel"


def test_form_encoded_calls_with_token_param_are_decoded(slack_sandbox: SandboxServer) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "from a form"}}]
    form = {
        "token": slack_sandbox.workspace.bot_token,
        "channel": GENERAL,
        "text": "form",
        "blocks": json.dumps(blocks),
        "unfurl_links": "false",
    }
    request = urllib.request.Request(
        slack_sandbox.api_url + "chat.postMessage",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    with urllib.request.urlopen(request) as raw:
        body = json.loads(raw.read())

    assert body["ok"] is True, body
    call = slack_sandbox.calls_to("chat.postMessage")[-1]
    assert call.params["blocks"] == blocks and call.params["unfurl_links"] is False
    assert "token" not in call.params
    assert slack_sandbox.violations == []


def test_unknown_method_is_answered_like_slack(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    assert error_of(lambda: client.api_call("no.suchMethod")) == "unknown_method"


def test_file_upload_v2_flow_shares_into_channel(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    result = client.files_upload_v2(
        channel=GENERAL, content="a,b\n1,2\n", filename="report.csv", initial_comment="Report"
    )

    assert result["file"]["name"] == "report.csv"
    assert [c.method for c in slack_sandbox.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    shared = slack_sandbox.messages(GENERAL)[0]
    assert shared["text"] == "Report" and shared["files"][0]["id"] == result["file"]["id"]


def test_apps_connections_open_needs_the_app_token(slack_sandbox: SandboxServer) -> None:
    client = WebClient(base_url=slack_sandbox.api_url)

    url = client.apps_connections_open(app_token=slack_sandbox.workspace.app_token)["url"]
    refused = lambda: client.apps_connections_open(  # noqa: E731
        app_token=slack_sandbox.workspace.bot_token
    )

    assert url.startswith(f"ws://127.0.0.1:{slack_sandbox.port}/link/?ticket=")
    assert error_of(refused) == "not_allowed_token_type"


def test_tokens_are_constructor_parameters(make_slack_sandbox: Any) -> None:
    server = make_slack_sandbox(bot_token="xoxb-custom", signing_secret="s3cret")

    assert WebClient(base_url=server.api_url, token="xoxb-custom").auth_test()["ok"]
    assert server.signing_secret == "s3cret"


def test_conversations_info_says_whether_the_bot_is_in(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    inside = client.conversations_info(channel="C0SBTEAM1")
    assert inside["channel"]["name"] == "key-accounts"
    assert inside["channel"]["is_member"] is True
    outside = client.conversations_info(channel="C0SBRAND1")
    assert outside["channel"]["is_member"] is False
    with pytest.raises(SlackApiError) as missing:
        client.conversations_info(channel="C0NOPE")
    assert missing.value.response["error"] == "channel_not_found"


def test_chat_get_permalink(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    posted = client.chat_postMessage(channel="C0SBGENRL", text="hello")
    link = client.chat_getPermalink(channel="C0SBGENRL", message_ts=posted["ts"])
    assert link["permalink"].endswith("/archives/C0SBGENRL/p" + posted["ts"].replace(".", ""))
    with pytest.raises(SlackApiError) as missing:
        client.chat_getPermalink(channel="C0SBGENRL", message_ts="1.000001")
    assert missing.value.response["error"] == "message_not_found"
