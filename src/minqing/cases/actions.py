"""Writes to cases: registering a concern, "me too", and every workflow transition. Each is atomic, checks
who is acting, and writes the audit event the case timeline is built from."""

import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import STAFF_ROLES, Cap
from minqing.core import audit, workcal
from minqing.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from minqing.core.identity import validate_phone
from minqing.organisations.selectors import organisations_for
from minqing.places.models import Area, Building, Household
from minqing.places.permissions import require
from minqing.places.selectors import area_in_scope

from . import deadlines, notices
from .models import Case, Channel, Extension, Feedback, Photo, Rating, Reporter, Status
from .workflow import TRANSITIONS, acts_as

audit.register_labels(
    {
        "cases.case.register": gettext_lazy("Registered"),
        "cases.case.me_too": gettext_lazy("Another resident raised it too"),
        "cases.case.photos": gettext_lazy("Photos added"),
        "cases.case.merged_into": gettext_lazy("Merged into another case"),
        "cases.case.merged_from": gettext_lazy("Another case merged into this one"),
        "cases.case.extension_requested": gettext_lazy("More time requested"),
        "cases.case.extension_granted": gettext_lazy("More time granted"),
        "cases.case.extension_refused": gettext_lazy("More time refused"),
        "cases.case.feedback": gettext_lazy("Call-back recorded"),
        "cases.reporter.reveal.phone": gettext_lazy("Viewed a reporter's full phone number"),
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
    account=None,
    name: str = "",
    phone: str = "",
    confidential: bool = False,
    wants_news: bool = True,
    share_phone: bool = False,
) -> Reporter | None:
    if resident is None and account is None and not name.strip() and not phone.strip():
        return None
    return Reporter.objects.create(
        case=case,
        resident=resident,
        account=account,
        name=name.strip() or (resident.name if resident else ""),
        phone=validate_phone(phone) if phone.strip() else "",
        confidential=confidential,
        wants_news=wants_news,
        share_phone=share_phone,
    )


@transaction.atomic
def register_case(
    *,
    acting_user,
    description: str,
    area: Area | None = None,
    building: Building | None = None,
    household: Household | None = None,
    merchant=None,
    resident=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    confidential: bool = False,
    wants_news: bool = True,
    share_phone: bool = False,
    photos=(),
    **fields,
) -> Case:
    """登记: a concern heard on the stairs, at the door or on the phone, linked to the place it is about."""
    area, building = _place(area, building, household, merchant, fields)
    _require_staff(acting_user, area)
    return _create(
        actor=acting_user,
        registered_by=acting_user,
        source="",
        description=description,
        area=area,
        building=building,
        household=household,
        merchant=merchant,
        reporter={
            "resident": resident,
            "name": reporter_name,
            "phone": reporter_phone,
            "confidential": confidential,
            "wants_news": wants_news,
            "share_phone": share_phone,
        },
        photos=photos,
        fields=fields,
    )


@transaction.atomic
def intake_case(
    *,
    submitted_by,
    source: str,
    channel: str,
    description: str,
    area: Area | None = None,
    building: Building | None = None,
    household: Household | None = None,
    resident=None,
    account=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    confidential: bool = False,
    wants_news: bool = True,
    photos=(),
    **fields,
) -> Case:
    """A concern that arrives without a staff member: a resident on the portal, an Open311 client, a 12345
    work order. The caller has established who is asking (the resident's login, the client's API key) and
    that the place is one they may report about; `source` says so on the timeline. The case waits as
    "registered" for the grid's staff to route it like any other."""
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."))
    area, building = _place(area, building, household, None, fields)
    return _create(
        actor=submitted_by,
        registered_by=None,
        source=source,
        description=description,
        area=area,
        building=building,
        household=household,
        merchant=None,
        reporter={
            "resident": resident,
            "account": account,
            "name": reporter_name,
            "phone": reporter_phone,
            "confidential": confidential,
            "wants_news": wants_news,
        },
        photos=photos,
        fields={**fields, "channel": channel},
    )


def _place(area, building, household, merchant, fields):
    """Where: a household implies its building, a building its grid, a merchant its grid and address."""
    if household is not None:
        building = household.building
    if building is not None:
        area = building.area
    elif merchant is not None:
        area = merchant.area
        fields["address"] = fields.get("address") or f"{merchant.name} {merchant.address}".strip()[:200]
    if area is None or area.kind != "grid":
        raise InvalidInput(_("Say where: pick a building, or the grid."))
    return area, building


def _create(
    *,
    actor,
    registered_by,
    source,
    description,
    area,
    building,
    household,
    merchant,
    reporter,
    photos,
    fields,
) -> Case:
    if not description.strip():
        raise InvalidInput(_("Write down what was raised."))
    photos = [check_photo(photo) for photo in photos]
    case = Case.objects.create(
        reference=f"tmp{uuid.uuid4().hex[:16]}",  # replaced below, once the id is known
        description=description.strip(),
        area=area,
        building=building,
        household=household,
        merchant=merchant,
        registered_by=registered_by,
        **fields,
    )
    case.reference = f"MQ{timezone.localdate():%y%m%d}{case.pk:05d}"
    case.save(update_fields=["reference"])
    _reporter(case, **reporter)
    for photo in photos:
        _save_photo(case, photo, Photo.Kind.REPORT, actor)
    audit.record(
        actor=actor,
        action="cases.case.register",
        target=case,
        area_path=area.path,
        changes={"status": [None, case.status], "channel": [None, case.channel]},
        reason=source,
    )
    notices.changed(case, "register")
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
    share_phone: bool = False,
) -> Reporter:
    """ "Me too": one more resident raised the same concern; the case keeps all of them."""
    # The row lock makes two "me too" for the same resident at once queue, so the check below holds.
    case = Case.objects.select_for_update(of=("self",)).select_related("area").get(pk=case.pk)
    _require_staff(acting_user, case.area)
    if case.merged_into_id:
        raise InvalidInput(MERGED)
    if resident is not None and not area_in_scope(acting_user, resident.area):
        raise NotFound()
    if resident is not None and case.reporters.filter(resident=resident).exists():
        raise InvalidInput(_("This resident is already a reporter of this case."))
    reporter = _reporter(
        case,
        resident=resident,
        name=name,
        phone=phone,
        confidential=confidential,
        wants_news=wants_news,
        share_phone=share_phone,
    )
    if reporter is None:
        raise InvalidInput(_("Name the resident, or give a name or phone number."))
    audit.record(actor=acting_user, action="cases.case.me_too", target=case, area_path=case.area.path)
    return reporter


