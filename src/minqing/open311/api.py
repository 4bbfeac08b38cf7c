"""The Open311 GeoReport v2 endpoints under /open311/v2/: plain Django views, public (no login), XML and
JSON. Reads need no key; POST requests needs the client's `api_key` (403 without a valid one), and is
CSRF-exempt because the key, not a session, authenticates it. The views parse and answer; what is published
is decided in selectors.py, what a posted request becomes in actions.py."""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from minqing.cases.models import Channel, Status
from minqing.cases.selectors import PUBLIC_NOTES, PUBLIC_STEPS
from minqing.core import audit
from minqing.core.errors import ApplicationError

from . import actions, selectors
from .formats import MIME_TYPES, parse_w3c, respond, w3c
from .models import LIST_DATATYPES

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
WINDOW = datetime.timedelta(days=90)  # the spec's default and widest range of GET requests
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        self.status, self.descriptions = status, [str(d) for d in descriptions]
        super().__init__(self.descriptions[0])


def _errors(fmt: str, status: int, descriptions: list[str]):
    """The spec's error document: <errors><error><code/><description/></error></errors>, or its JSON."""
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status)


def endpoint(*methods: str):
    """An Open311 view: public, CSRF-exempt, answers in the format of the URL's extension, and turns every
    refusal into the spec's error document with the right HTTP code (400, 403, 404)."""

    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, fmt: str, **kwargs):
            if fmt not in MIME_TYPES:
                return _errors("xml", 400, [_("Unknown format: use .xml or .json.")])
            if request.method not in allowed:
                response = _errors(fmt, 405, [_("This method is not allowed here.")])
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return _errors(fmt, error.status, error.descriptions)
            except ApplicationError as error:
                return _errors(fmt, error.status, error.extra.get("errors") or [str(error.message)])

        return login_not_required(csrf_exempt(wrapped))

    return decorate


def _params(request) -> dict[str, str]:
    """The arguments, stripped: a POST's form fields first, then the query string. An empty argument is
    the same as a missing one (the spec's "optional")."""
    merged = {key: request.GET.get(key, "") for key in request.GET}
    if request.method == "POST":
        merged |= {key: request.POST.get(key, "") for key in request.POST}
    return {key: value.strip() for key, value in merged.items() if value.strip()}


def _jurisdiction(params: dict[str, str]):
    jurisdiction_id = params.get("jurisdiction_id", "")
    if not jurisdiction_id:
        only = selectors.sole_jurisdiction()
        if only is None:  # the endpoint serves several communities (or none yet)
            raise Open311Error(400, _("jurisdiction_id was not provided."))
        return only
    jurisdiction = selectors.active_jurisdiction(jurisdiction_id.lower())
    if jurisdiction is None:
        raise Open311Error(404, _("jurisdiction_id %(id)s was not found.") % {"id": jurisdiction_id})
    return jurisdiction


# --- discovery and services -------------------------------------------------------------------------------


@endpoint("GET")
def discovery(request, *, fmt):
    changed = selectors.changeset() or EPOCH
    own = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    return respond(
        fmt,
        "discovery",
        {
            "changeset": w3c(changed),
            "contact": _(
                "Ask the community office (residents' committee) of the jurisdiction; the jurisdictions "
                "are the communities listed by services.xml for each jurisdiction_id."
            ),
            "key_service": _(
                "API keys are issued per client by a community admin or a street-office officer, in "
                "Minqing under Open311 clients. Reading needs no key; posting requests does."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": own.rsplit("/", 1)[0],
                    "changeset": w3c(changed),
                    "type": "production" if settings.ENV == "production" else "test",
                    "formats": [MIME_TYPES["xml"], MIME_TYPES["json"]],
                }
            ],
        },
    )


@endpoint("GET")
def services(request, *, fmt):
    jurisdiction = _jurisdiction(_params(request))
    return respond(fmt, "services", [_service(c) for c in selectors.services(jurisdiction)])


def _service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("Usually handled first by: %(owner)s") % {"owner": category.usual_owner}
        if category.usual_owner
        else None,
        "metadata": category.attribute_count > 0,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": category.domain,
    }


@endpoint("GET")
def service_definition(request, service_code, *, fmt):
    jurisdiction = _jurisdiction(_params(request))
    category = selectors.service(jurisdiction, service_code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code})
    return respond(
        fmt,
        "service_definition",
        {
            "service_code": category.code,
            "attributes": [_attribute(a) for a in selectors.attributes(category)],
        },
    )


