"""Links are checked where they are typed and again wherever a view places one."""

from __future__ import annotations

import pytest

from bot.domain.links import LINK_MAX, is_safe_link, link_problem
from bot.views.delegation import ModalMetadata
from bot.views.text import link


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/a/b?x=1&y=2#top",
        "https://acme.slack.com/archives/C0TEAM0001/p1700000000000100",
        "https://docs.example.com:8443/deck",
        "https://example.com/" + "a" * (LINK_MAX - 20),
    ],
)
def test_ordinary_links_pass(url: str) -> None:
    assert link_problem(url) is None and is_safe_link(url)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://a|x><!channel><https://b", "A link can't contain <, > or |."),
        ("https://example.com/|x", "A link can't contain |."),
        ("https://example.com/a b", "A link can't contain spaces or line breaks."),
        ("https://example.com/\nx", "A link can't contain spaces or line breaks."),
        ("https://example.com/\x00", "That link contains characters that can't be shown."),
        ("deck.pdf", "Use a web link that starts with https:// (or http://)."),
        ("javascript:alert(1)", "Use a web link that starts with https:// (or http://)."),
        ("mailto:a@example.com", "Use a web link that starts with https:// (or http://)."),
        (
            "https://",
            "That link has no website in it. Use a full address, e.g. https://example.com/doc.",
        ),
        (
            "https:///path",
            "That link has no website in it. Use a full address, e.g. https://example.com/doc.",
        ),
        (
            "https://example.com:99999/",
            "That doesn't look like a link. Use a full address, e.g. https://example.com/doc.",
        ),
        (
            "https://example.com/" + "a" * LINK_MAX,
            f"That link is too long: keep it under {LINK_MAX} characters (it has {LINK_MAX + 20}).",
        ),
    ],
)
def test_links_that_could_break_out_or_are_not_links_are_refused_with_the_reason(
    url: str, problem: str
) -> None:
    assert link_problem(url) == problem
    assert not is_safe_link(url)


def test_a_view_places_only_a_checked_link_and_shows_anything_else_as_text() -> None:
    assert link("https://example.com/?a=1&b=2", "the work") == (
        "<https://example.com/?a=1&amp;b=2|the work>"
    )
    assert link("https://a|x><!channel><https://b", "the work") == (
        "the work: https://a|x&gt;&lt;!channel&gt;&lt;https://b"
    )
    assert link(None, "a <b>") == "a &lt;b&gt;"


def test_tampered_metadata_cannot_carry_a_breakout_link() -> None:
    tampered = '{"source_permalink": "https://a|x><!channel><https://b", "checkpoint_rows": 2}'
    assert ModalMetadata.loads(tampered) == ModalMetadata(checkpoint_rows=2)
    kept = '{"source_permalink": "https://acme.slack.com/archives/C1/p1"}'
    assert ModalMetadata.loads(kept).source_permalink == "https://acme.slack.com/archives/C1/p1"