MERGED = gettext_lazy("This case was merged into another one: act on that case.")

PHOTO_KINDS = {"answer": Photo.Kind.ANSWER, "resolve_on_spot": Photo.Kind.ANSWER, "verify": Photo.Kind.CHECK}


@transaction.atomic
def transition(
    *,
    acting_user,
    case: Case,
    name: str,
    expected_version: int,
    note: str = "",
    organisation=None,
    category=None,
    photos=(),
    now=None,
) -> Case:
    """Take the named transition, or change nothing and say why. Two people acting at once: the row lock
    and the version make one win; the other is told the case has moved on."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise InvalidInput(_("Unknown step."))
    now = now or timezone.now()
    case = Case.objects.select_for_update(of=("self",)).select_related("area", "category").get(pk=case.pk)
    if case.version != expected_version:
        raise Conflict(
            _(
                "Someone else acted on this case just now. The page shows what happened; "
                "nothing you did was saved."
            )
        )
    if acts_as(acting_user, case) != step.actor:
        raise Forbidden()
    if case.merged_into_id:
        # Its reporters moved to the kept case; reopening the duplicate would split the concern again.
        raise InvalidInput(MERGED)
    if case.status not in step.sources:
        raise InvalidInput(
            _("This step is not possible while the case is “%(status)s”.")
            % {"status": case.get_status_display()}
        )
    if step.needs_note and not note.strip():
        raise InvalidInput(_("Write a note for this step."))
    photos = [check_photo(photo) for photo in photos]
    if photos and name not in PHOTO_KINDS:
        raise InvalidInput(_("Photos can be added when reporting back, resolving or verifying."))
    return _apply(
        case,
        step,
        acting_user,
        note=note,
        organisation=organisation,
        category=category,
        photos=photos,
        now=now,
    )


def _apply(
    case: Case, step, acting_user, *, note="", organisation=None, category=None, photos=(), now
) -> Case:
    """The transition itself, on a locked case whose actor and state were checked by the caller."""
    name = step.name
    from_status, previous_organisation = case.status, case.organisation
    changes = {"status": [from_status, step.target]}
    if step.needs_organisation:
        if organisation is None:
            raise InvalidInput(_("Choose who handles it."))
        if name == "reassign" and organisation.pk == case.organisation_id:
            raise InvalidInput(_("Choose another handler than the current one."))
        if not organisations_for(acting_user).filter(pk=organisation.pk).exists():
            raise InvalidInput(_("This organisation does not serve your area."))
        case.organisation = organisation
        changes["organisation"] = [str(previous_organisation or "") or None, str(organisation)]
    if category is not None and category.pk != case.category_id and step.needs_organisation:
        changes["category"] = [str(case.category or "") or None, str(category)]
        case.category = category  # confirmed by the person dispatching; the time limits follow it
    _move_clock(case, name, now)
    if name == "refer":
        case.follow_up_on = workcal.add_working_days(timezone.localdate(now), 1)
    if name == "return":
        case.organisation = None
        changes["organisation"] = [str(previous_organisation), None]
    if name == "verify":
        case.verified_by = acting_user
    if step.target == Status.CLOSED:
        case.closed_at = now
    if name == "reopen":
        case.closed_at, case.verified_by, case.rating = None, None, ""
    case.status = step.target
    case.version += 1
    case.save()
    for photo in photos:
        _save_photo(case, photo, PHOTO_KINDS[name], acting_user)
    audit.record(
        actor=acting_user,
        action=f"cases.case.{name}",
        target=case,
        area_path=case.area.path,
        changes=changes,
        reason=note.strip(),
    )
    _tell(case, name, note.strip(), previous_organisation)
    notices.changed(case, name)
    return case


def _move_clock(case: Case, name: str, now) -> None:
    """Start, restart or stop the time limit of the step the case moves to (cases/deadlines.py)."""
    if name in ("dispatch", "reassign"):
        case.dispatched_at, case.accepted_at, case.answered_at = now, None, None
        deadlines.start_clock(case, "accept", now)
    elif name == "accept":
        case.accepted_at = now
        deadlines.start_clock(case, "finish", now, due_at=case.external_due_at)
    elif name == "answer":
        case.answered_at = now
        deadlines.start_clock(case, "verify", now)
    elif name == "send_back":
        # Back to work against the original limit; if that has passed, one more working day.
        due = case.finish_due_at
        if due is None or due <= now:
            due = workcal.add_working_hours(now, workcal.workday_hours())
        deadlines.start_clock(case, "finish", now, due_at=due)
    else:
        deadlines.stop_clock(case)


def _tell(case: Case, name: str, note: str, previous_organisation) -> None:
    if name in ("dispatch", "reassign"):
        notices.dispatched(case)
    elif name == "answer":
        notices.answered(case, note)
    elif name in ("close", "resolve_on_spot", "close_referral"):
        notices.closed(case, note)
    elif name == "return":
        notices.returned(case, previous_organisation, note)


@transaction.atomic
def register_referral(
    *,
    acting_user,
    area: Area,
    description: str,
    category,
    organisation,
    reporter_name: str = "",
    reporter_phone: str = "",
) -> Case:
    """Story S8: a call at 20:10 about something that is another organisation's job. The cadre gives the
    number, and the concern is still recorded as a referred case that reminds her to check tomorrow."""
    case = register_case(
        acting_user=acting_user,
        description=description,
        area=area,
        category=category,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
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


# Photos: JPEG, PNG or WebP (what phones send), recognised by their first bytes, not by the name.
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def check_photo(upload):
    """The upload, with `photo_type` and `photo_ext` set; or InvalidInput saying what is wrong."""
    if upload.size > PHOTO_MAX_BYTES:
        raise InvalidInput(
            _("The photo %(name)s is larger than %(mb)d MB.")
            % {"name": upload.name, "mb": PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    for signature, content_type, ext in PHOTO_SIGNATURES:
        if head.startswith(signature):
            upload.photo_type, upload.photo_ext = content_type, ext
            return upload
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        upload.photo_type, upload.photo_ext = "image/webp", "webp"
        return upload
    raise InvalidInput(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": upload.name})


def _save_photo(case: Case, upload, kind: str, user) -> Photo:
    photo = Photo(case=case, kind=kind, content_type=upload.photo_type, size=upload.size, uploaded_by=user)
    photo.file.save(f"{uuid.uuid4().hex}.{upload.photo_ext}", upload, save=False)
    photo.save()
    return photo


@transaction.atomic
def add_photos(*, acting_user, case: Case, photos, kind: str = Photo.Kind.REPORT) -> list[Photo]:
    """Photos of the problem, added by the staff who recorded it (or later, on a visit)."""
    _require_staff(acting_user, case.area)
    checked = [check_photo(photo) for photo in photos]
    if not checked:
        raise InvalidInput(_("Choose a photo."))
    saved = [_save_photo(case, photo, kind, acting_user) for photo in checked]
    audit.record(
        actor=acting_user,
        action="cases.case.photos",
        target=case,
        area_path=case.area.path,
        changes={"photos": [None, len(saved)]},
    )
    return saved


@transaction.atomic
def merge_cases(*, acting_user, keep: Case, duplicate: Case, note: str = "") -> Case:
    """Two cases found to be the same concern: the duplicate closes into the kept one, which takes over
    all its reporters (a resident who reported both stays one reporter)."""
    # Lock both rows in id order: two opposite merges at once queue instead of deadlocking.
    rows = Case.objects.select_for_update(of=("self",)).select_related("area")
    locked = {case.pk: case for case in rows.filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    for case in (keep, duplicate):
        require(acting_user, Cap.SUPERVISE_CASES, case.area)
    if keep.pk == duplicate.pk:
        raise InvalidInput(_("A case cannot be merged into itself."))
    if duplicate.status == Status.CLOSED or keep.status == Status.CLOSED:
        raise InvalidInput(_("Only open cases can be merged; reopen a closed one first."))
    known = set(keep.reporters.exclude(resident=None).values_list("resident_id", flat=True))
    moved = 0
    for reporter in duplicate.reporters.all():
        if reporter.resident_id in known:
            continue
        reporter.case = keep
        reporter.save(update_fields=["case"])
        moved += 1
    duplicate.status, duplicate.merged_into, duplicate.closed_at = Status.CLOSED, keep, timezone.now()
    deadlines.stop_clock(duplicate)
    duplicate.version += 1
    duplicate.save()
    keep.version += 1
    keep.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=acting_user,
        action="cases.case.merged_into",
        target=duplicate,
        area_path=duplicate.area.path,
        changes={"status": [None, Status.CLOSED], "merged_into": [None, keep.reference]},
        reason=note.strip(),
    )
    audit.record(
        actor=acting_user,
        action="cases.case.merged_from",
        target=keep,
        area_path=keep.area.path,
        changes={"merged_from": [None, duplicate.reference], "reporters": [None, moved]},
        reason=note.strip(),
    )
    notices.changed(duplicate, "case.closed")
    return keep


@transaction.atomic
def request_extension(*, acting_user, case: Case, days: int, reason: str) -> Extension:
    """延期: the handler needs more time to finish (parts on order, a contractor to book)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("area").get(pk=case.pk)
    if acts_as(acting_user, case) != "handler":
        raise Forbidden()
    if case.status != Status.ACCEPTED:
        raise InvalidInput(
            _("More time can be asked for once the case is accepted and until it is answered.")
        )
    if not 1 <= days <= 30:
        raise InvalidInput(_("Ask for 1 to 30 working days."))
    if not reason.strip():
        raise InvalidInput(_("Say why more time is needed."))
    if case.extensions.filter(state=Extension.State.PENDING).exists():
        raise InvalidInput(_("A request for more time is already waiting for a decision."))
    extension = Extension.objects.create(
        case=case, requested_by=acting_user, days=days, reason=reason.strip()
    )
    audit.record(
        actor=acting_user,
        action="cases.case.extension_requested",
        target=case,
        area_path=case.area.path,
        changes={"days": [None, days]},
        reason=reason.strip(),
    )
    notices.extension_requested(extension)
    return extension