def _attribute(attribute) -> dict:
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": str(v["key"]), "name": str(v["name"])} for v in attribute.values]
        if attribute.datatype in LIST_DATATYPES
        else None,
    }


# --- requests ---------------------------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests(request, *, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    params = _params(request)
    jurisdiction = _jurisdiction(params)
    extensions = params.get("extensions", "").lower() == "true"
    references = _many(request, "service_request_id")
    if references:  # "This overrides all other arguments."
        cases = selectors.requests(jurisdiction, references=references[: selectors.MAX_REQUESTS])
    else:
        statuses = {status.lower() for status in _many(request, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status is open or closed (or both, comma delimited)."))
        start, end = _window(params)
        offset, limit = _paging(params)
        cases = selectors.requests(
            jurisdiction,
            service_codes=_many(request, "service_code"),
            statuses=statuses,
            start=start,
            end=end,
            offset=offset,
            limit=limit,
        )
    return respond(fmt, "service_requests", _requests(jurisdiction, cases, extensions=extensions))


@endpoint("GET")
def request_detail(request, service_request_id, *, fmt):
    params = _params(request)
    jurisdiction = _jurisdiction(params)
    cases = selectors.requests(jurisdiction, references=[service_request_id])
    if not cases:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": service_request_id})
    extensions = params.get("extensions", "").lower() == "true"
    return respond(fmt, "service_requests", _requests(jurisdiction, cases, extensions=extensions))


@endpoint("GET")
def token(request, token, *, fmt):
    _jurisdiction(_params(request))
    raise Open311Error(
        404, _("Token %(token)s was not found: requests here get their ID at once.") % {"token": token}
    )


@endpoint("GET")
def request_updates(request, *, fmt):
    """mySociety's extension: GET servicerequestupdates, the public steps of the published requests."""
    params = _params(request)
    jurisdiction = _jurisdiction(params)
    start, end = _window(params)
    offset, limit = _paging(params)
    updates = selectors.updates(jurisdiction, start=start, end=end, offset=offset, limit=limit)
    return respond(
        fmt,
        "service_request_updates",
        [
            {
                "update_id": str(event.pk),
                "service_request_id": reference,
                "status": _status_after(event),
                "updated_datetime": event.at,
                "description": _event_text(event),
            }
            for event, reference in updates
        ],
    )


def _many(request, name: str) -> list[str]:
    """An argument that may be "declared multiple times, comma delimited": a=1,2 or a=1&a=2."""
    return [part.strip() for value in request.GET.getlist(name) for part in value.split(",") if part.strip()]


def _window(params: dict[str, str]) -> tuple[datetime.datetime, datetime.datetime]:
    """start_date/end_date: the last 90 days by default; 90 days from the one given; never wider."""
    moments = {}
    for name in ("start_date", "end_date"):
        if name in params:
            try:
                moments[name] = parse_w3c(params[name])
            except ValueError:
                raise Open311Error(
                    400,
                    _("%(name)s must be a W3C datetime with its time zone, e.g. 2010-01-01T00:00:00Z.")
                    % {"name": name},
                ) from None
    start, end = moments.get("start_date"), moments.get("end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return start, end


def _paging(params: dict[str, str]) -> tuple[int, int]:
    """The common extension: page (from 1) and page_size (at most, and by default, 1000)."""
    try:
        page = int(params.get("page", "1"))
        size = int(params.get("page_size", str(selectors.MAX_REQUESTS)))
    except ValueError:
        raise Open311Error(400, _("page and page_size are whole numbers.")) from None
    if page < 1 or not 1 <= size <= selectors.MAX_REQUESTS:
        raise Open311Error(400, _("page starts at 1; page_size is from 1 to 1000."))
    return (page - 1) * size, size


def _requests(jurisdiction, rows, *, extensions: bool) -> list[dict]:
    actions_wanted = PUBLIC_STEPS if extensions else selectors.NOTE_ACTIONS
    events = selectors.public_events([row["pk"] for row in rows], actions_wanted)
    return [_request(jurisdiction, row, events[row["pk"]], extensions=extensions) for row in rows]


def _request(jurisdiction, row: dict, events, *, extensions: bool) -> dict:
    """One request as the public sees it. Never a reporter: no name, phone or email, and the place is the
    case's, down to the building (a household's room is not given). The description is published only
    when it came in through Open311 (a public interface): staff write the other cases' descriptions from
    what residents told them, with names and rooms."""
    closed = row["status"] == Status.CLOSED
    lat = row["latitude"] if row["latitude"] is not None else row["building__latitude"]
    long = row["longitude"] if row["longitude"] is not None else row["building__longitude"]
    if row["merged_into__reference"]:
        notes = _("A duplicate of %(reference)s, followed up there.") % {
            "reference": row["merged_into__reference"]
        }
    else:
        notes = selectors.last_public_note(events)
    data = {
        "service_request_id": row["reference"],
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["description"] if row["channel"] == Channel.OPEN311 else None,
        "agency_responsible": row["organisation__name"] or jurisdiction.community.name,
        "service_notice": None,
        "requested_datetime": row["created_at"],
        "updated_datetime": (row["closed_at"] or row["updated_at"]) if closed else row["updated_at"],
        "expected_datetime": None if closed else (row["due_at"] or row["finish_due_at"]),
        "address": _address(jurisdiction, row),
        "address_id": row["building__code"],
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": row["open311__media_url"],
    }
    if extensions:
        answers = row["open311__attributes"] or {}
        data["extended_attributes"] = {
            "channel": row["channel"],
            "urgent": row["urgent"],
            "attributes": [
                {"code": code, "value": value}
                for code, values in answers.items()
                for value in (values if isinstance(values, list) else [values])
            ],
        }
        data["notes"] = [
            {"datetime": event.at, "description": _event_text(event), "type": _note_type(event)}
            for event in events
        ]
    return data


def _address(jurisdiction, row: dict) -> str:
    """Most specific first: the address given, else the building, its grid and the community."""
    if row["address"]:
        return row["address"]
    community = jurisdiction.community.name
    if row["building__code"] is not None:
        return row["building__address"] or ", ".join([row["building__name"], row["area__name"], community])
    return ", ".join([row["area__name"], community])


NOTE_TYPES = {
    "cases.case.register": "submitted",
    "cases.case.reopen": "opened",
    "cases.case.close": "closed",
    "cases.case.resolve_on_spot": "closed",
    "cases.case.close_referral": "closed",
    "cases.case.merged_into": "closed",
}


def _note_type(event) -> str:
    return NOTE_TYPES.get(event.action, "activity")


def _event_text(event) -> str:
    """The note meant for the reporter (the handler's answer, the closing note), else what happened."""
    if event.action in PUBLIC_NOTES and event.reason.strip():
        return event.reason.strip()
    return audit.describe(event)


def _status_after(event) -> str:
    status = (event.changes or {}).get("status") or [None, None]
    return "closed" if status[-1] == Status.CLOSED else "open"


# --- POST requests ----------------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _post_request(request, fmt):
    params = _params(request)
    key = params.get("api_key", "")
    if not key:
        raise Open311Error(403, _("api_key was not provided: posting requests needs a key."))
    client = selectors.client_for_key(key)
    if client is None:
        raise Open311Error(403, _("Invalid api_key received: cannot create the request."))
    jurisdiction = _jurisdiction(params)
    if not selectors.may_post(client, jurisdiction):
        raise Open311Error(403, _("This api_key may not post to this jurisdiction."))
    code = params.get("service_code", "")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = selectors.service(jurisdiction, code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    lat, long = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    answers: dict[str, list[str]] = {}
    for source in (request.POST, request.GET):
        for name in source:
            match = _ATTRIBUTE.match(name)
            if match:
                answers.setdefault(match.group(1), []).extend(source.getlist(name))
    case = actions.submit_request(
        client=client,
        jurisdiction=jurisdiction,
        category=category,
        description=params.get("description", ""),
        lat=lat,
        long=long,
        address_string=params.get("address_string", ""),
        address_id=params.get("address_id", ""),
        first_name=params.get("first_name", ""),
        last_name=params.get("last_name", ""),
        phone=params.get("phone", ""),
        media_url=params.get("media_url", ""),
        answers=answers,
    )
    notice = _(
        "Registered as %(reference)s. The community's staff pass it to whoever handles it; the usual time "
        "limit to finish is %(days)s working days."
    ) % {"reference": case.reference, "days": category.finish_days}
    return respond(
        fmt, "service_requests", [{"service_request_id": case.reference, "service_notice": notice}]
    )


def _coordinate(params: dict[str, str], name: str, bound: int) -> Decimal | None:
    if name not in params:
        return None
    try:
        value = Decimal(params[name])
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > bound:
        raise Open311Error(
            400,
            _("%(name)s must be a WGS84 number from -%(bound)s to %(bound)s.")
            % {"name": name, "bound": bound},
        )
    return value.quantize(Decimal("0.000001"))
