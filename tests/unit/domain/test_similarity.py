from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.similarity import (
    CHECKED_FIELDS,
    COPY_THRESHOLD,
    MIN_WORDS,
    NGRAM,
    FieldProblem,
    brief_text_of,
    check_restatement,
    containment,
    normalise,
    shingles,
)


@dataclass(frozen=True)
class Brief:
    """A lead's brief, with the free-text fields the comparison uses."""

    title: str
    goal: str
    expectations: str
    non_negotiables: str
    freedoms: str
    risks: str

    def text(self) -> str:
        return brief_text_of(
            self.title,
            self.goal,
            self.expectations,
            self.non_negotiables,
            self.freedoms,
            self.risks,
        )

    def pasted(self) -> dict[str, str]:
        """The restatement of an owner who pastes the brief into the three boxes."""
        return {
            "what": f"{self.title}. {self.expectations}",
            "how": f"{self.non_negotiables} {self.freedoms}",
            "why": self.goal,
        }


@dataclass(frozen=True)
class Case:
    """One brief and three restatements of it; the verbatim copy is derived."""

    name: str
    brief: Brief
    edited: dict[str, str]
    rephrased: dict[str, str]
    short: dict[str, str]

    def restatement(self, kind: str) -> dict[str, str]:
        if kind == "verbatim":
            return self.brief.pasted()
        restatement: dict[str, str] = getattr(self, kind)
        return restatement


def _r(what: str, how: str, why: str) -> dict[str, str]:
    return {"what": what, "how": how, "why": why}


