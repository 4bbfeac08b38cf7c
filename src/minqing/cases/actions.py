"""Writes to cases: registering a concern, "me too", and every workflow transition. Each is atomic, checks
who is acting, and writes the audit event the case timeline is built from."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import STAFF_ROLES, Cap
from minqing.core import audit, workcal
from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.core.identity import validate_phone
from minqing.places.models import Area, Building, Household
from minqing.places.permissions import require

from .models import Case, Reporter, Status
from .workflow import TRANSITIONS, acts_as

audit.register_labels(
    {
        "cases.case.register": gettext_lazy("Registered"),
        "cases.case.me_too": gettext_lazy("Another resident raised it too"),
        **{f"cases.case.{t.name}": t.label for t in TRANSITIONS.values()},
    }
)


def _require_staff(user, area: Area) -> None:
    if not (user.is_superuser or user.role in STAFF_ROLES):
        raise Forbidden()
    require(user, Cap.VIEW_REGISTRY, area)


def _reporter(
    case: Case,
    *,
    resident=None,
    name: str = "",
    phone: str = "",
    confidential: bool = False,
    wants_news: bool = True,
) -> Reporter | None:
    if resident is None and not name.strip() and not phone.strip():
        return None
    return Reporter.objects.create(
        case=case,
        resident=resident,
        name=name.strip() or (resident.name if resident else ""),
        phone=validate_phone(phone) if phone.strip() else "",
        confidential=confidential,
        wants_news=wants_news,
    )


@transaction.atomic
def register_case(
    *,
    acting_user,
    description: str,
    area: Area | None = None,
    building: Building | None = None,
    household: Household | None = None,
    resident=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    confidential: bool = False,
    wants_news: bool = True,
    **fields,
) -> Case:
    """登记: a concern heard on the stairs, at the door or on the phone, linked to the place it is about."""
    if household is not None:
        building = household.building
    if building is not None:
        area = building.area
    if area is None or area.kind != "grid":
        raise InvalidInput(_("Say where: pick a building, or the grid."))
    _require_staff(acting_user, area)
    if not description.strip():
        raise InvalidInput(_("Write down what was raised."))
    case = Case.objects.create(
        reference=f"tmp{uuid.uuid4().hex[:16]}",  # replaced below, once the id is known
        description=description.strip(),
        area=area,
        building=building,
        household=household,
        registered_by=acting_user,
        **fields,
    )
    case.reference = f"MQ{timezone.localdate():%y%m%d}{case.pk:05d}"
    case.save(update_fields=["reference"])
    _reporter(
        case,
        resident=resident,
        name=reporter_name,
        phone=reporter_phone,
        confidential=confidential,
        wants_news=wants_news,
    )
    audit.record(
        actor=acting_user,
        action="cases.case.register",
        target=case,
        area_path=area.path,
        changes={"status": [None, case.status]},
    )
    return case


@transaction.atomic
def add_reporter(
    *,
    acting_user,
    case: Case,
    resident=None,
    name: str = "",
    phone: str = "",
    confidential: bool = False,
    wants_news: bool = True,
) -> Reporter:
    """ "Me too": one more resident raised the same concern; the case keeps all of them."""
    _require_staff(acting_user, case.area)
    if resident is not None and case.reporters.filter(resident=resident).exists():
        raise InvalidInput(_("This resident is already a reporter of this case."))
    reporter = _reporter(
        case, resident=resident, name=name, phone=phone, confidential=confidential, wants_news=wants_news
    )
    if reporter is None:
        raise InvalidInput(_("Name the resident, or give a name or phone number."))
    audit.record(actor=acting_user, action="cases.case.me_too", target=case, area_path=case.area.path)
    return reporter


@transaction.atomic
def transition(
    *, acting_user, case: Case, name: str, expected_version: int, note: str = "", organisation=None
) -> Case:
    """Take the named transition, or change nothing and say why. Two people acting at once: the row lock
    and the version make one win; the other is told the case has moved on."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise InvalidInput(_("Unknown step."))
    case = Case.objects.select_for_update().select_related("area").get(pk=case.pk)
    if case.version != expected_version:
        raise Conflict(
            _(
                "Someone else acted on this case just now. The page shows what happened; "
                "nothing you did was saved."
            )
        )
    if acts_as(acting_user, case) != step.actor:
        raise Forbidden()
    if case.status not in step.sources:
        raise InvalidInput(
            _("This step is not possible while the case is “%(status)s”.")
            % {"status": case.get_status_display()}
        )
    if step.needs_note and not note.strip():
        raise InvalidInput(_("Write a note for this step."))
    from_status = case.status
    changes = {"status": [from_status, step.target]}
    if step.needs_organisation:
        if organisation is None:
            raise InvalidInput(_("Choose who handles it."))
        case.organisation = organisation
        changes["organisation"] = [None, str(organisation)]
    if name == "refer":
        case.follow_up_on = workcal.add_working_days(timezone.localdate(), 1)
    if name == "verify":
        case.verified_by = acting_user
    if step.target == Status.CLOSED:
        case.closed_at = timezone.now()
    if name == "reopen":
        case.closed_at, case.verified_by = None, None
    case.status = step.target
    case.version += 1
    case.save()
    audit.record(
        actor=acting_user,
        action=f"cases.case.{name}",
        target=case,
        area_path=case.area.path,
        changes=changes,
        reason=note.strip(),
    )
    return case


@transaction.atomic
def register_referral(
    *, acting_user, area: Area, description: str, category, organisation, reporter_name: str = ""
) -> Case:
    """Story S8: a call at 20:10 about something that is another organisation's job. The cadre gives the
    number, and the concern is still recorded as a referred case that reminds her to check tomorrow."""
    case = register_case(
        acting_user=acting_user,
        description=description,
        area=area,
        category=category,
        reporter_name=reporter_name,
        channel="phone",
    )
    phone = f" {organisation.service_phone}" if organisation.service_phone else ""
    return transition(
        acting_user=acting_user,
        case=case,
        name="refer",
        expected_version=case.version,
        note=_("Told them to contact %(org)s%(phone)s.") % {"org": organisation.name, "phone": phone},
    )
