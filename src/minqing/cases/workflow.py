"""The case lifecycle as an explicit state machine: named transitions, who may take them, from where to where.

    登记 registered ─dispatch→ dispatched ─accept→ accepted ─answer→ answered ─verify→ verified ─close→ closed
        │  └─resolve_on_spot (就地办结)──────────────────────────────────────────────────────────→ closed
        └─refer (告知该找谁, follow up) → referred ─close_referral→ closed
    return (退回): dispatched/accepted → registered · reassign (改派): dispatched/accepted → dispatched
    send_back (核查不通过): answered → accepted
    reopen (不满意重办): closed → registered

Nothing outside cases/actions.py sets `Case.status`; it goes through `transition()` there.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from minqing.accounts.roles import STAFF_ROLES, Cap, Role, can
from minqing.places.selectors import area_in_scope

from .models import Case, Status

STAFF, HANDLER = "staff", "handler"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    actor: str
    label: object
    needs_note: bool = False
    needs_organisation: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "dispatch",
            frozenset({Status.REGISTERED}),
            Status.DISPATCHED,
            STAFF,
            _("Dispatch"),
            needs_organisation=True,
        ),
        Transition(
            "reassign",
            frozenset({Status.DISPATCHED, Status.ACCEPTED}),
            Status.DISPATCHED,
            STAFF,
            _("Reassign to another handler"),
            needs_note=True,
            needs_organisation=True,
        ),
        Transition(
            "resolve_on_spot",
            frozenset({Status.REGISTERED}),
            Status.CLOSED,
            STAFF,
            _("Resolved on the spot"),
            needs_note=True,
        ),
        Transition(
            "refer",
            frozenset({Status.REGISTERED}),
            Status.REFERRED,
            STAFF,
            _("Referred: told whom to contact"),
            needs_note=True,
        ),
        Transition(
            "close_referral",
            frozenset({Status.REFERRED}),
            Status.CLOSED,
            STAFF,
            _("Followed up: close"),
            needs_note=True,
        ),
        Transition("accept", frozenset({Status.DISPATCHED}), Status.ACCEPTED, HANDLER, _("Accept")),
        Transition(
            "answer",
            frozenset({Status.ACCEPTED}),
            Status.ANSWERED,
            HANDLER,
            _("Report back"),
            needs_note=True,
        ),
        Transition(
            "return",
            frozenset({Status.DISPATCHED, Status.ACCEPTED}),
            Status.REGISTERED,
            HANDLER,
            _("Return: not ours"),
            needs_note=True,
        ),
        Transition("verify", frozenset({Status.ANSWERED}), Status.VERIFIED, STAFF, _("Verified on site")),
        Transition(
            "send_back",
            frozenset({Status.ANSWERED}),
            Status.ACCEPTED,
            STAFF,
            _("Not done: send back"),
            needs_note=True,
        ),
        Transition("close", frozenset({Status.VERIFIED}), Status.CLOSED, STAFF, _("Close")),
        Transition(
            "reopen", frozenset({Status.CLOSED}), Status.REGISTERED, STAFF, _("Reopen"), needs_note=True
        ),
    )
}


def acts_as(user, case: Case) -> str | None:
    """STAFF when the user works the case's area, HANDLER when the case is with the user's organisation."""
    if not user.is_authenticated:
        return None
    is_staff = user.is_superuser or user.role in STAFF_ROLES
    if is_staff and can(user, Cap.VIEW_REGISTRY) and area_in_scope(user, case.area):
        return STAFF
    if (
        user.role == Role.ORG_HANDLER
        and user.organisation_id
        and case.organisation_id == user.organisation_id
    ):
        return HANDLER
    return None


def allowed(user, case: Case) -> list[Transition]:
    """The transitions this user may take on the case now (what the case page offers)."""
    if case.merged_into_id:
        return []  # closed into another case, for good
    role = acts_as(user, case)
    return [t for t in TRANSITIONS.values() if case.status in t.sources and t.actor == role]