@transaction.atomic
def decide_extension(
    *, acting_user, extension: Extension, grant: bool, note: str = "", now=None
) -> Extension:
    """A supervisor grants (the finish limit moves by the days asked) or refuses (with a reason)."""
    now = now or timezone.now()
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "category")
        .get(pk=extension.case_id)
    )
    require(acting_user, Cap.SUPERVISE_CASES, case.area)
    if extension.state != Extension.State.PENDING:
        raise Conflict(_("This request was already decided."))
    if not grant and not note.strip():
        raise InvalidInput(_("Say why the request is refused."))
    extension.state = Extension.State.GRANTED if grant else Extension.State.REFUSED
    extension.decided_by, extension.decided_at, extension.decision_note = acting_user, now, note.strip()
    extension.save()
    changes = {"extension": [None, extension.state]}
    if grant and case.status == Status.ACCEPTED:
        base = case.finish_due_at or now  # the limit moves by the days granted
        due = workcal.add_working_hours(base, extension.days * workcal.workday_hours())
        changes["due_at"] = [_iso(case.due_at), _iso(due)]
        deadlines.start_clock(case, "finish", now, due_at=due)
        case.version += 1
        case.save()
    audit.record(
        actor=acting_user,
        action=f"cases.case.extension_{extension.state}",
        target=case,
        area_path=case.area.path,
        changes=changes,
        reason=note.strip(),
    )
    extension.case = case
    notices.extension_decided(extension)
    return extension


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


