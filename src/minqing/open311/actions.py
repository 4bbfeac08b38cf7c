"""Writes for Open311: issuing and revoking client keys, setting up a community as a jurisdiction, and a
request posted by a client becoming a case (through `cases.actions.intake_case`, like every case that
arrives without a staff member). Each is atomic and audited."""

import math
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap
from minqing.cases.actions import intake_case
from minqing.cases.models import Case, Channel
from minqing.core import audit
from minqing.core.concurrency import save_versioned
from minqing.core.errors import Forbidden, InvalidInput
from minqing.core.identity import validate_phone
from minqing.directory.models import Category
from minqing.places.models import Area
from minqing.places.permissions import require

from . import selectors
from .formats import parse_w3c
from .models import JURISDICTION_ID, Client, Datatype, Jurisdiction, ServiceAttribute, Submission

audit.register_labels(
    {
        "open311.client.issue": gettext_lazy("Open311 key issued"),
        "open311.client.revoke": gettext_lazy("Open311 key revoked"),
        "open311.jurisdiction.create": gettext_lazy("Open311 jurisdiction set up"),
        "open311.jurisdiction.update": gettext_lazy("Open311 jurisdiction changed"),
        "open311.request.details": gettext_lazy("Open311 details received"),
    }
)

DESCRIPTION_MAX = 4000  # the spec's limit


class RequestInvalid(InvalidInput):
    """Several things wrong with one request: the spec returns them all at once."""

    def __init__(self, messages: list[str]):
        super().__init__(messages[0], extra={"errors": messages})


# --- keys -------------------------------------------------------------------------------------------------


def _new_key() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def issue_client(*, acting_user, name: str, jurisdictions) -> tuple[Client, str]:
    """A new client and its key. The key is returned here once and never stored: only its hash is."""
    jurisdictions = list(jurisdictions)
    if not name.strip():
        raise InvalidInput(_("Name the client, e.g. the app or the organisation running it."))
    if not jurisdictions:
        raise InvalidInput(_("Choose at least one jurisdiction the client may post to."))
    for jurisdiction in jurisdictions:
        require(acting_user, Cap.MANAGE_DIRECTORY, jurisdiction.community)
    key = _new_key()
    return _create_client(actor=acting_user, name=name, jurisdictions=jurisdictions, key=key), key


