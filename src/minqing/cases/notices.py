"""Who hears about what happens to a case. Every message goes through the notifications outbox, in the
caller's transaction (a rolled-back step sends nothing).

Reporters who asked to be told hear of dispatch, answer and close (with the call-back question). A reporter
with a portal account gets it in the app (and by email); otherwise by SMS to the phone they gave or the one
in the registry. Handlers hear of new work and of close time limits; supervisors of 督办 and of requests
for more time.
"""

from django.urls import reverse

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.notifications.actions import notify_contact, notify_user

from .models import Case, Extension

SUPERVISOR_ROLES = {
    "yellow": (Role.COMMUNITY_ADMIN, Role.GRID_LEADER),
    "red": (Role.STREET_OFFICER,),
    "extension": (Role.GRID_LEADER, Role.COMMUNITY_ADMIN),
}


def _link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _staff_over(case: Case, roles) -> list[User]:
    """Active accounts of these roles whose scope contains the case's area."""
    return list(
        User.objects.filter(areas__in=case.area.ancestor_ids(), role__in=roles, is_active=True).distinct()
    )


def _handlers(case: Case) -> list[User]:
    if not case.organisation_id:
        return []
    return list(
        User.objects.filter(role=Role.ORG_HANDLER, organisation_id=case.organisation_id, is_active=True)
    )


def _to_staff(users, case: Case, event: str, context: dict) -> None:
    for user in users:
        notify_user(user, event, context, link=_link(case), about=case, area_path=case.area.path)


def _to_reporters(case: Case, event: str, context: dict) -> None:
    reporters = list(case.reporters.filter(wants_news=True).select_related("resident", "account"))
    accounts = {
        user.resident_id: user
        for user in User.objects.filter(
            resident_id__in=[r.resident_id for r in reporters if r.resident_id], is_active=True
        )
    }
    for reporter in reporters:
        account = reporter.account if reporter.account_id else accounts.get(reporter.resident_id)
        if account is not None and account.is_active:
            link = reverse("portal:concern", args=[case.reference])
            notify_user(account, event, context, link=link, about=case, area_path=case.area.path)
            continue
        phone = reporter.contact_phone
        if phone:
            notify_contact(event=event, context=context, phone=phone, about=case, area_path=case.area.path)


def dispatched(case: Case) -> None:
    organisation = str(case.organisation)
    _to_reporters(case, "case_dispatched", {"reference": case.reference, "organisation": organisation})
    _to_staff(
        _handlers(case),
        case,
        "case_assigned",
        {
            "reference": case.reference,
            "description": case.description[:200],
            "category": str(case.category or ""),
            "due_at": case.due_at,
        },
    )


def answered(case: Case, answer: str) -> None:
    _to_reporters(case, "case_answered", {"reference": case.reference, "answer": answer[:300]})


def closed(case: Case, note: str) -> None:
    _to_reporters(case, "case_closed", {"reference": case.reference, "note": note[:300]})


def returned(case: Case, organisation, reason: str) -> None:
    if case.registered_by_id and case.registered_by.is_active:
        _to_staff(
            [case.registered_by],
            case,
            "case_returned",
            {"reference": case.reference, "organisation": str(organisation), "reason": reason[:300]},
        )


def deadline_warning(case: Case) -> None:
    from .deadlines import STAGE_LABELS

    stage = case.stage
    people = _handlers(case) if stage in ("accept", "finish") else _verifiers(case)
    _to_staff(
        people,
        case,
        "deadline_warning",
        {"reference": case.reference, "stage": str(STAGE_LABELS.get(stage, "")), "due_at": case.due_at},
    )


def _verifiers(case: Case) -> list[User]:
    if case.registered_by_id and case.registered_by.is_active:
        return [case.registered_by]
    return _staff_over(case, (Role.GRID_LEADER,))


def escalated(case: Case, level: str) -> None:
    from .deadlines import STAGE_LABELS

    _to_staff(
        _staff_over(case, SUPERVISOR_ROLES[level]),
        case,
        "case_escalated",
        {
            "reference": case.reference,
            "level": level,
            "stage": str(STAGE_LABELS.get(case.stage, "")),
            "due_at": case.due_at,
            "organisation": str(case.organisation or ""),
        },
    )


def extension_requested(extension: Extension) -> None:
    case = extension.case
    _to_staff(
        _staff_over(case, SUPERVISOR_ROLES["extension"]),
        case,
        "extension_requested",
        {
            "reference": case.reference,
            "organisation": str(case.organisation or ""),
            "days": extension.days,
            "reason": extension.reason[:300],
        },
    )


def extension_decided(extension: Extension) -> None:
    case = extension.case
    _to_staff(
        [extension.requested_by],
        case,
        "extension_decided",
        {
            "reference": case.reference,
            "granted": extension.state == Extension.State.GRANTED,
            "due_at": case.due_at,
            "note": extension.decision_note[:300],
        },
    )


def changed(case: Case, event: str) -> None:
    """Tell the API's webhook subscribers (minqing.api.webhooks), in the caller's transaction. `event` is a
    webhook event ("case.closed") or the name of the step just taken ("close", "register", "escalated_red");
    steps subscribers do not hear of (refer, return, verify, send_back) are ignored."""
    from minqing.api.webhooks import (
        emit_case_event,
        event_for,
    )  # the API app builds on cases, not the reverse

    resolved = event_for(event)
    if resolved:
        emit_case_event(case, resolved)
