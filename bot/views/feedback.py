"""Feedback surveys and their results: the survey DMs and modals, the lead's reports, closing.

Everything here is a pure function from data to Block Kit. User text (labels, names,
comments) is escaped and clipped so no message or modal passes Slack's limits, whatever
the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.feedback import (
    TEXT_FIELDS,
    Comment,
    LeadMeasures,
    RoundReport,
    Scores,
    overall_scores,
)
from bot.domain.ids import metadata_id
from bot.domain.types import RhythmFit, SurveyKind
from bot.views.brief_message import slack_date
from bot.views.text import escape_mrkdwn, mention, quote

SURVEY_OPEN_ACTION = "survey_open"  # value: str(survey_id)
OWNER_SURVEY_CALLBACK = "survey_owner"
LEAD_SURVEY_CALLBACK = "survey_lead"
PROJECT_CLOSE_ACTION = "project_close"  # value: str(project_id)
PROJECT_CANCEL_ACTION = "project_close_cancel"  # value: str(project_id)
SURVEY_TEXT_MAX = 1000

# Block ids of the modal inputs; each input's action id is the same string.
CLARITY_BLOCK, SKILLS_BLOCK, CHALLENGE_BLOCK = "clarity", "skills_fit", "challenge"
RHYTHM_BLOCK, SHOW_NAME_BLOCK = "rhythm_fit", "show_name"
PROBLEMS_BLOCK, LEAD_BETTER_BLOCK = "problems", "lead_better"
SMOOTHER_BLOCK, OTHER_BLOCK = "smoother", "other"
SHOW_NAME_VALUE = "show"

SECTION_MAX = 3000
MESSAGE_BLOCKS_MAX = 50
LABEL_MAX = 300  # a task title or project name, escaped, inside a sentence
TREND_ROUNDS = 3
SUMMARY_ROUNDS = 10
CLOSE_TASKS_SHOWN = 20

RATING_WORDS: dict[int, str] = {
    1: "1 - not at all",
    2: "2 - a little",
    3: "3 - somewhat",
    4: "4 - mostly",
    5: "5 - completely",
}
RHYTHM_WORDS: dict[RhythmFit, str] = {
    RhythmFit.TOO_OFTEN: "too often",
    RhythmFit.ABOUT_RIGHT: "about right",
    RhythmFit.TOO_RARE: "too rare",
}
# The owner's questions as the modal asks them.
OWNER_RATING_LABELS: dict[str, str] = {
    CLARITY_BLOCK: "How clear was the brief?",
    SKILLS_BLOCK: "How well did the work fit your skills and experience?",
    CHALLENGE_BLOCK: "How much did it challenge you in new ways?",
}
OWNER_TEXT_LABELS: dict[str, str] = {
    PROBLEMS_BLOCK: "Problems you ran into",
    LEAD_BETTER_BLOCK: "What your lead could have done better",
    SMOOTHER_BLOCK: "How it could go smoother next time",
    OTHER_BLOCK: "Anything else",
}
# The lead's own questions, mirrored.
LEAD_RATING_LABELS: dict[str, str] = {
    CLARITY_BLOCK: "How clear was my brief?",
    SKILLS_BLOCK: "How well did I match people to the work?",
}
LEAD_TEXT_LABELS: dict[str, str] = {LEAD_BETTER_BLOCK: "What I would do differently"}
# How the lead's reports name each question.
SCORE_NAMES: dict[str, str] = {
    CLARITY_BLOCK: "Clarity of the brief",
    SKILLS_BLOCK: "Fit to skills and experience",
    CHALLENGE_BLOCK: "Challenged in new ways",
}
SHORT_SCORE_NAMES: dict[str, str] = {
    CLARITY_BLOCK: "clarity",
    SKILLS_BLOCK: "fit",
    CHALLENGE_BLOCK: "challenge",
}
COMMENT_HEADINGS: dict[str, str] = {
    PROBLEMS_BLOCK: "Problems they ran into",
    LEAD_BETTER_BLOCK: "What you could have done better",
    SMOOTHER_BLOCK: "How it could go smoother next time",
    OTHER_BLOCK: "Anything else",
}
RATING_ERROR = "Pick a rating from 1 to 5."
RHYTHM_ERROR = "Pick one: too often, about right or too rare."


# --- small helpers --------------------------------------------------------------------------


def _cut(mrkdwn: str, limit: int) -> str:
    """Already-escaped text cut to `limit` characters, never inside an &entity;."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    cut = mrkdwn[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _clip(text: str, limit: int = LABEL_MAX) -> str:
    """User text escaped for mrkdwn and cut to `limit` characters."""
    return _cut(escape_mrkdwn(text), limit)