CORPUS: tuple[Case, ...] = (
    Case(
        name="renewal deck",
        brief=Brief(
            title="Acme Corp renewal deck for the March steering committee",
            goal=(
                "Acme's contract ends on 31 March and their procurement team is comparing us "
                "with Northwind. We need them to renew for three years at the current price, "
                "because Acme is 14% of the region's recurring revenue and a reference account "
                "for two open deals."
            ),
            expectations=(
                "A 12-slide deck that shows the value Acme got this year: hours saved in their "
                "support team, the adoption figures per business unit, and the three roadmap "
                "items they asked for with delivery dates. Dana must be able to present it "
                "without notes. Done when Dana and the account director have signed it off."
            ),
            non_negotiables=(
                "No discount beyond what finance already approved. Every number must come from "
                "the usage dashboard, not from estimates. Nothing about the roadmap that product "
                "has not confirmed in writing."
            ),
            freedoms=(
                "You choose the story, the order of slides and the visual style. You can "
                "interview anyone on their side who is willing to talk."
            ),
            risks=(
                "Their new CFO may push for a one-year term. If the usage numbers for the "
                "logistics unit stay low, Northwind will use that against us."
            ),
        ),
        edited=_r(
            what=(
                "I will build a 12-slide deck showing the value Acme got this year: hours saved "
                "by their support team, adoption figures per business unit, and the three "
                "roadmap items they asked for with delivery dates. Dana should be able to "
                "present it without notes. It is done when Dana and the account director sign "
                "it off."
            ),
            how=(
                "I will choose the story, the order of the slides and the visual style, and "
                "interview anyone on their side who is willing to talk. No discount beyond what "
                "finance has already approved. Every number will come from the usage dashboard, "
                "not estimates, and nothing on the roadmap that product has not confirmed in "
                "writing."
            ),
            why=(
                "Acme is 14% of the region's recurring revenue and a reference account for two "
                "open deals. Their contract ends on 31 March and procurement is comparing us "
                "with Northwind, so we need them to renew for three years at the current price."
            ),
        ),
        rephrased=_r(
            what=(
                "A short deck, about a dozen slides, that Dana can walk the Acme steering group "
                "through on her own. It tells them what they actually got out of us in the last "
                "year, in their numbers, and when the features they requested will land. Dana "
                "and the account director approve the final version."
            ),
            how=(
                "I'll start from the usage dashboard and pull real figures per business unit, "
                "then talk to their support lead about time saved. Pricing stays within what "
                "finance signed off, and I'll only mention roadmap dates that product has put "
                "in writing. I'll draft the storyline first and share it before designing "
                "anything."
            ),
            why=(
                "Losing Acme would hurt: they're a big slice of the region's revenue and two "
                "prospects are calling them as a reference. Northwind is circling, so a clear "
                "value story is how we keep them on a multi-year deal without cutting price."
            ),
        ),
        short=_r(
            what="A value deck Dana can present alone.",
            how="Real dashboard numbers, storyline reviewed with you first.",
            why="Keep Acme on a multi-year deal, price unchanged.",
        ),
    ),
    Case(
        name="QBR prep",
        brief=Brief(
            title="Prepare the Q3 business review with Globex",
            goal=(
                "Globex's quarterly business review is on 14 October with their VP of "
                "Operations. We want to use it to agree on a success plan for next year and to "
                "open the conversation about the analytics add-on, because their usage has "
                "plateaued and the account has had no executive contact since the spring."
            ),
            expectations=(
                "An agenda sent to Globex a week before, a slide pack with their ticket trends, "
                "SLA performance and open escalations, and a one-page success plan draft with "
                "three measurable goals for next year. A dry run with me two days before the "
                "meeting."
            ),
            non_negotiables=(
                "Open escalations are shown honestly, including the two we missed SLA on. Do not "
                "promise custom development."
            ),
            freedoms=(
                "You decide who from our side attends besides me and you. You can drop any "
                "section of the usual QBR template that does not serve this meeting."
            ),
            risks=(
                "Their VP may cancel at short notice as she did in July. The missed SLAs could "
                "dominate the meeting if we do not address them first."
            ),
        ),
        edited=_r(
            what=(
                "An agenda sent to Globex one week before, a slide pack with their ticket "
                "trends, SLA performance and open escalations, and a one-page success plan "
                "draft with three measurable goals for next year. I will do a dry run with you "
                "two days before the meeting."
            ),
            how=(
                "I will show open escalations honestly, including the two where we missed SLA, "
                "and will not promise custom development. I can drop any section of the usual "
                "QBR template that does not serve the meeting and decide who from our side "
                "attends besides you and me."
            ),
            why=(
                "The Globex quarterly business review is on 14 October with their VP of "
                "Operations. We want to agree a success plan for next year and open the "
                "conversation about the analytics add-on, because their usage has plateaued "
                "and there has been no executive contact since spring."
            ),
        ),
        rephrased=_r(
            what=(
                "Everything Globex needs for the October review: the agenda in their inbox a "
                "week ahead, slides on their ticket trends, SLA performance and the open "
                "escalations, and a draft plan for next year with three goals they can measure. "
                "We rehearse together two days out."
            ),
            how=(
                "I'll lead with the two SLA misses and what we changed, so they don't hijack "
                "the session later. Then the trends, then the plan. I'll trim the standard "
                "template hard and keep custom work off the table. I'll confirm the VP's "
                "attendance the week before and have a backup date ready."
            ),
            why=(
                "Globex has gone quiet: usage is flat and no one senior has spoken to them in "
                "months. This review is our chance to reset the relationship at the top and "
                "set up the analytics conversation before renewal season."
            ),
        ),
        short=_r(
            what="October review agenda, slides and next-year plan.",
            how="Address the SLA misses first, rehearse with you.",
            why="Usage is flat and we lack senior contact.",
        ),
    ),
    Case(
        name="churn-risk analysis",
        brief=Brief(
            title="Churn-risk analysis of the mid-market book",
            goal=(
                "Gross revenue retention in mid-market fell from 92% to 86% over the last two "
                "quarters. Leadership needs to know which accounts are likely to leave before "
                "renewal and why, so that we can put customer success managers on the right "
                "accounts before the January planning cycle."
            ),
            expectations=(
                "A ranked list of the 40 accounts with the highest churn risk, with the top "
                "three risk signals for each, and a short memo explaining the method and its "
                "limits. The list must be reproducible from the data warehouse by someone else. "
                "Done when the VP of Customer Success has reviewed it with you."
            ),
            non_negotiables=(
                "Use only data we are allowed to use under our customer agreements. No customer "
                "names leave the customer success team."
            ),
            freedoms=(
                "Choose the signals and the scoring method. A simple weighted score is fine if "
                "you can explain it."
            ),
            risks=(
                "Product usage data for accounts on the old platform is incomplete. Account "
                "managers may disagree with the ranking for accounts they know well."
            ),
        ),
        edited=_r(
            what=(
                "I will deliver a ranked list of the 40 accounts with the highest risk of churn, "
                "with the top three risk signals for each one, and a short memo that explains "
                "the method and its limits. It must be reproducible from the data warehouse by "
                "someone else. Done when the VP of Customer Success has reviewed it with me."
            ),
            how=(
                "I will choose the signals and the scoring method; a simple weighted score is "
                "fine as long as I can explain it. I will only use data we are allowed to use "
                "under our customer agreements, and no customer names will leave the customer "
                "success team."
            ),
            why=(
                "Gross revenue retention in mid-market dropped from 92% to 86% over the last "
                "two quarters. Leadership needs to know which accounts are likely to leave "
                "before renewal, and why, so we can put customer success managers on the right "
                "accounts before January planning."
            ),
        ),
        rephrased=_r(
            what=(
                "A list of the forty mid-market customers most likely not to renew, ordered by "
                "risk, each with the main reasons we think so. Alongside it, a two-page note on "
                "how I scored them and where the scoring is weak. Anyone with warehouse access "
                "should be able to rerun it. We go through it with the VP of Customer Success "
                "together."
            ),
            how=(
                "I'll pull logins, ticket volume, sponsor changes and payment delays from the "
                "warehouse, weight them in a transparent score, and check the result against "
                "accounts we lost last year. Where usage data from the old platform is missing "
                "I'll flag it rather than guess. Names stay inside the CS team."
            ),
            why=(
                "Retention has slipped six points in half a year. If we know early which "
                "customers are wobbling, CSMs can spend their time where it saves revenue, and "
                "January planning can be built on facts rather than hunches."
            ),
        ),
        short=_r(
            what="Top forty at-risk accounts, with reasons and method.",
            how="Transparent score from warehouse data, checked against past losses.",
            why="Retention dropped; CSMs need to focus early.",
        ),
    ),
    Case(
        name="onboarding plan",
        brief=Brief(
            title="Onboarding plan for Initech after signature",
            goal=(
                "Initech signed a 500-seat contract last week. The first 90 days decide whether "
                "they expand to the other two divisions, so onboarding has to get their support "
                "agents productive quickly and show their sponsor early wins."
            ),
            expectations=(
                "A 90-day onboarding plan with weekly milestones, owners on both sides, training "
                "sessions for 500 agents in three time zones, and a success review at day 30, 60 "
                "and 90. The plan is agreed with Initech's project lead and shared in the "
                "customer channel."
            ),
            non_negotiables=(
                "Go-live for the first team no later than day 21. Single sign-on must be working "
                "before any training starts."
            ),
            freedoms=(
                "You pick the training format (live, recorded or mixed) and which team goes "
                "live first."
            ),
            risks=(
                "Their IT team is stretched and SSO may slip. Agents in the Manila office work "
                "night shifts, which makes live training hard."
            ),
        ),
        edited=_r(
            what=(
                "I will write a 90-day onboarding plan with weekly milestones, owners on both "
                "sides, training sessions for the 500 agents across three time zones, and a "
                "success review at days 30, 60 and 90. The plan will be agreed with Initech's "
                "project lead and shared in the customer channel."
            ),
            how=(
                "I will pick which team goes live first and the training format (live, "
                "recorded or mixed). Single sign-on must be working before any training starts, "
                "and go-live for the first team happens no later than day 21."
            ),
            why=(
                "Initech signed a 500-seat contract last week. The first 90 days decide whether "
                "they expand to their other two divisions, so onboarding must get their support "
                "agents productive fast and show their sponsor early wins."
            ),
        ),
        rephrased=_r(
            what=(
                "A three-month rollout schedule for Initech, broken into weekly steps, with a "
                "named person on their side and ours for each step. It covers how all 500 "
                "agents get trained wherever they sit, and checkpoints with their sponsor after "
                "the first, second and third month. Their project lead signs off on it before I "
                "post it in the shared channel."
            ),
            how=(
                "SSO must be working before any training starts, so I'll get it tested in week "
                "one with their IT lead. The pilot team will be the Austin group, who are keen, "
                "so we have a live team within three weeks. Manila gets recorded modules plus "
                "one live Q&A timed for their night shift."
            ),
            why=(
                "If the first three months go well, Initech is likely to roll us out to the rest "
                "of the company. Fast, visible results for their sponsor are what earns that."
            ),
        ),
        short=_r(
            what="Week-by-week rollout schedule with owners both sides.",
            how="SSO first, Austin pilot, recorded training for Manila.",
            why="Early wins earn the wider company rollout.",
        ),
    ),
    Case(
        name="pricing proposal",
        brief=Brief(
            title="Pricing proposal for Umbrella Health expansion",
            goal=(
                "Umbrella Health wants to add 1,200 clinicians and the premium analytics module. "
                "We need a proposal that wins the expansion at a margin of at least 65% and does "
                "not set a price precedent for other healthcare accounts."
            ),
            expectations=(
                "Two pricing options in the standard proposal template, each with a three-year "
                "total, a ramp schedule, and the discount justified against volume. Approved by "
                "deal desk before it goes to the customer. Due before their budget meeting on "
                "3 June."
            ),
            non_negotiables=(
                "No per-seat price below the healthcare floor. No unlimited usage clauses."
            ),
            freedoms=(
                "You may offer a ramp over up to 12 months and bundle onboarding services if "
                "that helps."
            ),
            risks=(
                "Their procurement lead has a quote from a competitor at a lower per-seat price. "
                "Deal desk is slow at quarter end."
            ),
        ),
        edited=_r(
            what=(
                "I will prepare two pricing options in the standard proposal template, each with "
                "a three-year total, a ramp schedule, and the discount justified against volume. "
                "Deal desk approves it before it goes to the customer, due ahead of their budget "
                "meeting on 3 June."
            ),
            how=(
                "I may offer a ramp over up to 12 months and bundle the onboarding services if "
                "that helps. No per-seat price below the healthcare floor, and no unlimited "
                "usage clauses."
            ),
            why=(
                "Umbrella Health wants to add 1,200 clinicians plus the premium analytics "
                "module. We need a proposal that wins this expansion at a margin of at least 65% "
                "without setting a price precedent for our other healthcare accounts."
            ),
        ),
        rephrased=_r(
            what=(
                "Two priced offers for Umbrella Health's growth, written up in our usual "
                "proposal format. Each shows what they'd pay over three years, how the price "
                "steps up as clinicians come on board, and why the discount is fair for the "
                "volume. Deal desk signs off, and it reaches Umbrella before their June budget "
                "meeting."
            ),
            how=(
                "I'll model both options in the margin calculator first so neither drops under "
                "65%, then check them against the healthcare price floor. I'll use a phased ramp "
                "and onboarding bundle as the levers instead of cutting the seat price, and book "
                "deal desk time now because quarter end clogs their queue."
            ),
            why=(
                "This is a big expansion and a competitor is undercutting us. Winning it "
                "profitably matters, but so does not handing other hospital customers a lower "
                "price to point at."
            ),
        ),
        short=_r(
            what="Two three-year offers for Umbrella, deal-desk approved.",
            how="Use ramp and bundle, protect seat price.",
            why="Win profitably without undercutting other hospitals.",
        ),
    ),
    Case(
        name="incident post-mortem",
        brief=Brief(
            title="Customer-facing post-mortem for the Hooli outage",
            goal=(
                "On 9 May Hooli's agents could not log in for four hours because of our "
                "certificate rotation error. Hooli's CIO has asked for a written account. A "
                "clear, honest post-mortem is the best chance to keep their trust ahead of the "
                "renewal in September."
            ),
            expectations=(
                "A written post-mortem for Hooli with a timeline, root cause, customer impact, "
                "what we have fixed and what we will change, with dates. Reviewed by engineering "
                "and legal. Sent to their CIO within ten working days of the incident."
            ),
            non_negotiables=(
                "No blame on individuals. Nothing that engineering has not verified. Legal "
                "reviews the wording on service credits."
            ),
            freedoms=(
                "You decide the tone and the level of technical detail, and whether to offer a "
                "call to walk through it."
            ),
            risks=(
                "Engineering's internal review may not finish in time. Their CIO may escalate "
                "to our CEO if the document reads as defensive."
            ),
        ),
        edited=_r(
            what=(
                "I will write a post-mortem for Hooli with the timeline, root cause, customer "
                "impact, what we have fixed and what we will change, with dates. It will be "
                "reviewed by engineering and legal and sent to their CIO within ten working "
                "days of the incident."
            ),
            how=(
                "I will decide the tone and the level of technical detail, and whether to offer "
                "a call to walk through it. No blame on individuals, nothing engineering has not "
                "verified, and legal reviews the wording on service credits."
            ),
            why=(
                "On 9 May Hooli's agents could not log in for four hours because of our "
                "certificate rotation error. Their CIO asked for a written account, and a clear, "
                "honest post-mortem is our best chance to keep their trust before the September "
                "renewal."
            ),
        ),
        rephrased=_r(
            what=(
                "An incident report addressed to Hooli's CIO explaining the May login outage: "
                "what happened hour by hour, why it happened, how it affected their agents, what "
                "is already repaired and which changes are coming and when. Engineering checks "
                "the facts, legal checks the credit language, and it goes out by the tenth "
                "working day."
            ),
            how=(
                "No blame on individuals: I'll describe failures in terms of systems and "
                "process, write in plain language with a technical appendix, and only include "
                "findings engineering has confirmed. I'll chase the internal review daily so "
                "we don't miss the deadline, and offer their CIO a walkthrough call."
            ),
            why=(
                "Four hours without access is a serious breach of trust, and Hooli renews in "
                "September. How candidly we own the mistake now will shape whether they stay."
            ),
        ),
        short=_r(
            what="Honest outage report for Hooli's CIO, on time.",
            how="Plain language, verified facts, no personal blame.",
            why="Rebuild trust before their September renewal.",
        ),
    ),
    Case(
        name="RFP answer",
        brief=Brief(
            title="Answer the Stark Industries RFP for customer support software",
            goal=(
                "Stark Industries is replacing its support platform across 3,000 agents and we "
                "are one of four vendors invited. Winning would make it the largest account in "
                "the manufacturing segment, and the RFP answer is the first filter."
            ),
            expectations=(
                "Complete answers to all 212 questions in their portal, the security "
                "questionnaire filled in with the security team, and an executive summary of no "
                "more than two pages. Submitted by noon Central time on 20 February."
            ),
            non_negotiables=(
                "Answer every question truthfully: if we do not support something, say so and "
                "say what we offer instead. Pricing only from the approved price book."
            ),
            freedoms=(
                "Reuse answers from the content library as you see fit. You choose which "
                "customer references to cite, with their permission."
            ),
            risks=(
                "The security questionnaire usually takes a week and the security team is "
                "short-staffed. Portal uploads sometimes fail close to the deadline."
            ),
        ),
        edited=_r(
            what=(
                "I will deliver complete answers to all 212 questions in their portal, the "
                "security questionnaire filled in with the security team, and an executive "
                "summary of no more than two pages, submitted by noon Central time on 20 "
                "February."
            ),
            how=(
                "I will reuse answers from the content library as I see fit and choose which "
                "customer references to cite, with their permission. Every question gets a "
                "truthful answer: if we do not support something, I say so and say what we "
                "offer instead. Pricing comes only from the approved price book."
            ),
            why=(
                "Stark Industries is replacing its support platform across 3,000 agents and we "
                "are one of four invited vendors. Winning would make them our largest account "
                "in the manufacturing segment, and the RFP answer is the first filter."
            ),
        ),
        rephrased=_r(
            what=(
                "Stark's full RFP response: every one of the 212 portal questions answered, the "
                "security section done jointly with our security team, and a tight executive "
                "summary of two pages at most. It is uploaded before their deadline at midday "
                "Central on 20 February."
            ),
            how=(
                "I'll split the questions by theme, draft from the content library, and flag "
                "gaps honestly with our alternative. The security questionnaire starts on day "
                "one because it is the long pole. I'll ask two manufacturing customers to act as "
                "references and aim to upload a day early in case the portal misbehaves."
            ),
            why=(
                "A deal this size would be the biggest we have in manufacturing, and a weak "
                "written response gets us cut before we ever present. Getting past the first "
                "round is the whole game here."
            ),
        ),
        short=_r(
            what="Full Stark RFP response plus two-page summary.",
            how="Start security early, upload a day ahead.",
            why="Biggest manufacturing deal; the response decides the shortlist.",
        ),
    ),
    Case(
        name="executive sponsor map",
        brief=Brief(
            title="Executive sponsor map for Wayne Enterprises",
            goal=(
                "Our only senior contact at Wayne Enterprises, the COO, leaves at the end of the "
                "quarter. Without a new executive sponsor the renewal next year is exposed, and "
                "we cannot grow into their finance and HR departments."
            ),
            expectations=(
                "A map of the 15 to 20 people who influence buying decisions at Wayne, with "
                "their role, their view of us, and who on our side has a relationship with them. "
                "A plan to win a new executive sponsor before the COO leaves, with named actions "
                "and owners. Reviewed with the account team on Friday."
            ),
            non_negotiables=(
                "No outreach to their executives until the plan is agreed. Personal notes stay "
                "factual and professional."
            ),
            freedoms=(
                "Use LinkedIn, our CRM, and conversations with anyone at Wayne you already know."
            ),
            risks=(
                "The COO's successor may not be named in time. Their CFO had a poor experience "
                "with our billing last year."
            ),
        ),
        edited=_r(
            what=(
                "I will produce a map of the 15 to 20 people who influence buying decisions at "
                "Wayne, with their role, their view of us and who on our side has a relationship "
                "with them, and a plan with named actions and owners to win a new executive "
                "sponsor before the COO leaves. Reviewed with the account team on Friday."
            ),
            how=(
                "I will use LinkedIn, our CRM and conversations with anyone at Wayne I already "
                "know. There will be no outreach to their executives until the plan is agreed, "
                "and personal notes will stay factual and professional."
            ),
            why=(
                "The COO, our only senior contact at Wayne Enterprises, leaves at the end of the "
                "quarter. Without a new executive sponsor next year's renewal is exposed and we "
                "cannot grow into their finance and HR departments."
            ),
        ),
        rephrased=_r(
            what=(
                "A picture of who really decides things at Wayne: roughly twenty names with their "
                "job, whether they like us, and which of our people knows them. Then a concrete "
                "plan, with a person and a date against each step, for landing a new senior "
                "champion before the COO goes. I'll bring it to Friday's account meeting."
            ),
            how=(
                "I'll start from the CRM contact history and LinkedIn, then have quiet "
                "conversations with the managers we already work with to fill in the gaps. "
                "Nobody contacts their leadership until you and the team have agreed the "
                "approach. I'll keep the notes factual, since they may be shared."
            ),
            why=(
                "When the COO leaves we'll have no one senior at Wayne, which puts next year's "
                "renewal at risk and blocks any expansion beyond the current department."
            ),
        ),
        short=_r(
            what="Influence map of Wayne plus a sponsor plan.",
            how="CRM, LinkedIn, and quiet talks with existing contacts.",
            why="Our only senior contact is leaving soon.",
        ),
    ),
    Case(
        name="expansion business case",
        brief=Brief(
            title="Business case for Soylent's move to the enterprise plan",
            goal=(
                "Soylent's support team has outgrown the professional plan and keeps hitting "
                "automation limits. Moving them to the enterprise plan would double the contract "
                "value, but their finance director will only approve it with a business case in "
                "their own numbers."
            ),
            expectations=(
                "A business case of two to three pages using Soylent's own ticket volumes and "
                "staffing costs, showing payback within 12 months, plus a spreadsheet their "
                "finance team can audit. Shared with their support director first, then finance."
            ),
            non_negotiables=(
                "Every assumption is sourced and marked as theirs or ours. Do not overstate "
                "automation savings beyond what similar customers achieved."
            ),
            freedoms=(
                "You choose the structure and whether to include a customer story from a similar "
                "company."
            ),
            risks=(
                "Their ticket data export may be incomplete. The finance director is sceptical "
                "of vendor-built ROI models."
            ),
        ),
        edited=_r(
            what=(
                "I will write a two to three page business case using Soylent's own ticket "
                "volumes and staffing costs, showing payback within 12 months, plus a "
                "spreadsheet their finance team can audit. I will share it with their support "
                "director first and then finance."
            ),
            how=(
                "I choose the structure and whether to include a customer story from a similar "
                "company. Every assumption will be sourced and marked as theirs or ours, and I "
                "will not overstate the automation savings beyond what similar customers "
                "achieved."
            ),
            why=(
                "Soylent's support team has outgrown the professional plan and keeps running "
                "into automation limits. Moving to the enterprise plan would double the contract "
                "value, but their finance director only approves it with a business case in "
                "their own numbers."
            ),
        ),
        rephrased=_r(
            what=(
                "A short written case, under three pages, built on Soylent's real ticket counts "
                "and what their agents cost, that shows the upgrade pays for itself inside a "
                "year. It comes with a workbook their finance people can check line by line. "
                "Their head of support sees it before finance does."
            ),
            how=(
                "I'll get the ticket export early and sanity-check it against their monthly "
                "reports. Savings estimates will be capped at what comparable customers have "
                "really seen, and each input will say where it came from. I'll probably add a "
                "short example from a company of similar size."
            ),
            why=(
                "They are already bumping into the ceiling of their current plan, and the "
                "upgrade would double what the account is worth. Their finance director doesn't "
                "trust vendor maths, so the case has to stand on their data."
            ),
        ),
        short=_r(
            what="Upgrade case on Soylent's data, with audit workbook.",
            how="Conservative savings, every input sourced, support director first.",
            why="They hit plan limits; upgrade doubles account value.",
        ),
    ),
    Case(
        name="account handover",
        brief=Brief(
            title="Handover of the Cyberdyne account to Priya",
            goal=(
                "Cyberdyne's CSM is moving to the enterprise team next month and Priya takes "
                "over. Cyberdyne has had three CSMs in two years and complained about repeating "
                "themselves, so the handover must be seamless and visible to them."
            ),
            expectations=(
                "A handover document with account history, open issues, stakeholders, "
                "commitments we made and upcoming dates, and a joint introduction call with "
                "Cyberdyne's main contacts. Priya confirms she has everything she needs before "
                "the old CSM leaves."
            ),
            non_negotiables=(
                "Every open commitment to Cyberdyne is listed with a date. The customer hears "
                "about the change from us before the end of this month."
            ),
            freedoms="You decide the format of the document and how to run the introduction call.",
            risks=(
                "Some commitments were made by email and are not in the CRM. Cyberdyne's main "
                "contact is on leave for two weeks."
            ),
        ),
        edited=_r(
            what=(
                "I will prepare a handover document with the account history, open issues, "
                "stakeholders, commitments we made and upcoming dates, and set up a joint "
                "introduction call with Cyberdyne's main contacts. Priya will confirm she has "
                "everything she needs before the old CSM leaves."
            ),
            how=(
                "I decide the format of the document and how to run the introduction call. "
                "Every open commitment to Cyberdyne is listed with a date, and the customer will "
                "hear about the change from us before the end of the month."
            ),
            why=(
                "Cyberdyne's CSM is moving to the enterprise team next month and Priya is taking "
                "over. They have had three CSMs in two years and complained about repeating "
                "themselves, so the handover has to be seamless and visible to them."
            ),
        ),
        rephrased=_r(
            what=(
                "Everything Priya needs to pick up Cyberdyne without them noticing a gap: a "
                "written summary of where the account stands, what's unresolved, who matters, "
                "what we've promised and by when, plus a three-way call where she meets their "
                "key people. She tells me she's ready before the current CSM moves on."
            ),
            how=(
                "I'll go through the CRM and the old CSM's inbox together with him to catch "
                "promises that only live in email. I'll tell Cyberdyne about the change this "
                "month myself, and time the intro call for after their main contact is back from "
                "leave."
            ),
            why=(
                "They've churned through CSMs and are tired of re-explaining their setup. A "
                "smooth, visible handover shows them we're listening and protects the "
                "relationship."
            ),
        ),
        short=_r(
            what="Complete handover pack and intro call for Priya.",
            how="Mine the old inbox for promises, tell them early.",
            why="They're tired of re-explaining themselves to new CSMs.",
        ),
    ),
)

