"""`/delegate export`: the lead's delegations, feedback and measures as CSV files."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from bot.domain.export import SURVEY_COLUMNS, csv_text, survey_rows
from bot.domain.feedback import round_report
from bot.domain.types import CheckinAnswer
from bot.runtime import Runtime
from bot.services.common import Refusal
from bot.services.feedback import lead_rounds, measures_of, threshold_of
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Task

# Every column of the tasks table, in table order, with ids of people and project replaced
# by what a reader recognises; then the health history counts.
_REPLACED = {"team_id", "lead_id", "owner_id", "project_id"}
TASK_COLUMNS: tuple[str, ...] = (
    "id",
    "project",
    "lead",
    "owner",
    *(c.key for c in Task.__table__.columns if c.key not in _REPLACED | {"id"}),
    *(f"{answer.value}_answers" for answer in CheckinAnswer),
)
MEASURE_COLUMNS: tuple[str, ...] = (
    "lead",
    "delegations",
    "completed",
    "on_time_rate",
    "median_brief_to_approval",
    "checkin_answer_rate",
    "at_risk_share",
    "avg_clarity",
    "avg_skills_fit",
    "avg_challenge",
)


@dataclass(frozen=True)
class ExportFile:
    """One CSV to upload."""

    filename: str
    title: str
    content: str


def export_files(*, runtime: Runtime, team_id: str, user_id: str) -> list[ExportFile] | Refusal:
    """The caller's tasks as lead, their feedback (anonymity kept) and measures, as CSVs."""
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=team_id, slack_user_id=user_id)
        tasks = (
            list(
                session.scalars(
                    sa.select(Task)
                    .where(Task.team_id == team_id, Task.lead_id == lead.id)
                    .options(
                        joinedload(Task.owner), joinedload(Task.lead), joinedload(Task.project)
                    )
                    .order_by(Task.created_at, Task.id)
                ).unique()
            )
            if lead is not None
            else []
        )
        if lead is None or not tasks:
            return Refusal(
                "You haven't delegated anything yet, so there is nothing to export. "
                "Start with `/delegate`."
            )
        counts = repo.health_counts(
            session=session, team_id=team_id, task_ids=[t.id for t in tasks]
        )
        task_rows = []
        for task in tasks:
            row: dict[str, object] = {
                c.key: getattr(task, c.key)
                for c in Task.__table__.columns
                if c.key not in _REPLACED
            }
            row.update(
                project=task.project.name if task.project else None,
                lead=task.lead.slack_user_id,
                owner=task.owner.slack_user_id,
            )
            for answer in CheckinAnswer:
                row[f"{answer.value}_answers"] = counts[task.id].get(answer, 0)
            task_rows.append(row)
        threshold = threshold_of(runtime, session, team_id)
        rounds = lead_rounds(runtime, session, team_id, lead)
        reports = [round_report(r, threshold) for r in rounds]
        measures = measures_of(runtime, session, team_id, lead, reports)
        measure_row: dict[str, object] = {
            "lead": user_id,
            "delegations": measures.delegations,
            "completed": measures.completed,
            "on_time_rate": measures.on_time_rate,
            "median_brief_to_approval": measures.median_to_approval,
            "checkin_answer_rate": measures.checkin_answer_rate,
            "at_risk_share": measures.at_risk_share,
            "avg_clarity": measures.scores.clarity,
            "avg_skills_fit": measures.scores.skills_fit,
            "avg_challenge": measures.scores.challenge,
        }
        day = runtime.clock().date().isoformat()
        return [
            ExportFile(
                f"delegations-{day}.csv", "Your delegations", csv_text(TASK_COLUMNS, task_rows)
            ),
            ExportFile(
                f"feedback-{day}.csv",
                "Feedback on your delegations",
                csv_text(SURVEY_COLUMNS, survey_rows(rounds, threshold)),
            ),
            ExportFile(
                f"measures-{day}.csv",
                "Your delegation measures",
                csv_text(MEASURE_COLUMNS, [measure_row]),
            ),
        ]