def _plural(count: int, one: str, many: str | None = None) -> str:
    """'1 answer', '3 answers'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _day(day: date) -> str:
    """A calendar date in the reader's own format (noon UTC keeps the day for nearly all)."""
    return slack_date(datetime.combine(day, time(12), tzinfo=UTC), with_time=False)


def _score(value: float | None) -> str:
    """An average rating with one decimal, or n/a when nobody gave one."""
    return "n/a" if value is None else f"{value:.1f}"


def _percent(share: float | None) -> str:
    """A 0-1 share as a whole percentage, or 'n/a'."""
    return "n/a" if share is None else f"{round(share * 100)}%"


def _duration(span: timedelta | None) -> str:
    """A duration in days (over a day) or hours, or 'n/a'."""
    if span is None:
        return "n/a"
    hours = span.total_seconds() / 3600
    if hours >= 24:
        days = hours / 24
        return "1 day" if round(days, 1) == 1 else f"{days:.1f} days"
    if hours < 1:
        return "under an hour"
    return _plural(round(hours), "hour")


def _context(text: str) -> ContextBlock:
    """A one-line grey note."""
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _blocks(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as the JSON Slack takes."""
    return [block.to_dict() for block in blocks]


# --- the survey DM --------------------------------------------------------------------------


def _request_text(
    *, lead_id: str, label: str, kind: SurveyKind, closes_on: date, reminder: int
) -> str:
    """The survey DM's words, first ask or reminder."""
    what = f"*{_clip(label)}*"
    if kind is SurveyKind.LEAD_SELF:
        if reminder <= 0:
            opening = f"Before your team's feedback arrives, rate how you delegated {what}."
        elif reminder == 1:
            opening = f"Reminder: your self-assessment of {what} is still open."
        else:
            opening = f"Last reminder: your self-assessment of {what} is still open."
        return (
            f"{opening} It takes about a minute, and your answers sit beside your team's "
            f"in the results. Open until {_day(closes_on)}."
        )
    if reminder <= 0:
        opening = f"{mention(lead_id)} asks for your feedback on {what}."
    elif reminder == 1:
        opening = f"Reminder: {mention(lead_id)} would still value your feedback on {what}."
    else:
        opening = (
            f"Reminder, the last one: {mention(lead_id)} would still value your feedback on {what}."
        )
    return (
        f"{opening} It takes about 2 minutes and teaches them to delegate better. "
        f"Open until {_day(closes_on)}."
    )


def survey_request(
    *,
    survey_id: int,
    respondent_id: str,
    lead_id: str,
    label: str,
    kind: SurveyKind,
    closes_on: date,
    reminder: int = 0,
) -> dict[str, Any]:
    """chat.postMessage arguments asking for feedback (or the lead's self-rating), or a reminder."""
    text = _request_text(
        lead_id=lead_id, label=label, kind=kind, closes_on=closes_on, reminder=reminder
    )
    blocks = [
        SectionBlock(text=text),
        ActionsBlock(
            block_id=f"survey_{survey_id}",
            elements=[
                ButtonElement(
                    text="Give feedback",
                    action_id=SURVEY_OPEN_ACTION,
                    value=str(survey_id),
                    style="primary",
                )
            ],
        ),
    ]
    return {"channel": respondent_id, "text": text, "blocks": _blocks(blocks)}


def survey_answered_edit(*, label: str, kind: SurveyKind, named: bool) -> dict[str, Any]:
    """chat.update arguments for the survey DM once answered: thanks, and who sees the name."""
    what = f"*{_clip(label)}*"
    if kind is SurveyKind.LEAD_SELF:
        text = (
            f":white_check_mark: Thanks: your self-assessment of {what} is saved. "
            "You'll see it beside your team's feedback when the survey closes."
        )
    elif named:
        text = (
            f":white_check_mark: Thanks for your feedback on {what}. "
            "Your lead will see your name with your answers."
        )
    else:
        text = (
            f":white_check_mark: Thanks for your feedback on {what}. Your answers are "
            "anonymous: your lead sees them only if enough people answer anonymously."
        )
    return {"text": text, "blocks": _blocks([SectionBlock(text=text)])}


def survey_closed_edit(*, label: str) -> dict[str, Any]:
    """chat.update arguments for an unanswered survey DM once the survey has closed."""
    text = f"This feedback survey on *{_clip(label)}* has closed. Thanks all the same."
    return {"text": text, "blocks": _blocks([SectionBlock(text=text)])}


# --- the modals -----------------------------------------------------------------------------


def _rating_input(block_id: str, label: str) -> InputBlock:
    """A required 1-5 rating."""
    return InputBlock(
        block_id=block_id,
        label=label,
        element=RadioButtonsElement(
            action_id=block_id,
            options=[Option(value=str(n), label=words) for n, words in RATING_WORDS.items()],
        ),
    )


def _rhythm_input(label: str) -> InputBlock:
    """A required verdict on the check-in rhythm."""
    return InputBlock(
        block_id=RHYTHM_BLOCK,
        label=label,
        element=RadioButtonsElement(
            action_id=RHYTHM_BLOCK,
            options=[
                Option(value=fit.value, label=words.capitalize())
                for fit, words in RHYTHM_WORDS.items()
            ],
        ),
    )


def _text_input(block_id: str, label: str) -> InputBlock:
    """An optional free-text answer."""
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=PlainTextInputElement(
            action_id=block_id, multiline=True, max_length=SURVEY_TEXT_MAX
        ),
    )