COPIES = ("verbatim", "edited")
GENUINE = ("rephrased", "short")


def _cases(kinds: tuple[str, ...]) -> list[object]:
    return [pytest.param(case, kind, id=f"{case.name}-{kind}") for case in CORPUS for kind in kinds]


def _score(fields: dict[str, str], brief_text: str) -> float:
    """The score the rule acts on: the worst field or the joined text, whichever is higher."""
    joined = containment(" ".join(fields[name] for name in CHECKED_FIELDS), brief_text)
    return max([joined, *(containment(fields[name], brief_text) for name in CHECKED_FIELDS)])


# --- the corpus -------------------------------------------------------------------------


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 8
    assert len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("case", "kind"), _cases(COPIES))
def test_copies_of_the_brief_are_refused(case: Case, kind: str) -> None:
    problems = check_restatement(case.restatement(kind), case.brief.text())
    assert any(problem.kind == "copied" for problem in problems), problems


@pytest.mark.parametrize(("case", "kind"), _cases(GENUINE))
def test_restatements_in_own_words_are_accepted(case: Case, kind: str) -> None:
    assert check_restatement(case.restatement(kind), case.brief.text()) == []


@pytest.mark.parametrize(("case", "kind"), _cases(("short",)))
def test_short_rephrasings_are_short_but_long_enough(case: Case, kind: str) -> None:
    for text in case.restatement(kind).values():
        assert MIN_WORDS <= len(normalise(text)) <= 10


