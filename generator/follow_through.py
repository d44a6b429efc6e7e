"""Follow-through, decided in the tailor stage: each contact's due items and drafts, and "this week"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from generator.banks import Banks
from generator.cadence import ThisWeek, builtin_cadence, due_items, this_week
from generator.drafts import builtin_drafts, drafts_for
from generator.models import Profile
from generator.words import Words
from generator.workbook import ContactPlan


def follow_through(
    contacts: tuple[ContactPlan, ...], profile: Profile, banks: Banks, today: date, words: Words | None = None
) -> tuple[tuple[ContactPlan, ...], ThisWeek]:
    """The plans with their `due` and `drafts` filled in, and the week's list. `banks` carries the cadence and
    drafts of the client's language with their coach's changes (generator.coach.banks_for); without them, those
    of the profile's language are used."""
    language = profile.settings.language
    cadence = banks.cadence or builtin_cadence(language)
    bank = banks.drafts or builtin_drafts(language)
    only_role = profile.target_roles[0] if len(profile.target_roles) == 1 else None
    planned = []
    for plan in contacts:
        role = plan.target_role or only_role
        planned.append(
            replace(
                plan,
                due=due_items(plan.contact, cadence, today),
                drafts=drafts_for(
                    plan.contact,
                    profile.seeker,
                    bank,
                    minutes=plan.minutes,
                    referrer=plan.referred_by_text,
                    target_role=role.title if role else None,
                    words=words,
                ),
            )
        )
    week = this_week(
        [plan.contact for plan in planned],
        {plan.id: plan.due for plan in planned},
        cadence,
        today,
        profile.settings.weekly_goal,
    )
    return tuple(planned), week