@transaction.atomic
def record_feedback(
    *,
    acting_user,
    case: Case,
    reporter: Reporter | None,
    contacted: bool,
    solved: bool | None = None,
    rating: str = "",
    note: str = "",
) -> Feedback:
    """回访: the reporter was called back after closing. Not satisfied reopens the case with their words."""
    case = Case.objects.select_for_update(of=("self",)).select_related("area").get(pk=case.pk)
    _require_staff(acting_user, case.area)
    if case.status != Status.CLOSED or case.merged_into_id:
        raise InvalidInput(_("Call-backs are recorded once a case is closed."))
    if reporter is not None and reporter.case_id != case.pk:
        raise InvalidInput(_("This person is not a reporter of this case."))
    if contacted and rating not in Rating.values:
        raise InvalidInput(_("Say how satisfied they are."))
    if not contacted:
        solved, rating = None, ""
    if rating == Rating.UNSATISFIED and not note.strip():
        raise InvalidInput(_("Write what they are not satisfied with: the case reopens with it."))
    feedback = Feedback.objects.create(
        case=case,
        area=case.area,
        reporter=reporter,
        contacted=contacted,
        solved=solved,
        rating=rating,
        note=note.strip(),
        recorded_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="cases.case.feedback",
        target=case,
        area_path=case.area.path,
        changes={"rating": [case.rating or None, rating or None]} if rating else {},
        reason=note.strip(),
    )
    if rating:
        case.rating = rating
        case.version += 1
        case.save(update_fields=["rating", "version", "updated_at"])
    if rating == Rating.UNSATISFIED:
        transition(
            acting_user=acting_user,
            case=case,
            name="reopen",
            expected_version=case.version,
            note=_("Not satisfied: %(why)s") % {"why": note.strip()},
        )
    return feedback