def test_the_threshold_leaves_a_margin_on_both_sides() -> None:
    """A small change to the rule or the corpus should not silently flip a verdict."""
    copies = [_score(c.restatement(k), c.brief.text()) for c in CORPUS for k in COPIES]
    genuine = [_score(c.restatement(k), c.brief.text()) for c in CORPUS for k in GENUINE]
    assert min(copies) - COPY_THRESHOLD >= 0.25
    assert COPY_THRESHOLD - max(genuine) >= 0.1 - 1e-9


@pytest.mark.parametrize(("case", "kind"), _cases(COPIES))
def test_every_copied_field_would_be_refused_on_its_own(case: Case, kind: str) -> None:
    restatement = case.restatement(kind)
    brief_text = case.brief.text()
    for name in CHECKED_FIELDS:
        alone = case.rephrased | {name: restatement[name]}
        assert containment(restatement[name], brief_text) >= COPY_THRESHOLD, name
        problems = check_restatement(alone, brief_text)
        assert [(p.field, p.kind) for p in problems] == [(name, "copied")]


# --- normalisation ----------------------------------------------------------------------


def test_slack_mentions_are_dropped_and_links_keep_their_label() -> None:
    text = "Ask <@U0SBMARC1> for <https://example.com/deck?v=2|the renewal deck> in <#C012AB|acme>"
    assert normalise(text) == ["ask", "for", "the", "renewal", "deck", "in", "acme"]


