"""Writes to the people registry: create and edit residents, change their status, tag them, reveal their
personal data. Each is atomic, checks role and scope, and writes the audit trail."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap, can
from minqing.core import audit, crypto
from minqing.core.concurrency import save_versioned
from minqing.core.errors import Forbidden, InvalidInput
from minqing.core.identity import birth_date_from_id, sex_from_id, validate_id_number, validate_phone
from minqing.places.models import Area, Household
from minqing.places.permissions import require

from .models import Resident, ResidentStatus, ResidentTag, StatusChange, TagType

audit.register_labels(
    {
        "people.resident.create": gettext_lazy("Registered"),
        "people.resident.update": gettext_lazy("Details changed"),
        "people.resident.status": gettext_lazy("Status changed"),
        "people.resident.tag": gettext_lazy("Tag added"),
        "people.resident.untag": gettext_lazy("Tag removed"),
        "people.resident.reveal.phone": gettext_lazy("Full phone number viewed"),
        "people.resident.reveal.id_number": gettext_lazy("Full ID number viewed"),
        "people.tagtype.create": gettext_lazy("Tag type added"),
        "people.tagtype.update": gettext_lazy("Tag type changed"),
    }
)

RESIDENT_FIELDS = [
    "name",
    "sex",
    "birth_date",
    "phone",
    "id_number",
    "household",
    "relation",
    "residence_type",
    "note",
]


def apply_identity(resident: Resident, *, phone: str | None, id_number: str | None) -> None:
    """Validate, normalise and set phone and ID number together with their lookup digests."""
    if phone is not None:
        resident.phone = validate_phone(phone) if phone.strip() else ""
        resident.phone_digest = crypto.digest(resident.phone)
    if id_number is not None:
        resident.id_number = validate_id_number(id_number) if id_number.strip() else ""
        resident.id_digest = crypto.digest(resident.id_number)
        if resident.id_number:
            resident.birth_date = resident.birth_date or birth_date_from_id(resident.id_number)
            resident.sex = resident.sex or sex_from_id(resident.id_number)


def _check_consistent(resident: Resident) -> None:
    """An ID number carries the birth date and sex: a form must not contradict it."""
    if not resident.id_number:
        return
    if resident.birth_date and resident.birth_date != birth_date_from_id(resident.id_number):
        raise InvalidInput(_("The birth date does not match the one in the ID number."))
    if resident.sex and resident.sex != sex_from_id(resident.id_number):
        raise InvalidInput(_("The sex does not match the ID number."))


def _duplicate_id(resident: Resident) -> bool:
    if not resident.id_digest:
        return False
    # `.exclude(id_digest="")` lets SQLite use the partial unique index instead of scanning the table.
    others = Resident.objects.filter(id_digest=resident.id_digest).exclude(id_digest="")
    return others.exclude(pk=resident.pk).exists()


@transaction.atomic
def create_resident(
    *,
    acting_user,
    name: str,
    household: Household | None = None,
    area: Area | None = None,
    phone: str = "",
    id_number: str = "",
    sex: str = "",
    birth_date: datetime.date | None = None,
    relation: str = "",
    residence_type: str = "registered",
    note: str = "",
) -> Resident:
    area = household.area if household else area
    if area is None or area.kind != "grid":
        raise InvalidInput(_("A resident needs a household or a grid."))
    require(acting_user, Cap.EDIT_REGISTRY, area)
    if not name.strip():
        raise InvalidInput(_("Enter the resident's name."))
    resident = Resident(
        name=name.strip(),
        household=household,
        area=area,
        sex=sex,
        birth_date=birth_date,
        relation=relation,
        residence_type=residence_type,
        note=note,
    )
    apply_identity(resident, phone=phone, id_number=id_number)
    _check_consistent(resident)
    if _duplicate_id(resident):
        raise InvalidInput(_("A resident with this ID number is already registered."))
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise InvalidInput(_("A resident with this ID number is already registered.")) from None
    audit.record(
        actor=acting_user,
        action="people.resident.create",
        target=resident,
        area_path=area.path,
        changes={"name": [None, resident.name]},
    )
    return resident


@transaction.atomic
def create_residents(*, acting_user, residents: list[dict]) -> list[Resident]:
    """Register many residents at once (ledger import): the checks of create_resident, in bulk.

    Each item holds create_resident's keyword arguments. A bad item raises InvalidInput (or the
    ValidationError of its phone or ID number) with `extra["index"]` naming it; nothing is saved then.
    """
    checked: set[int] = set()
    built: list[Resident] = []
    for index, data in enumerate(residents):
        household = data.get("household")
        area = household.area if household else data.get("area")
        try:
            if area is None or area.kind != "grid":
                raise InvalidInput(_("A resident needs a household or a grid."))
            if area.pk not in checked:
                require(acting_user, Cap.EDIT_REGISTRY, area)
                checked.add(area.pk)
            name = (data.get("name") or "").strip()
            if not name:
                raise InvalidInput(_("Enter the resident's name."))
            fields = {
                k: v for k, v in data.items() if k not in ("household", "area", "name", "phone", "id_number")
            }
            resident = Resident(name=name, household=household, area=area, **fields)
            apply_identity(resident, phone=data.get("phone", ""), id_number=data.get("id_number", ""))
            _check_consistent(resident)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), extra={"index": index}) from None
        except InvalidInput as error:
            error.extra.setdefault("index", index)
            raise
        built.append(resident)
    _refuse_duplicate_ids(built)
    try:
        with transaction.atomic():
            Resident.objects.bulk_create(built, batch_size=500)
    except IntegrityError:
        raise InvalidInput(_("A resident with this ID number is already registered.")) from None
    audit.record_many(
        actor=acting_user, action="people.resident.create", targets=built, area_path_of=lambda r: r.area.path
    )
    return built


def _refuse_duplicate_ids(residents: list[Resident]) -> None:
    first_index: dict[str, int] = {}
    for index, resident in enumerate(residents):
        if not resident.id_digest:
            continue
        if resident.id_digest in first_index:
            raise InvalidInput(
                _("A resident with this ID number is already registered."), extra={"index": index}
            )
        first_index[resident.id_digest] = index
    digests = list(first_index)
    for start in range(0, len(digests), 500):
        taken = Resident.objects.filter(id_digest__in=digests[start : start + 500]).exclude(id_digest="")
        digest = taken.values_list("id_digest", flat=True).first()
        if digest is not None:
            raise InvalidInput(
                _("A resident with this ID number is already registered."),
                extra={"index": first_index[digest]},
            )


@transaction.atomic
def update_resident(*, acting_user, resident: Resident, expected_version: int, **changes) -> Resident:
    require(acting_user, Cap.EDIT_REGISTRY, resident.area)
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown resident fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    before = audit.snapshot(resident, changes)
    phone = changes.pop("phone", None)
    id_number = changes.pop("id_number", None)
    household = changes.get("household", resident.household)
    if household is not None and household != resident.household:
        require(acting_user, Cap.EDIT_REGISTRY, household.area)
        resident.area = household.area
    for name, value in changes.items():
        setattr(resident, name, value)
    apply_identity(resident, phone=phone, id_number=id_number)
    if id_number is not None or {"birth_date", "sex"} & set(changes):
        _check_consistent(resident)
    if _duplicate_id(resident):
        raise InvalidInput(_("A resident with this ID number is already registered."))
    fields = [*changes, "area", "sex", "birth_date"]
    if phone is not None:
        fields += ["phone", "phone_digest"]
    if id_number is not None:
        fields += ["id_number", "id_digest"]
    save_versioned(resident, expected_version=expected_version, fields=fields)
    after = audit.snapshot(resident, before)
    audit.record(
        actor=acting_user,
        action="people.resident.update",
        target=resident,
        area_path=resident.area.path,
        changes=audit.diff(before, after),
    )
    return resident


@transaction.atomic
def change_status(
    *,
    acting_user,
    resident: Resident,
    expected_version: int,
    to_status: str,
    effective_date: datetime.date,
    note: str = "",
) -> Resident:
    """Move out, death, or moving back: the resident stays in the registry with their history."""
    require(acting_user, Cap.EDIT_REGISTRY, resident.area)
    if to_status not in ResidentStatus.values:
        raise InvalidInput(_("Unknown status."))
    if to_status == resident.status:
        raise InvalidInput(_("The resident already has this status."))
    if resident.status == ResidentStatus.DECEASED:
        raise InvalidInput(_("A deceased resident's status cannot change."))
    from_status = resident.status
    resident.status = to_status
    resident.status_since = effective_date
    save_versioned(resident, expected_version=expected_version, fields=["status", "status_since"])
    StatusChange.objects.create(
        resident=resident,
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        note=note,
        actor=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="people.resident.status",
        target=resident,
        area_path=resident.area.path,
        changes={"status": [from_status, to_status]},
        reason=note,
    )
    return resident


@transaction.atomic
def tag_resident(
    *,
    acting_user,
    resident: Resident,
    tag_type: TagType,
    legal_basis: str = "",
    review_date: datetime.date | None = None,
    note: str = "",
) -> ResidentTag:
    require(acting_user, Cap.EDIT_REGISTRY, resident.area)
    if tag_type.sensitive:
        if not can(acting_user, Cap.VIEW_SENSITIVE_TAGS):
            raise Forbidden()
        if not legal_basis.strip():
            raise InvalidInput(_("A sensitive tag needs its legal basis or the consent reference."))
    if ResidentTag.objects.filter(resident=resident, tag_type=tag_type).exists():
        raise InvalidInput(_("The resident already has this tag."))
    tag = ResidentTag.objects.create(
        resident=resident,
        tag_type=tag_type,
        legal_basis=legal_basis.strip(),
        review_date=review_date,
        note=note,
        added_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="people.resident.tag",
        target=resident,
        area_path=resident.area.path,
        changes={"tag": [None, tag_type.name]},
        reason=legal_basis,
    )
    return tag


@transaction.atomic
def untag_resident(*, acting_user, tag: ResidentTag, reason: str = "") -> None:
    resident = tag.resident
    require(acting_user, Cap.EDIT_REGISTRY, resident.area)
    if tag.tag_type.sensitive and not can(acting_user, Cap.VIEW_SENSITIVE_TAGS):
        raise Forbidden()
    audit.record(
        actor=acting_user,
        action="people.resident.untag",
        target=resident,
        area_path=resident.area.path,
        changes={"tag": [tag.tag_type.name, None]},
        reason=reason,
    )
    tag.delete()


REVEALABLE = {"phone": Cap.UNMASK_PHONE, "id_number": Cap.UNMASK_ID}


@transaction.atomic
def reveal(*, acting_user, resident: Resident, field: str, reason: str) -> str:
    """Return the full value of a masked field, and record who saw whose what, when and why."""
    cap = REVEALABLE.get(field)
    if cap is None:
        raise InvalidInput(_("This field cannot be revealed."))
    require(acting_user, cap, resident.area)
    if len(reason.strip()) < 2:
        raise InvalidInput(_("Say why you need to see the full value."))
    audit.record(
        actor=acting_user,
        action=f"people.resident.reveal.{field}",
        target=resident,
        area_path=resident.area.path,
        reason=reason.strip(),
    )
    return getattr(resident, field)


TAG_TYPE_FIELDS = ["name", "sensitive", "description", "default_legal_basis", "review_months", "active"]


@transaction.atomic
def save_tag_type(*, acting_user, tag_type: TagType | None = None, code: str = "", **fields) -> TagType:
    """Create a tag type, or change one. Tag types are never deleted: they are switched off (`active`)."""
    if not can(acting_user, Cap.MANAGE_TAG_TYPES):
        raise Forbidden()
    unknown = set(fields) - set(TAG_TYPE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown tag type fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if fields.get("sensitive") and not (fields.get("default_legal_basis") or "").strip():
        raise InvalidInput(_("A sensitive tag type needs its usual legal basis."))
    created = tag_type is None
    before = {} if created else audit.snapshot(tag_type, fields)
    if created:
        code = code.strip() or f"tag-{TagType.objects.count() + 1}"
        while TagType.objects.filter(code=code).exists():
            code = f"{code}-1"
        tag_type = TagType(code=code)
    for name, value in fields.items():
        setattr(tag_type, name, value)
    try:
        with transaction.atomic():
            tag_type.save()
    except IntegrityError:
        raise InvalidInput(_("A tag type with this name or code already exists.")) from None
    audit.record(
        actor=acting_user,
        action="people.tagtype.create" if created else "people.tagtype.update",
        target=tag_type,
        changes=audit.diff(before, audit.snapshot(tag_type, fields)) if before else {},
    )
    return tag_type