def _create_client(*, actor, name: str, jurisdictions: list[Jurisdiction], key: str) -> Client:
    client = Client.objects.create(
        name=name.strip()[:100],
        key_prefix=key[:8],
        key_hash=selectors.key_hash(key),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    client.jurisdictions.set(jurisdictions)
    for jurisdiction in jurisdictions:
        audit.record(
            actor=actor,
            action="open311.client.issue",
            target=client,
            area_path=jurisdiction.community.path,
            changes={"name": [None, client.name], "jurisdiction": [None, jurisdiction.jurisdiction_id]},
        )
    return client


@transaction.atomic
def revoke_client(*, acting_user, client: Client) -> Client:
    """The key stops working at once. Only someone who manages every community the client posts to may
    revoke it (one community cannot cut another's client off)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    jurisdictions = list(client.jurisdictions.select_related("community"))
    for jurisdiction in jurisdictions:
        require(acting_user, Cap.MANAGE_DIRECTORY, jurisdiction.community)
    if not client.active:
        raise InvalidInput(_("This key is already revoked."))
    client.active = False
    client.revoked_by = acting_user if getattr(acting_user, "pk", None) else None
    client.revoked_at = timezone.now()
    client.save(update_fields=["active", "revoked_by", "revoked_at"])
    for jurisdiction in jurisdictions:
        audit.record(
            actor=acting_user,
            action="open311.client.revoke",
            target=client,
            area_path=jurisdiction.community.path,
            changes={"active": [True, False]},
        )
    return client


# --- jurisdictions ----------------------------------------------------------------------------------------


@transaction.atomic
def save_jurisdiction(
    *,
    acting_user,
    jurisdiction: Jurisdiction | None = None,
    expected_version: int | None = None,
    jurisdiction_id: str,
    community: Area | None = None,
    default_grid: Area,
    services,
    active: bool = True,
) -> Jurisdiction:
    """Set up a community as a jurisdiction, or change one: its ID, default grid and the categories it
    offers as services."""
    community = jurisdiction.community if jurisdiction is not None else community
    if community is None or community.kind != "community":
        raise InvalidInput(_("Choose a community."))
    require(acting_user, Cap.MANAGE_DIRECTORY, community)
    jurisdiction_id = jurisdiction_id.strip().lower()
    try:
        JURISDICTION_ID(jurisdiction_id)
    except ValidationError as error:
        raise InvalidInput(error.messages[0]) from None
    if default_grid.kind != "grid" or not default_grid.path.startswith(community.path):
        raise InvalidInput(_("Choose a grid of this community as the default grid."))
    services = list(services)
    if any(not category.active for category in services):
        raise InvalidInput(_("Only categories in use can be offered."))
    taken = Jurisdiction.objects.filter(jurisdiction_id=jurisdiction_id)
    if jurisdiction is not None:
        taken = taken.exclude(pk=jurisdiction.pk)
    if taken.exists():
        raise InvalidInput(_("Another community already uses this jurisdiction ID."))
    if jurisdiction is None:
        try:
            with transaction.atomic():
                jurisdiction = Jurisdiction.objects.create(
                    jurisdiction_id=jurisdiction_id,
                    community=community,
                    default_grid=default_grid,
                    active=active,
                )
        except IntegrityError:
            raise InvalidInput(_("This community is already a jurisdiction.")) from None
        before = {"jurisdiction_id": None, "default_grid": None, "active": None, "services": None}
        action = "open311.jurisdiction.create"
    else:
        jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
        before = {
            "jurisdiction_id": jurisdiction.jurisdiction_id,
            "default_grid": str(jurisdiction.default_grid),
            "active": jurisdiction.active,
            "services": sorted(jurisdiction.services.values_list("code", flat=True)),
        }
        jurisdiction.jurisdiction_id, jurisdiction.default_grid, jurisdiction.active = (
            jurisdiction_id,
            default_grid,
            active,
        )
        save_versioned(
            jurisdiction,
            expected_version=expected_version or jurisdiction.version,
            fields=["jurisdiction_id", "default_grid", "active"],
        )
        action = "open311.jurisdiction.update"
    jurisdiction.services.set(services)
    after = {
        "jurisdiction_id": jurisdiction_id,
        "default_grid": str(default_grid),
        "active": active,
        "services": sorted(category.code for category in services),
    }
    audit.record(
        actor=acting_user,
        action=action,
        target=jurisdiction,
        area_path=community.path,
        changes={name: [before[name], after[name]] for name in after if before[name] != after[name]},
    )
    return jurisdiction


# --- requests ---------------------------------------------------------------------------------------------


@transaction.atomic
def submit_request(
    *,
    client: Client,
    jurisdiction: Jurisdiction,
    category: Category,
    description: str = "",
    lat: Decimal | None = None,
    long: Decimal | None = None,
    address_string: str = "",
    address_id: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    media_url: str = "",
    answers: dict[str, list[str]] | None = None,
) -> Case:
    """POST requests: a client's request becomes a registered case in the jurisdiction's community,
    channel Open311, waiting for the grid's staff like any other. Placed at the building named by
    `address_id`, else at the building nearest to lat/long (within 100 m), else in the default grid with
    the address as given. Everything wrong is reported at once (RequestInvalid)."""
    if not selectors.may_post(client, jurisdiction):
        raise Forbidden(_("This api_key may not post to this jurisdiction."))
    if not jurisdiction.services.filter(pk=category.pk, active=True).exists():
        raise InvalidInput(_("This service is not offered here."))
    errors: list[str] = []
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        errors.append(_("description is limited to 4,000 characters."))
    address_string = address_string.strip()
    if len(address_string) > 200:
        errors.append(_("address_string is limited to 200 characters."))
    if (lat is None) != (long is None):
        errors.append(_("lat and long must be sent together."))
    if lat is None and long is None and not address_string and not address_id.strip():
        errors.append(_("Say where: lat and long, address_string or address_id."))
    building = None
    if address_id.strip():
        building = selectors.building_by_code(jurisdiction, address_id.strip())
        if building is None:
            errors.append(_("address_id was not found in this jurisdiction."))
    elif lat is not None and long is not None:
        building = selectors.nearest_building(jurisdiction, lat, long)
    name = _name(first_name.strip(), last_name.strip())
    if len(name) > 60:
        errors.append(_("first_name and last_name are limited to 60 characters together."))
    if phone.strip():
        try:
            phone = validate_phone(phone)
        except ValidationError as error:
            errors.append(_("phone: %(why)s") % {"why": error.messages[0]})
    media_url = media_url.strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors.append(_("media_url must be an http or https URL of at most 500 characters."))
    definitions = selectors.attributes(category)
    values, attribute_errors = clean_answers(definitions, answers or {})
    errors += attribute_errors
    if errors:
        raise RequestInvalid(errors)

    case = intake_case(
        submitted_by=None,
        source=f"Open311 · {client.name}",
        channel=Channel.OPEN311,
        description=description or category.name,
        area=jurisdiction.default_grid if building is None else None,
        building=building,
        reporter_name=name,
        reporter_phone=phone,
        category=category,
        latitude=lat,
        longitude=long,
        address=address_string,
    )
    Submission.objects.create(
        case=case, jurisdiction=jurisdiction, client=client, attributes=values, media_url=media_url
    )
    if values or media_url:
        audit.record(
            actor=None,
            action="open311.request.details",
            target=case,
            area_path=case.area.path,
            changes={"attributes": [None, values]} if values else {},
            reason=_details(definitions, values, media_url),
        )
    Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return case


_CJK = re.compile(r"[\u3400-\u9fff]")


def _name(first: str, last: str) -> str:
    """王 + 秀兰 → 王秀兰; John + Smith → John Smith."""
    if _CJK.search(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def clean_answers(
    definitions: list[ServiceAttribute], answers: dict[str, list[str]]
) -> tuple[dict[str, str | list[str]], list[str]]:
    """Check the answers to a service's questions against its definition: required answers present, each
    of its type, list answers among the choices. Answers to questions the service does not ask, and to
    questions that only inform (`variable` false), are ignored."""
    values: dict[str, str | list[str]] = {}
    errors: list[str] = []
    for definition in definitions:
        if not definition.variable:
            continue
        given = [value.strip() for value in answers.get(definition.code, []) if value.strip()]
        label = {"code": definition.code}
        if not given:
            if definition.required:
                errors.append(_("attribute[%(code)s] is required.") % label)
            continue
        if definition.datatype != Datatype.MULTI and len(given) > 1:
            errors.append(_("attribute[%(code)s] takes one value.") % label)
            continue
        if definition.datatype == Datatype.MULTI:
            unknown = [value for value in given if value not in definition.keys]
            if unknown:
                errors.append(_("attribute[%(code)s]: not one of the listed keys.") % label)
            else:
                values[definition.code] = given
            continue
        value = given[0]
        if definition.datatype == Datatype.SINGLE and value not in definition.keys:
            errors.append(_("attribute[%(code)s]: not one of the listed keys.") % label)
        elif definition.datatype == Datatype.NUMBER and not _is_number(value):
            errors.append(_("attribute[%(code)s] must be a number.") % label)
        elif definition.datatype == Datatype.DATETIME and not _is_datetime(value):
            errors.append(_("attribute[%(code)s] must be a W3C date or datetime.") % label)
        elif definition.datatype == Datatype.STRING and ("\n" in value or "\r" in value):
            errors.append(_("attribute[%(code)s] must be one line.") % label)
        elif len(value) > 1000:
            errors.append(_("attribute[%(code)s] is limited to 1,000 characters.") % label)
        else:
            values[definition.code] = value
    return values, errors


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_datetime(value: str) -> bool:
    try:
        parse_w3c(value)
    except ValueError:
        return False
    return True


def _details(definitions: list[ServiceAttribute], values: dict, media_url: str) -> str:
    """For staff, on the case's timeline: the answers and the media URL (which Minqing does not fetch)."""
    names = {definition.code: definition for definition in definitions}
    lines = []
    for code, value in values.items():
        definition = names[code]
        choices = {str(v["key"]): str(v["name"]) for v in definition.values or ()}
        shown = [choices.get(v, v) for v in value] if isinstance(value, list) else [choices.get(value, value)]
        lines.append(f"{definition.description}: {', '.join(shown)}")
    if media_url:
        lines.append(_("Media (not fetched): %(url)s") % {"url": media_url})
    return "\n".join(lines)


# --- the demo ---------------------------------------------------------------------------------------------


def demo_key() -> str:
    return settings.MINQING_DEMO_OPEN311_KEY


@transaction.atomic
def ensure_demo_client(*, key: str | None = None, communities=None) -> Client | None:
    """With MINQING_DEMO_OPEN311_KEY set (or `key` given), make the demo communities jurisdictions (ID: the
    community's code in lower case, every category in use offered, the first grid as default) and issue
    that key to a "Demo client" that may post to all of them. Safe to run again. Nothing without a key,
    and never in production."""
    key = (key if key is not None else demo_key()).strip()
    if not key:
        return None
    if settings.ENV == "production":
        raise InvalidInput(_("The demo Open311 key is not issued in production."))
    communities = (
        list(communities)
        if communities is not None
        else list(Area.objects.filter(kind="community").order_by("path"))
    )
    offered = list(Category.objects.filter(active=True))
    jurisdictions = []
    for community in communities:
        jurisdiction = Jurisdiction.objects.filter(community=community).first()
        if jurisdiction is None:
            grid = Area.objects.filter(kind="grid", path__startswith=community.path).order_by("pk").first()
            if grid is None:
                continue
            jurisdiction = Jurisdiction.objects.create(
                jurisdiction_id=_jurisdiction_id_for(community), community=community, default_grid=grid
            )
            jurisdiction.services.set(offered)
            audit.record(
                actor=None,
                action="open311.jurisdiction.create",
                target=jurisdiction,
                area_path=community.path,
                changes={"jurisdiction_id": [None, jurisdiction.jurisdiction_id]},
                reason="demo",
            )
        jurisdictions.append(jurisdiction)
    client = Client.objects.filter(key_hash=selectors.key_hash(key)).first()
    if client is None:
        return _create_client(actor=None, name="Demo client", jurisdictions=jurisdictions, key=key)
    client.active, client.revoked_at, client.revoked_by = True, None, None
    client.save(update_fields=["active", "revoked_at", "revoked_by"])
    client.jurisdictions.add(*jurisdictions)
    return client


def _jurisdiction_id_for(community: Area) -> str:
    base = re.sub(r"[^a-z0-9.\-]+", "-", community.code.lower()).strip("-.") or f"community-{community.pk}"
    candidate = base.ljust(3, "0")[:100]
    if Jurisdiction.objects.filter(jurisdiction_id=candidate).exists():
        candidate = f"{candidate[:90]}-{community.pk}"
    return candidate