def test_group_mentions_bare_links_and_urls_are_dropped() -> None:
    text = "<!here> <!subteam^S0CS|@cs-team> see <https://x.example/a> or https://y.example/b?q=1"
    assert normalise(text) == ["see", "or"]


def test_bold_italic_strike_and_code_markers_go() -> None:
    assert normalise("*Renewal* _before_ ~March~ `deadline`") == [
        "renewal",
        "before",
        "march",
        "deadline",
    ]


def test_escaped_entities_are_not_words() -> None:
    assert normalise("R&amp;D &lt;team&gt;") == ["r", "d", "team"]


def test_compatibility_forms_and_case_fold_together() -> None:
    full_width = "\uff31\uff22\uff32\uff12\uff10\uff12\uff16"  # "QBR2026", full width
    ligature = "\ufb01nal"  # "final" with an fi ligature
    assert normalise(f"{full_width} {ligature} STRASSE Straße") == [
        "qbr2026",
        "final",
        "strasse",
        "strasse",
    ]


def test_digits_are_kept_and_punctuation_separates() -> None:
    assert normalise("Q3 review: 14% growth, 1,200 seats.") == [
        "q3",
        "review",
        "14",
        "growth",
        "1",
        "200",
        "seats",
    ]


def test_apostrophes_join_a_word_and_emoji_codes_go() -> None:
    assert normalise("Acme's team don\u2019t :tada: meet at 10:30:") == [
        "acmes",
        "team",
        "dont",
        "meet",
        "at",
        "10",
        "30",
    ]