def reveal_reporter_phone(*, acting_user, reporter: Reporter, reason: str) -> str:
    """The full number, to call a reporter back; who looked, when and why goes on the case's timeline."""
    case = reporter.case
    require(acting_user, Cap.UNMASK_PHONE, case.area)
    if len(reason.strip()) < 2:
        raise InvalidInput(_("Say why you need to see the full value."))
    audit.record(
        actor=acting_user,
        action="cases.reporter.reveal.phone",
        target=case,
        area_path=case.area.path,
        reason=reason.strip(),
    )
    return reporter.contact_phone


def _reporter_is(user) -> Q:
    """The reporter rows that are this portal user: by their account, or by their registry record."""
    q = Q(account_id=user.pk)
    if user.resident_id:
        q |= Q(resident_id=user.resident_id)
    return q


@transaction.atomic
def resident_feedback(*, acting_user, case: Case, rating: str, note: str = "", now=None) -> Feedback:
    """The reporter rates the outcome in the portal. "Not satisfied" reopens the case with their reason,
    exactly as a call-back would."""
    now = now or timezone.now()
    case = Case.objects.select_for_update(of=("self",)).select_related("area", "category").get(pk=case.pk)
    reporter = case.reporters.filter(_reporter_is(acting_user)).first()
    if reporter is None:
        raise Forbidden()
    if case.status != Status.CLOSED or case.merged_into_id:
        raise InvalidInput(_("You can rate a concern once it is closed."))
    if rating not in Rating.values:
        raise InvalidInput(_("Say how satisfied you are."))
    if Feedback.objects.filter(case=case, reporter=reporter, recorded_at__gte=case.closed_at).exists():
        raise InvalidInput(_("You have already rated this outcome."))
    if rating == Rating.UNSATISFIED and not note.strip():
        raise InvalidInput(_("Say what is not right: the concern is reopened with your words."))
    feedback = Feedback.objects.create(
        case=case,
        area=case.area,
        reporter=reporter,
        contacted=True,
        solved=rating != Rating.UNSATISFIED,
        rating=rating,
        note=note.strip(),
        recorded_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="cases.case.feedback",
        target=case,
        area_path=case.area.path,
        changes={"rating": [case.rating or None, rating]},
        reason=note.strip(),
    )
    case.rating = rating
    if rating == Rating.UNSATISFIED:
        _apply(
            case,
            TRANSITIONS["reopen"],
            acting_user,
            note=_("Not satisfied: %(why)s") % {"why": note.strip()},
            now=now,
        )
    else:
        case.version += 1
        case.save(update_fields=["rating", "version", "updated_at"])
    return feedback