def _modal(*, callback_id: str, title: str, survey_id: int, blocks: list[Block]) -> dict[str, Any]:
    """A survey modal around its blocks."""
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit="Send",
        close="Later",
        private_metadata=json.dumps({"survey_id": survey_id}),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def owner_survey_modal(
    *, survey_id: int, label: str, lead_id: str, anonymity_offered: bool, threshold: int
) -> dict[str, Any]:
    """The owner's survey: three ratings, the rhythm, four optional texts, and their name."""
    named_note = (
        f"Fewer than {threshold} people were asked, so {mention(lead_id)} will see your name "
        "with your answers."
    )
    blocks: list[Block] = [
        SectionBlock(
            text=f"Your feedback on *{_clip(label)}* for {mention(lead_id)}. About 2 minutes; "
            "it teaches them to delegate better."
        )
    ]
    if not anonymity_offered:
        blocks.append(_context(named_note))
    blocks += [_rating_input(block, words) for block, words in OWNER_RATING_LABELS.items()]
    blocks.append(_rhythm_input("The check-ins came..."))
    blocks += [_text_input(block, words) for block, words in OWNER_TEXT_LABELS.items()]
    if anonymity_offered:
        blocks.append(
            InputBlock(
                block_id=SHOW_NAME_BLOCK,
                label="Your name",
                optional=True,
                element=CheckboxesElement(
                    action_id=SHOW_NAME_BLOCK,
                    options=[
                        Option(
                            value=SHOW_NAME_VALUE,
                            text=MarkdownTextObject(text=f"Show my name to {mention(lead_id)}"),
                        )
                    ],
                ),
            )
        )
        blocks.append(
            _context(
                "Your answers stay anonymous unless you tick this. Anonymous answers are shown "
                f"only when at least {threshold} people answer anonymously; otherwise they are "
                "held back."
            )
        )
    else:
        blocks.append(_context(named_note))
    return _modal(
        callback_id=OWNER_SURVEY_CALLBACK, title="Your feedback", survey_id=survey_id, blocks=blocks
    )


