"""The Home tab, its "Show all" modals and /delegate list pass Slack's limits whatever the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.types import Health, TaskState
from bot.views.home import (
    HOME_FEEDBACK_ACTION,
    HOME_NEW_ACTION,
    HOME_PROFILE_ACTION,
    HOME_SETTINGS_ACTION,
    HOME_SHOW_ALL_ACTION,
    HOME_TEAM_ACTION,
    SECTIONS,
    SHOWN_PER_SECTION,
    HomeData,
    HomeTask,
    LoadLine,
    NeedKind,
    NeedsYou,
    home_view,
    list_message,
    show_all_modal,
    urgent_first,
    urgent_load,
    urgent_needs,
    urgent_tasks,
)
from sandbox.oracle import validate_call, validate_view

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ME = "U0SBLENA1"
NASTY = "<!channel> Q&A <deck> & <https://evil.example|click>"
HEALTHS: tuple[Health | None, ...] = (None, Health.ON_TRACK, Health.AT_RISK, Health.BLOCKED)
NEED_KINDS = tuple(NeedKind)


def task(
    task_id: int,
    *,
    title: str = "Acme deck",
    health: Health | None = Health.ON_TRACK,
    overdue: bool = False,
    due_days: int = 5,
    state: TaskState = TaskState.ACTIVE,
    last_update: str | None = None,
    other_id: str = "U0SBMARC1",
) -> HomeTask:
    """A delegation with sensible defaults."""
    return HomeTask(
        task_id=task_id,
        title=title,
        other_id=other_id,
        state=state,
        health=health,
        due_at=NOW + timedelta(days=due_days),
        due_has_time=task_id % 2 == 0,
        overdue=overdue,
        last_update=last_update,
        next_checkin=NOW + timedelta(days=1) if task_id % 3 else None,
    )


def need(kind: NeedKind, *, hours_ago: int, title: str = "Acme deck") -> NeedsYou:
    """Something that has waited `hours_ago` hours."""
    return NeedsYou(
        kind=kind,
        title=title,
        other_id="U0SBMARC1",
        since=NOW - timedelta(hours=hours_ago),
        task_id=7,
    )


def big_data() -> HomeData:
    """1,000 tasks each way, 300 people, 500 needs, long titles full of &, < and >."""
    title = ("<&>" * 85)[:255]
    return HomeData(
        user_id=ME,
        now=NOW,
        needs_you=tuple(
            need(NEED_KINDS[i % len(NEED_KINDS)], hours_ago=i, title=title) for i in range(500)
        ),
        delegated=tuple(
            task(
                i,
                title=title,
                health=HEALTHS[i % 4],
                overdue=i % 7 == 0,
                due_days=i % 30 - 10,
                last_update=("at risk, 2026-11-20: " + "<&>" * 200),
                state=tuple(TaskState)[i % len(TaskState)],
            )
            for i in range(1000)
        ),
        assigned=tuple(
            task(i, title=title, health=HEALTHS[i % 4], last_update="<!here> " * 100)
            for i in range(1000, 2000)
        ),
        team_load=tuple(
            LoadLine(
                user_id=f"U{i:08d}",
                open_count=i % 9,
                capacity=i % 6,
                away=(date(2026, 11, 20), date(2026, 12, 1)) if i % 5 == 0 else None,
            )
            for i in range(300)
        ),
    )


TYPICAL = HomeData(
    user_id=ME,
    now=NOW,
    needs_you=(
        need(NeedKind.ANSWER_CHECKIN, hours_ago=3),
        need(NeedKind.CONFIRM_BRIEF, hours_ago=50, title="Globex plan"),
        need(NeedKind.ANSWER_SURVEY, hours_ago=1, title="Project Initech"),
    ),
    delegated=(
        task(1, health=Health.AT_RISK, last_update="at risk, 2026-11-20: waiting on legal"),
        task(2, title="Budget", overdue=True, due_days=-2, state=TaskState.AWAITING_ACCEPTANCE),
    ),
    assigned=(task(3, title="Hiring plan", health=None, state=TaskState.AWAITING_CONFIRMATION),),
    team_load=(
        LoadLine("U0SBMARC1", 4, 5),
        LoadLine("U0SBPRIY1", 1, 3, away=(date(2026, 11, 20), date(2026, 11, 27))),
    ),
)
EMPTY = HomeData(user_id=ME, now=NOW)
BIG = big_data()
DATA = {"empty": EMPTY, "typical": TYPICAL, "large": BIG}


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn or plain text in the blocks."""
    found: list[str] = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                found.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                found.append(element["text"])
    return found