def test_whitespace_is_collapsed() -> None:
    assert normalise("  renewal\n\n\tdeck  ") == ["renewal", "deck"]


def test_devanagari_keeps_its_vowel_signs_and_drops_the_danda() -> None:
    assert normalise("ग्राहक के साथ बैठक।") == ["ग्राहक", "के", "साथ", "बैठक"]


def test_japanese_splits_on_spaces_only() -> None:
    # A documented limitation: unspaced Japanese is one "word" per run between punctuation.
    assert normalise("更新 資料 を 作る") == ["更新", "資料", "を", "作る"]
    assert normalise("更新資料を作成します。顧客と話します。") == [
        "更新資料を作成します",
        "顧客と話します",
    ]


# --- containment ------------------------------------------------------------------------


def test_shingles_are_the_distinct_runs_of_n_words() -> None:
    words = ["a", "b", "c", "a", "b", "c"]
    assert shingles(words, 3) == {("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")}
    assert shingles(["a", "b"], 4) == set()
    with pytest.raises(ValueError):
        shingles(words, 0)


def test_containment_counts_the_share_of_shared_four_grams() -> None:
    # Five 4-grams, two of which ("we renew the acme", "renew the acme contract") are shared.
    part = "we renew the acme contract this spring ok"
    source = "Goal: we renew the Acme contract at a flat price."
    assert containment(part, source) == pytest.approx(2 / 5)