def lead_survey_modal(*, survey_id: int, label: str) -> dict[str, Any]:
    """The lead's self-assessment, mirroring the owners' questions."""
    blocks: list[Block] = [
        SectionBlock(
            text=f"How did you delegate *{_clip(label)}*? Your answers sit beside your "
            "team's feedback in the results."
        )
    ]
    blocks += [_rating_input(block, words) for block, words in LEAD_RATING_LABELS.items()]
    blocks.append(_rhythm_input("My follow-up rhythm was..."))
    blocks += [_text_input(block, words) for block, words in LEAD_TEXT_LABELS.items()]
    return _modal(
        callback_id=LEAD_SURVEY_CALLBACK,
        title="Self-assessment",
        survey_id=survey_id,
        blocks=blocks,
    )


# --- reading a submission -------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyInput:
    """What a survey modal's submission says; challenge is None in the lead's own."""

    clarity: int
    skills_fit: int
    challenge: int | None
    rhythm_fit: RhythmFit
    problems: str = ""
    lead_better: str = ""
    smoother: str = ""
    other: str = ""
    show_name: bool = False


def _state(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    """One input's state: values[block][action], where the action id is the block id."""
    entry = values.get(block)
    inner = entry.get(block) if isinstance(entry, Mapping) else None
    return inner if isinstance(inner, Mapping) else {}


def _selected(values: Mapping[str, Any], block: str) -> str | None:
    """A radio group's chosen value."""
    option = _state(values, block).get("selected_option")
    if isinstance(option, Mapping) and option.get("value") is not None:
        return str(option["value"])
    return None


def _rating(values: Mapping[str, Any], block: str, errors: dict[str, str]) -> int:
    """A 1-5 rating, or 0 with an error noted."""
    chosen = _selected(values, block)
    if chosen in ("1", "2", "3", "4", "5"):
        return int(chosen)
    errors[block] = RATING_ERROR
    return 0


def _rhythm(values: Mapping[str, Any], errors: dict[str, str]) -> RhythmFit:
    """The rhythm verdict, or a placeholder with an error noted."""
    chosen = _selected(values, RHYTHM_BLOCK)
    if chosen in {fit.value for fit in RhythmFit}:
        return RhythmFit(chosen)
    errors[RHYTHM_BLOCK] = RHYTHM_ERROR
    return RhythmFit.ABOUT_RIGHT


def _text(values: Mapping[str, Any], block: str, errors: dict[str, str]) -> str:
    """A free-text answer, stripped; an error noted when too long."""
    text = str(_state(values, block).get("value") or "").strip()
    if len(text) > SURVEY_TEXT_MAX:
        errors[block] = f"Keep this under {SURVEY_TEXT_MAX:,} characters (now {len(text):,})."
    return text


def _ticked(values: Mapping[str, Any], block: str, value: str) -> bool:
    """Whether a checkbox group has `value` ticked."""
    chosen = _state(values, block).get("selected_options")
    if not isinstance(chosen, Sequence):
        return False
    return any(isinstance(o, Mapping) and o.get("value") == value for o in chosen)


def read_owner_survey(
    values: Mapping[str, Any], *, anonymity_offered: bool
) -> SurveyInput | dict[str, str]:
    """The owner's answers from view_submission state.values, or errors keyed by block id."""
    errors: dict[str, str] = {}
    clarity = _rating(values, CLARITY_BLOCK, errors)
    skills_fit = _rating(values, SKILLS_BLOCK, errors)
    challenge = _rating(values, CHALLENGE_BLOCK, errors)
    rhythm_fit = _rhythm(values, errors)
    texts = {block: _text(values, block, errors) for block in OWNER_TEXT_LABELS}
    if errors:
        return errors
    return SurveyInput(
        clarity=clarity,
        skills_fit=skills_fit,
        challenge=challenge,
        rhythm_fit=rhythm_fit,
        problems=texts[PROBLEMS_BLOCK],
        lead_better=texts[LEAD_BETTER_BLOCK],
        smoother=texts[SMOOTHER_BLOCK],
        other=texts[OTHER_BLOCK],
        show_name=_ticked(values, SHOW_NAME_BLOCK, SHOW_NAME_VALUE) or not anonymity_offered,
    )


def read_lead_survey(values: Mapping[str, Any]) -> SurveyInput | dict[str, str]:
    """The lead's self-assessment from state.values, or errors keyed by block id."""
    errors: dict[str, str] = {}
    clarity = _rating(values, CLARITY_BLOCK, errors)
    skills_fit = _rating(values, SKILLS_BLOCK, errors)
    rhythm_fit = _rhythm(values, errors)
    different = _text(values, LEAD_BETTER_BLOCK, errors)
    if errors:
        return errors
    return SurveyInput(
        clarity=clarity,
        skills_fit=skills_fit,
        challenge=None,
        rhythm_fit=rhythm_fit,
        lead_better=different,
        show_name=True,  # the lead's own answer is never anonymous
    )


def survey_id_of(private_metadata: str) -> int | None:
    """The survey id a survey modal carries, or None when the metadata is not ours."""
    return metadata_id(private_metadata, "survey_id")


# --- results --------------------------------------------------------------------------------


def _scores_line(scores: Scores) -> str:
    """'clarity 4.2 · fit 3.8 · challenge 4.0'."""
    return " · ".join(
        f"{SHORT_SCORE_NAMES[name]} {_score(getattr(scores, name))}" for name in SHORT_SCORE_NAMES
    )


def _averages_text(report: RoundReport) -> str:
    """The round's averages and rhythm counts, the lead's own ratings beside them."""
    mine = report.self_assessment
    lines = ["*Averages* (1 to 5)"]
    for name, words in SCORE_NAMES.items():
        line = f"{words}: *{_score(getattr(report.scores, name))}*"
        own = getattr(mine, name) if mine is not None and name != CHALLENGE_BLOCK else None
        if own is not None:
            line += f" (you: {own})"
        lines.append(line)
    rhythm = report.rhythm
    line = (
        f"Check-in rhythm: too often {rhythm.too_often} · about right {rhythm.about_right} · "
        f"too rare {rhythm.too_rare}"
    )
    if mine is not None and mine.rhythm_fit is not None:
        line += f" (you: {RHYTHM_WORDS[mine.rhythm_fit]})"
    lines.append(line)
    return "\n".join(lines)


def _header_text(report: RoundReport) -> str:
    """Which round, and how many answered."""
    lines = [
        f":bar_chart: Feedback on *{_clip(report.label)}* (closed {report.closed_on.isoformat()})",
        f"{report.answered + report.held_back} of {report.asked} answered.",
    ]
    if report.held_back:
        lines.append(
            f"{_plural(report.held_back, 'anonymous answer')} held back to keep "
            f"{'it' if report.held_back == 1 else 'them'} anonymous: too few people answered "
            "without their name for you to see those answers safely."
        )
    return "\n".join(lines)


def _comment_text(comment: Comment) -> str:
    """One comment: who (or 'anonymous') over the quoted text."""
    who = f"{mention(comment.author)}" if comment.author else "_anonymous_"
    return f"{who}:\n{quote(comment.text)}"


def _comment_paragraphs(comments: Sequence[Comment]) -> list[str]:
    """Comments grouped per question in survey order, each group under its heading."""
    order = list(TEXT_FIELDS) + sorted({c.question for c in comments} - set(TEXT_FIELDS))
    paragraphs: list[str] = []
    for question in order:
        group = [c for c in comments if c.question == question]
        for index, comment in enumerate(group):
            text = _comment_text(comment)
            if index == 0:
                heading = COMMENT_HEADINGS.get(question) or escape_mrkdwn(question)
                text = f"*{heading}*\n{text}"
            paragraphs.append(_cut(text, SECTION_MAX - 10))
    return paragraphs


def _pack(paragraphs: Sequence[str], room: int, sep: str = "\n\n") -> tuple[list[str], int]:
    """Paragraphs packed into at most `room` sections; the sections and how many didn't fit."""
    sections: list[str] = []
    for shown, paragraph in enumerate(paragraphs):
        if sections and len(sections[-1]) + len(sep) + len(paragraph) <= SECTION_MAX:
            sections[-1] += sep + paragraph
        elif len(sections) < room:
            sections.append(paragraph)
        else:
            return sections, len(paragraphs) - shown
    return sections, 0


def _trend_text(report: RoundReport, previous: Sequence[RoundReport]) -> str | None:
    """This round's averages beside up to three earlier rounds', newest first."""
    earlier = sorted(previous, key=lambda r: r.closed_on, reverse=True)[:TREND_ROUNDS]
    if not earlier:
        return None
    lines = ["*Trend*", f"This round: {_scores_line(report.scores)}"]
    lines += [
        f"{_clip(r.label, 150)} ({r.closed_on.isoformat()}): {_scores_line(r.scores)}"
        for r in earlier
    ]
    return "\n".join(lines)


def _measures_text(measures: LeadMeasures, heading: str) -> str:
    """The lead's measures, one per line."""
    return "\n".join(
        [
            f"*{heading}*",
            f"Delegations approved: {measures.delegations} · completed: {measures.completed}",
            f"Done on time: {_percent(measures.on_time_rate)}",
            f"Brief to approval (median): {_duration(measures.median_to_approval)}",
            f"Check-ins answered: {_percent(measures.checkin_answer_rate)}",
            f"At risk or blocked at some point: {_percent(measures.at_risk_share)}",
        ]
    )


def results_message(
    *,
    lead_id: str,
    report: RoundReport,
    previous: Sequence[RoundReport],
    measures: LeadMeasures,
) -> dict[str, Any]:
    """chat.postMessage arguments for a round's results in the lead's DM."""
    head: list[Block] = [
        SectionBlock(text=_header_text(report)),
        SectionBlock(text=_averages_text(report)),
    ]
    mine = report.self_assessment
    if mine is not None and mine.lead_better:
        head.append(
            SectionBlock(
                text=_cut(
                    f"*What you said you would do differently*\n{quote(mine.lead_better)}",
                    SECTION_MAX,
                )
            )
        )
    tail: list[Block] = []
    trend = _trend_text(report, previous)
    if trend:
        tail.append(SectionBlock(text=trend))
    tail.append(SectionBlock(text=_measures_text(measures, "Your measures")))
    room = MESSAGE_BLOCKS_MAX - len(head) - len(tail) - 1  # one left for "N more"
    sections, left_out = _pack(_comment_paragraphs(report.comments), room)
    comments: list[Block] = [SectionBlock(text=text) for text in sections]
    if left_out:
        comments.append(
            _context(f"... {_plural(left_out, 'more comment')}: /delegate export has them all")
        )
    elif not report.comments:
        comments.append(_context("No written comments this round."))
    fallback = f"Feedback on {_clip(report.label)}: {report.answered} of {report.asked} answered"
    return {
        "channel": lead_id,
        "text": fallback,
        "blocks": _blocks(head + comments + tail),
    }


def _round_line(report: RoundReport) -> str:
    """One round in /delegate feedback."""
    line = (
        f"• *{_clip(report.label, 150)}* ({report.closed_on.isoformat()}): "
        f"{report.answered + report.held_back} of {report.asked} answered · "
        f"{_scores_line(report.scores)}"
    )
    if report.held_back:
        line += f" · {report.held_back} held back"
    return line


def feedback_summary(
    *, reports: Sequence[RoundReport], measures: LeadMeasures, days: int
) -> dict[str, Any]:
    """Ephemeral answer to /delegate feedback: measures, overall averages, recent rounds."""
    blocks: list[Block] = [
        SectionBlock(text=_measures_text(measures, f"Your measures, last {days} days"))
    ]
    if not reports:
        text = (
            "No feedback yet. It arrives after a round closes: when you close a project "
            "(`/delegate project close`) or accept a task outside any project, the people "
            "who did the work get a 2-minute survey and you a self-assessment. When the "
            "survey closes, the results come to you in a DM and show up here."
        )
        blocks.append(SectionBlock(text=text))
        return {"text": text, "blocks": _blocks(blocks)}
    overall = overall_scores(reports)
    answers = sum(r.answered for r in reports)
    blocks.append(
        SectionBlock(
            text=f"*Overall* ({_plural(len(reports), 'round')}, {_plural(answers, 'answer')}): "
            f"{_scores_line(overall)}"
        )
    )
    recent = sorted(reports, key=lambda r: r.closed_on, reverse=True)
    lines = [_round_line(r) for r in recent[:SUMMARY_ROUNDS]]
    blocks.append(SectionBlock(text=_cut("*Recent rounds*\n" + "\n".join(lines), SECTION_MAX)))
    if len(recent) > SUMMARY_ROUNDS:
        blocks.append(
            _context(
                f"and {_plural(len(recent) - SUMMARY_ROUNDS, 'earlier round')}: "
                "/delegate export has them all"
            )
        )
    text = f"Your feedback: {_plural(len(reports), 'round')}, overall {_scores_line(overall)}"
    return {"text": text, "blocks": _blocks(blocks)}


# --- closing a project ----------------------------------------------------------------------


def _survey_sentence(owners: int) -> str:
    """Who gets the survey when the project closes."""
    if owners <= 0:
        return "Nobody has worked on its tasks, so no feedback survey goes out."
    people = "1 person who worked on it" if owners == 1 else f"{owners} people who worked on it"
    return f"{people} will get the feedback survey, and you a self-assessment."


def project_close_prompt(
    *, project_id: int, name: str, open_tasks: Sequence[tuple[str, str, str]], owners: int
) -> dict[str, Any]:
    """Ephemeral question before closing a project: what is still open, who gets surveyed."""
    question = f"Close project *{_clip(name)}*?"
    blocks: list[Block] = [SectionBlock(text=question)]
    if open_tasks:
        lines = [
            f"• {_clip(title, 200)}, {mention(owner)}, {_clip(state, 100)}"
            for title, owner, state in open_tasks[:CLOSE_TASKS_SHOWN]
        ]
        if len(open_tasks) > CLOSE_TASKS_SHOWN:
            lines.append(f"and {len(open_tasks) - CLOSE_TASKS_SHOWN} more")
        intro = (
            f"*Still open* ({len(open_tasks)}): closing the project doesn't stop them; "
            "they keep running with their check-ins."
        )
        sections, _ = _pack([intro, *lines], CLOSE_TASKS_SHOWN + 2, sep="\n")
        blocks += [SectionBlock(text=section) for section in sections]
    else:
        blocks.append(SectionBlock(text="No tasks are still open."))
    blocks.append(SectionBlock(text=_survey_sentence(owners)))
    value = str(project_id)
    blocks.append(
        ActionsBlock(
            block_id=f"project_close_{project_id}",
            elements=[
                ButtonElement(
                    text="Close project",
                    action_id=PROJECT_CLOSE_ACTION,
                    value=value,
                    style="primary",
                    confirm=ConfirmObject(
                        title="Close this project?",
                        text=f"*{_clip(name, 200)}* closes now. {_survey_sentence(owners)}",
                        confirm="Close it",
                        deny="Keep it open",
                    ),
                ),
                ButtonElement(text="Cancel", action_id=PROJECT_CANCEL_ACTION, value=value),
            ],
        )
    )
    return {"text": f"Close project {_clip(name)}?", "blocks": _blocks(blocks)}


def project_closed_text(*, name: str, surveyed: int) -> str:
    """What the close prompt says once the project is closed."""
    closed = f":white_check_mark: Project *{_clip(name)}* is closed."
    if surveyed <= 0:
        return f"{closed} Nobody worked on its tasks, so no feedback survey went out."
    people = "1 person" if surveyed == 1 else f"{surveyed} people"
    return (
        f"{closed} {people} got the feedback survey, and you a self-assessment. "
        "The results come to you in a DM when the survey closes."
    )


def project_close_cancelled_text(name: str) -> str:
    """What the close prompt says when the lead cancels."""
    return f"OK, project *{_clip(name)}* stays open."