def show_all_sections(view: dict[str, Any]) -> list[str]:
    """The section keys that have a "Show all" button."""
    return [
        element["value"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == HOME_SHOW_ALL_ACTION
    ]


# --- the oracle ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DATA))
def test_home_passes_the_oracle(oracle_path: Path, name: str) -> None:
    view = home_view(DATA[name])
    assert validate_view(view) == []
    assert validate_call("views.publish", {"user_id": ME, "view": view}) == []


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("name", sorted(DATA))
def test_show_all_passes_the_oracle(oracle_path: Path, name: str, section: str) -> None:
    view = show_all_modal(section, DATA[name])
    assert validate_view(view) == []
    assert validate_call("views.open", {"trigger_id": "1.2.abc", "view": view}) == []


@pytest.mark.parametrize("name", sorted(DATA))
def test_list_passes_the_oracle(oracle_path: Path, name: str) -> None:
    message = list_message(DATA[name])
    assert validate_call("chat.postEphemeral", {"channel": "C1", "user": "U1", **message}) == []


# --- the Home tab ----------------------------------------------------------------------------


def test_home_has_the_buttons_and_the_four_sections() -> None:
    view = home_view(TYPICAL)
    assert view["type"] == "home"
    buttons = next(b for b in view["blocks"] if b.get("block_id") == "home_actions")
    assert [e["action_id"] for e in buttons["elements"]] == [
        HOME_NEW_ACTION,
        HOME_SETTINGS_ACTION,
        HOME_PROFILE_ACTION,
        HOME_FEEDBACK_ACTION,
        HOME_TEAM_ACTION,
    ]
    assert buttons["elements"][0]["style"] == "primary"
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers[1:] == ["Needs you", "Delegated by me", "Assigned to me", "Team load"]


def test_home_lines_say_what_to_do_and_where() -> None:
    shown = "\n".join(texts(home_view(TYPICAL)["blocks"]))
    assert "Confirm the brief *Globex plan* from <@U0SBMARC1> in your DM with me" in shown
    assert "Answer the check-in on *Acme deck*" in shown
    assert "Answer the feedback survey on *Project Initech*" in shown
    assert "Last update: at risk, 2026-11-20: waiting on legal" in shown
    assert ":rotating_light: *overdue*" in shown
    assert "_done, awaiting acceptance_" in shown
    assert "from <@U0SBMARC1>" in shown
    assert "*4*/5 open" in shown
    assert "away until <!date^" in shown


def test_every_need_kind_has_its_own_words() -> None:
    data = HomeData(
        user_id=ME,
        now=NOW,
        needs_you=tuple(need(kind, hours_ago=i) for i, kind in enumerate(NeedKind)),
    )
    shown = "\n".join(texts(home_view(data)["blocks"]))
    assert "Approve <@U0SBMARC1>'s restatement of *Acme deck*" in shown
    assert "Accept or reopen *Acme deck*, done by <@U0SBMARC1>" in shown
    assert "waiting 0 days" not in shown and "new today" in shown


def test_empty_home_has_a_friendly_note_per_section() -> None:
    view = home_view(EMPTY)
    shown = "\n".join(texts(view["blocks"]))
    assert "Nothing waits on you." in shown
    assert "Nothing is assigned to you right now." in shown
    assert show_all_sections(view) == []


@pytest.mark.parametrize("count", [0, 1, SHOWN_PER_SECTION, SHOWN_PER_SECTION + 1, 40])
def test_show_all_appears_exactly_when_a_section_has_more_than_ten(count: int) -> None:
    data = HomeData(
        user_id=ME,
        now=NOW,
        needs_you=tuple(need(NeedKind.ANSWER_CHECKIN, hours_ago=i) for i in range(count)),
        delegated=tuple(task(i) for i in range(count)),
        assigned=tuple(task(i) for i in range(count)),
        team_load=tuple(LoadLine(f"U{i}", 1, 2) for i in range(count)),
    )
    view = home_view(data)
    expected = list(SECTIONS) if count > SHOWN_PER_SECTION else []
    assert show_all_sections(view) == expected
    labels = [t for t in texts(view["blocks"]) if t.startswith("Show all")]
    assert labels == [f"Show all ({count})"] * len(expected)


def test_show_all_only_for_the_section_that_overflows() -> None:
    data = HomeData(user_id=ME, now=NOW, assigned=tuple(task(i) for i in range(11)))
    assert show_all_sections(home_view(data)) == ["assigned"]


def test_home_shows_only_the_ten_most_urgent() -> None:
    data = HomeData(
        user_id=ME,
        now=NOW,
        delegated=tuple(task(i, title=f"Task {i:02d}", due_days=i) for i in range(15)),
    )
    shown = "\n".join(texts(home_view(data)["blocks"]))
    assert "*Task 09*" in shown and "*Task 10*" not in shown


def test_large_home_stays_inside_the_limits() -> None:
    view = home_view(BIG)
    assert len(view["blocks"]) <= 100
    assert all(len(t) <= 3000 for t in texts(view["blocks"]))
    assert show_all_sections(view) == list(SECTIONS)


# --- escaping --------------------------------------------------------------------------------


def test_user_text_cannot_ping_or_forge_links() -> None:
    data = HomeData(
        user_id=ME,
        now=NOW,
        needs_you=(need(NeedKind.ACCEPT_WORK, hours_ago=1, title=NASTY),),
        delegated=(task(1, title=NASTY, last_update=NASTY),),
        assigned=(task(2, title=NASTY, last_update=NASTY),),
    )
    for blocks in (
        home_view(data)["blocks"],
        show_all_modal("delegated", data)["blocks"],
        show_all_modal("needs_you", data)["blocks"],
        list_message(data)["blocks"],
    ):
        shown = str(blocks)
        assert "<!channel>" not in shown and "<https://evil" not in shown
        assert "&lt;!channel&gt; Q&amp;A &lt;deck&gt;" in shown


def test_long_titles_are_clipped() -> None:
    data = HomeData(user_id=ME, now=NOW, delegated=(task(1, title="x" * 255),))
    shown = "\n".join(texts(home_view(data)["blocks"]))
    assert "x" * 147 + "..." in shown and "x" * 148 not in shown


# --- urgency ---------------------------------------------------------------------------------


def test_needs_oldest_first_kind_breaks_ties() -> None:
    needs = [
        need(NeedKind.ANSWER_SURVEY, hours_ago=5),
        need(NeedKind.ANSWER_CHECKIN, hours_ago=5),
        need(NeedKind.ACCEPT_WORK, hours_ago=5),
        need(NeedKind.APPROVE_RESTATEMENT, hours_ago=5),
        need(NeedKind.CONFIRM_BRIEF, hours_ago=5),
        need(NeedKind.ANSWER_SURVEY, hours_ago=90),
        need(NeedKind.CONFIRM_BRIEF, hours_ago=1),
    ]
    ordered = urgent_needs(needs)
    assert [(n.kind, round((NOW - n.since).total_seconds() / 3600)) for n in ordered] == [
        (NeedKind.ANSWER_SURVEY, 90),
        (NeedKind.CONFIRM_BRIEF, 5),
        (NeedKind.APPROVE_RESTATEMENT, 5),
        (NeedKind.ACCEPT_WORK, 5),
        (NeedKind.ANSWER_CHECKIN, 5),
        (NeedKind.ANSWER_SURVEY, 5),
        (NeedKind.CONFIRM_BRIEF, 1),
    ]


def test_tasks_overdue_then_blocked_then_at_risk_then_due_then_id() -> None:
    tasks = [
        task(1, health=Health.ON_TRACK, due_days=1),
        task(2, health=None, due_days=1),
        task(3, health=Health.AT_RISK, due_days=9),
        task(4, health=Health.BLOCKED, due_days=20),
        task(5, health=Health.ON_TRACK, overdue=True, due_days=-1),
        task(6, health=Health.BLOCKED, overdue=True, due_days=-3),
        task(7, health=None, due_days=0),
        task(8, health=Health.AT_RISK, due_days=2),
    ]
    assert [t.task_id for t in urgent_tasks(tasks)] == [6, 5, 4, 8, 3, 7, 1, 2]


def test_load_most_loaded_first_no_capacity_counts_as_full() -> None:
    lines = [
        LoadLine("U4", 1, 4),
        LoadLine("U3", 3, 3),
        LoadLine("U0", 0, 0),
        LoadLine("U9", 2, 0),
        LoadLine("U2", 6, 4),
        LoadLine("U1", 1, 1),
        LoadLine("U5", 1, 0),
    ]
    assert [line.user_id for line in urgent_load(lines)] == [
        "U5",
        "U9",
        "U2",
        "U1",
        "U3",
        "U4",
        "U0",
    ]


def test_urgent_first_dispatches_and_refuses_unknown_sections() -> None:
    assert urgent_first("delegated", TYPICAL) == urgent_tasks(TYPICAL.delegated)
    assert [t.task_id for t in urgent_tasks(TYPICAL.delegated)] == [2, 1]
    assert urgent_first("needs_you", TYPICAL) == urgent_needs(TYPICAL.needs_you)
    assert urgent_first("team_load", TYPICAL) == urgent_load(TYPICAL.team_load)
    with pytest.raises(ValueError):
        urgent_first("nope", TYPICAL)
    with pytest.raises(ValueError):
        show_all_modal("nope", TYPICAL)


def test_home_and_modal_share_the_order() -> None:
    home = "\n".join(texts(home_view(TYPICAL)["blocks"]))
    modal = "\n".join(texts(show_all_modal("delegated", TYPICAL)["blocks"]))
    for shown in (home, modal):
        assert shown.index("*Budget*") < shown.index("waiting on legal")


# --- the "Show all" modal --------------------------------------------------------------------


def test_show_all_lists_everything_when_it_fits() -> None:
    data = HomeData(
        user_id=ME,
        now=NOW,
        delegated=tuple(task(i, title=f"T{i:03d}", due_days=i) for i in range(60)),
    )
    modal = show_all_modal("delegated", data)
    assert modal["type"] == "modal"
    assert modal["title"]["text"] == "Delegated by me"
    assert modal["close"]["text"] == "Close" and "submit" not in modal
    shown = "\n".join(texts(modal["blocks"]))
    assert all(f"*T{i:03d}*" in shown for i in range(60))
    assert "more:" not in shown


def items_and_more(view: dict[str, Any]) -> tuple[int, int]:
    """How many items a view's sections show, and how many its "and N more" says are left."""
    shown = sum(
        1
        for block in view["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
        if not line.startswith(" ")
    )
    last = view["blocks"][-1]
    text = last["elements"][0]["text"] if last["type"] == "context" else ""
    more = int(text.split()[1]) if text.startswith("and ") else 0
    return shown, more


TOTALS = {"needs_you": 500, "delegated": 1000, "assigned": 1000, "team_load": 300}


@pytest.mark.parametrize("section", SECTIONS)
def test_show_all_of_huge_data_counts_every_item(section: str) -> None:
    modal = show_all_modal(section, BIG)
    assert len(modal["blocks"]) <= 100
    assert all(len(t) <= 3000 for t in texts(modal["blocks"]))
    assert len(modal["title"]["text"]) <= 24
    shown, more = items_and_more(modal)
    assert shown + more == TOTALS[section]
    if more:
        assert modal["blocks"][-1]["elements"][0]["text"].endswith(
            "more: /delegate export has everything"
        )


def test_show_all_of_a_thousand_tasks_is_cut_short() -> None:
    shown, more = items_and_more(show_all_modal("delegated", BIG))
    assert shown > SHOWN_PER_SECTION and more > 0


# --- /delegate list --------------------------------------------------------------------------


def test_empty_list_says_how_to_start() -> None:
    message = list_message(EMPTY)
    assert "`/delegate`" in message["text"]
    assert len(message["blocks"]) == 1


def test_list_shows_open_ones_both_ways() -> None:
    data = HomeData(
        user_id=ME,
        now=NOW,
        delegated=(
            task(1, title="Open one"),
            task(2, title="Finished", state=TaskState.COMPLETED),
            task(3, title="Dropped", state=TaskState.CANCELLED),
        ),
        assigned=(task(4, title="Mine"),),
    )
    message = list_message(data)
    shown = "\n".join(texts(message["blocks"]))
    assert "*Delegated by me* (1 open)" in shown and "*Assigned to me* (1 open)" in shown
    assert "*Open one*" in shown and "*Mine*" in shown
    assert "Finished" not in shown and "Dropped" not in shown
    assert message["text"] == "Your open delegations: 1 by you, 1 to you."


def test_list_with_one_side_empty_says_none() -> None:
    data = HomeData(user_id=ME, now=NOW, assigned=(task(4, title="Mine"),))
    shown = "\n".join(texts(list_message(data)["blocks"]))
    assert "*Delegated by me* (0 open)" in shown and "None open." in shown


def test_huge_list_shares_fifty_blocks_between_both_sides() -> None:
    blocks = list_message(BIG)["blocks"]
    assert len(blocks) <= 50
    assert all(len(t) <= 3000 for t in texts(blocks))
    mores = [t for t in texts(blocks) if t.startswith("and ") and "more:" in t]
    assert len(mores) == 2


# --- property: any sizes ---------------------------------------------------------------------

titles = st.text(alphabet="ab <>&*_\n!@", max_size=300)
health = st.sampled_from(HEALTHS)
home_tasks = st.builds(
    HomeTask,
    task_id=st.integers(1, 10_000),
    title=titles,
    other_id=st.just("U0SBMARC1"),
    state=st.sampled_from(tuple(TaskState)),
    health=health,
    due_at=st.just(NOW),
    due_has_time=st.booleans(),
    overdue=st.booleans(),
    last_update=st.none() | st.text(alphabet="x <>&!", max_size=1000),
    next_checkin=st.none() | st.just(NOW),
)
needs = st.builds(
    NeedsYou,
    kind=st.sampled_from(NEED_KINDS),
    title=titles,
    other_id=st.just("U0SBLENA1"),
    since=st.just(NOW - timedelta(days=2)),
    task_id=st.none() | st.integers(1, 99),
)
loads = st.builds(
    LoadLine,
    user_id=st.text(alphabet="U0123456789", min_size=1, max_size=11),
    open_count=st.integers(0, 50),
    capacity=st.integers(0, 10),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(needs, max_size=40),
    st.lists(home_tasks, max_size=40),
    st.lists(home_tasks, max_size=40),
    st.lists(loads, max_size=40),
)
def test_home_fits_whatever_the_sizes(
    needs_you: list[NeedsYou],
    delegated: list[HomeTask],
    assigned: list[HomeTask],
    team_load: list[LoadLine],
) -> None:
    data = HomeData(ME, NOW, tuple(needs_you), tuple(delegated), tuple(assigned), tuple(team_load))
    view = home_view(data)
    assert len(view["blocks"]) <= 100
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert all(0 < len(text) <= 3000 for text in sections)
    assert "<!channel>" not in str(view)
    modal = show_all_modal("delegated", data)
    assert len(modal["blocks"]) <= 100
    assert all(len(t) <= 3000 for t in texts(modal["blocks"]))