def test_containment_is_not_symmetric() -> None:
    brief = "Build the renewal deck for Acme before the steering committee meets in March."
    part = "Build the renewal deck for Acme"
    assert containment(part, brief) == 1.0
    assert containment(brief, part) < 1.0


def test_a_part_shorter_than_n_words_counts_only_as_a_whole_run() -> None:
    source = "the renewal deck for acme"
    assert containment("renewal deck", source) == 1.0
    assert containment("deck renewal", source) == 0.0
    assert containment("", source) == 0.0


def test_containment_rejects_a_zero_ngram() -> None:
    with pytest.raises(ValueError):
        containment("a b c d", "a b c d", n=0)


_VOCABULARY = ("acme", "renewal", "deck", "the", "price", "CFO", "Q3", "plan", "risk", "deal")
_wordy = st.lists(st.sampled_from(_VOCABULARY), max_size=30).map(" ".join)
_texts = st.one_of(_wordy, st.text(max_size=200))


@given(text=_texts)
def test_a_text_is_wholly_contained_in_itself(text: str) -> None:
    assume(len(normalise(text)) >= NGRAM)
    assert containment(text, text) == 1.0


@given(part=_texts, source=_texts, n=st.integers(min_value=1, max_value=6))
def test_containment_is_a_share(part: str, source: str, n: int) -> None:
    assert 0.0 <= containment(part, source, n) <= 1.0


@given(part=_texts)
def test_nothing_is_contained_in_an_empty_source(part: str) -> None:
    assert containment(part, "") == 0.0


@given(part=_wordy, other=_texts)
def test_a_text_is_contained_in_any_text_that_quotes_it(part: str, other: str) -> None:
    assume(normalise(part))
    assert containment(part, f"{other}\n{part}\n{other}") == 1.0


@given(text=_texts)
def test_normalising_twice_changes_nothing(text: str) -> None:
    words = normalise(text)
    assert normalise(" ".join(words)) == words


# --- the rule ---------------------------------------------------------------------------

RENEWAL = CORPUS[0]


def test_each_field_too_short_is_refused_with_its_own_message() -> None:
    fields = {"what": "The deck.", "how": "Dashboard numbers, my storyline.", "why": "Keep Acme."}
    problems = check_restatement(fields, RENEWAL.brief.text())
    assert [(p.field, p.kind) for p in problems] == [
        ("what", "too_short"),
        ("how", "too_short"),
        ("why", "too_short"),
    ]
    assert all(str(MIN_WORDS) in p.message for p in problems)


def test_exactly_min_words_is_enough() -> None:
    fields = {
        "what": "one two three four five",
        "how": "six seven eight nine ten",
        "why": "eleven twelve thirteen fourteen fifteen",
    }
    assert MIN_WORDS == 5
    assert check_restatement(fields, RENEWAL.brief.text()) == []
    shorter = fields | {"how": "six seven eight nine"}
    assert [p.field for p in check_restatement(shorter, RENEWAL.brief.text())] == ["how"]


def test_markup_and_punctuation_do_not_count_as_words() -> None:
    fields = RENEWAL.short | {"what": "<@U0SBMARC1> *the* — <https://x.example> deck !!!"}
    problems = check_restatement(fields, RENEWAL.brief.text())
    assert [(p.field, p.kind) for p in problems] == [("what", "too_short")]


def test_a_missing_field_counts_as_empty() -> None:
    fields = {"what": RENEWAL.short["what"], "why": RENEWAL.short["why"]}
    problems = check_restatement(fields, RENEWAL.brief.text())
    assert [(p.field, p.kind) for p in problems] == [("how", "too_short")]


def test_optional_fields_may_quote_the_brief() -> None:
    fields = RENEWAL.rephrased | {"risks": RENEWAL.brief.risks, "ideas": RENEWAL.brief.goal}
    assert check_restatement(fields, RENEWAL.brief.text()) == []


def test_only_the_copied_field_is_flagged() -> None:
    fields = RENEWAL.rephrased | {"how": RENEWAL.brief.non_negotiables}
    problems = check_restatement(fields, RENEWAL.brief.text())
    assert problems == [
        FieldProblem(
            field="how",
            kind="copied",
            score=1.0,
            message=(
                "This reads like the brief itself. Say in your own words how you will approach it."
            ),
        )
    ]


def test_a_field_can_be_both_short_and_copied_but_gets_one_problem() -> None:
    fields = RENEWAL.rephrased | {"why": "Renew for three years."}
    problems = check_restatement(fields, RENEWAL.brief.text())
    assert [(p.field, p.kind, p.score) for p in problems] == [("why", "too_short", 1.0)]


def test_copying_split_across_fields_is_caught_in_each_field() -> None:
    # The owner cuts the brief's expectations into three pieces, one per box.
    brief = RENEWAL.brief
    sentences = brief.expectations.split(". ")
    fields = {"what": sentences[0], "how": sentences[1], "why": sentences[2]}
    problems = check_restatement(fields, brief.text())
    assert [(p.field, p.kind) for p in problems] == [
        ("what", "copied"),
        ("how", "copied"),
        ("why", "copied"),
    ]


def test_copying_across_field_boundaries_is_caught_on_the_joined_text() -> None:
    # Each box ends or starts with three words of one brief sentence, padded with own words,
    # so no 4-gram inside a box is copied; the 4-grams across the boxes are.
    brief = BOUNDARY_BRIEF
    fields = {
        "what": "my plan: we need acme",
        "how": "to renew for, so honestly, three years at",
        "why": "the current price, full stop",
    }
    brief_words = normalise(brief)
    assert all(not shingles(normalise(text)) & shingles(brief_words) for text in fields.values())
    scores = {name: containment(text, brief) for name, text in fields.items()}
    assert max(scores.values()) < COPY_THRESHOLD
    joined = containment(" ".join(fields.values()), brief)
    assert joined >= COPY_THRESHOLD

    problems = check_restatement(fields, brief)

    assert len(problems) == 1
    assert problems[0].kind == "copied"
    assert problems[0].score == pytest.approx(joined)
    assert problems[0].message.startswith("Taken together your answers repeat the brief.")


BOUNDARY_BRIEF = "We need Acme to renew for three years at the current price."


def test_a_joined_copy_goes_to_the_highest_scoring_field() -> None:
    fields = {
        "what": "my plan: we need acme",
        "how": "to renew for three, honestly, three years at",
        "why": "the current price, full stop",
    }
    scores = {name: containment(text, BOUNDARY_BRIEF) for name, text in fields.items()}
    assert scores["how"] > max(scores["what"], scores["why"])
    assert scores["how"] < COPY_THRESHOLD

    problems = check_restatement(fields, BOUNDARY_BRIEF)

    assert [(p.field, p.kind) for p in problems] == [("how", "copied")]


def test_a_joined_copy_skips_a_field_that_already_has_a_problem() -> None:
    # "how" is too short (and its one word is in the brief); "why" scores next highest.
    fields = {
        "what": "my plan: we need acme",
        "how": "to",
        "why": "renew for three years, you see, at the current price, full stop",
    }
    assert containment(fields["why"], BOUNDARY_BRIEF) < COPY_THRESHOLD

    problems = check_restatement(fields, BOUNDARY_BRIEF)

    assert [(p.field, p.kind) for p in problems] == [("how", "too_short"), ("why", "copied")]


def test_an_empty_brief_refuses_nothing_but_short_fields() -> None:
    assert brief_text_of(None, "", "   ") == ""
    assert check_restatement(RENEWAL.brief.pasted(), "") == []
    problems = check_restatement({"what": "", "how": "", "why": ""}, "")
    assert [(p.field, p.kind, p.score) for p in problems] == [
        ("what", "too_short", 0.0),
        ("how", "too_short", 0.0),
        ("why", "too_short", 0.0),
    ]


def test_brief_text_joins_the_parts_that_have_text() -> None:
    assert brief_text_of("Acme deck", None, "  ", " Renew at flat price ") == (
        "Acme deck\nRenew at flat price"
    )


def test_a_hindi_copy_is_refused_and_a_hindi_rephrasing_accepted() -> None:
    brief = (
        "ग्राहक के साथ नवीनीकरण की बैठक से पहले पिछले साल के उपयोग के आंकड़े तैयार करने हैं "
        "ताकि हम तीन साल का अनुबंध पक्का कर सकें।"
    )
    copied = {
        "what": "पिछले साल के उपयोग के आंकड़े तैयार करने हैं",
        "how": "मैं ग्राहक के साथ नवीनीकरण की बैठक से पहले काम करूँगा",
        "why": "ताकि हम तीन साल का अनुबंध पक्का कर सकें",
    }
    own = {
        "what": "मैं एक छोटी प्रस्तुति बनाऊँगा जिसमें इस साल का फ़ायदा दिखे",
        "how": "डैशबोर्ड से असली संख्याएँ लूँगा और पहले आपको दिखाऊँगा",
        "why": "कंपनी लंबे समय तक हमारे साथ रहे, यही लक्ष्य है",
    }
    assert {p.field for p in check_restatement(copied, brief)} == {"what", "how", "why"}
    assert check_restatement(own, brief) == []


def test_unspaced_japanese_reads_as_too_short() -> None:
    # Documented limitation: without spaces a Japanese answer has too few "words".
    fields = {
        "what": "更新提案の資料を作成します。",
        "how": "ダッシュボードの数字を使います。",
        "why": "三年契約を守るためです。",
    }
    problems = check_restatement(fields, "アクメ社の更新資料を三月までに作る。")
    assert [p.kind for p in problems] == ["too_short", "too_short", "too_short"]


# --- messages ---------------------------------------------------------------------------


def _every_message() -> list[FieldProblem]:
    brief = RENEWAL.brief
    found = check_restatement({}, brief.text())
    found += check_restatement(brief.pasted(), brief.text())
    # The joined copy lands on "what" (a tie at 0), on "how" (its highest score) and on "why"
    # (the highest free field), as the three tests above show.
    for how, why in (
        ("to renew for, so honestly, three years at", "the current price, full stop"),
        ("to renew for three, honestly, three years at", "the current price, full stop"),
        ("to", "renew for three years, you see, at the current price, full stop"),
    ):
        fields = {"what": "my plan: we need acme", "how": how, "why": why}
        found += check_restatement(fields, BOUNDARY_BRIEF)
    return found


def test_every_kind_of_message_is_reached_for_every_field() -> None:
    found = {(p.field, p.kind, p.message) for p in _every_message()}
    too_short = f"A few more words, please: at least {MIN_WORDS}, in your own words."
    for name in CHECKED_FIELDS:
        messages = {message for field, kind, message in found if field == name}
        assert too_short in messages
        assert any(m.startswith("This reads like the brief itself.") for m in messages)
        assert any(m.startswith("Taken together your answers repeat the brief.") for m in messages)


def test_messages_fit_under_a_modal_field() -> None:
    messages = {p.message for p in _every_message()}
    assert len(messages) == 7
    for message in messages:
        assert 0 < len(message) <= 150, message
        assert message.endswith((".", "?")), message
