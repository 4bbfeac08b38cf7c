"""The wire formats of GeoReport v2: XML and JSON written from one structure, and W3C datetimes.

A response is a root name, an item name and a payload: a list (`<services><service>…` / `[{…}]`) or a
dict (`<service_definition>…` / `{…}`). JSON follows the Spark convention the spec names: a repeated
element becomes an array, a list-valued field an array of its items. Booleans are `true`/`false`, datetimes
W3C with their offset, ids and codes strings. A field without a value (None or "") is left out of both
formats: the spec says such fields "may not be returned", and the Swagger file types them as non-null, so a
JSON null would not validate against it. Lists are always written, empty or not (`<attributes/>`, `[]`).
"""

import datetime
import decimal
import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MIME_TYPES = {"xml": "text/xml", "json": "application/json"}

# The element name of one item of each list-valued field.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
}

# Characters XML 1.0 cannot carry, even escaped; a description pasted from somewhere may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3c(moment: datetime.datetime, tz=None) -> str:
    """2026-03-01T09:30:00+08:00: local time with its offset, as the spec requires."""
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


_W3C_INPUT = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))?$"
)


def parse_w3c(value: str) -> datetime.datetime:
    """A W3C datetime with its time zone, or a plain date (midnight, local time). Raises ValueError.

    A '+' that was not URL-encoded arrives as a space ("…T08:00:00 08:00"): it is read as the '+' it was."""
    value = value.strip()
    if re.search(r" \d{2}:\d{2}$", value):
        value = value[:-6] + "+" + value[-5:]
    if not _W3C_INPUT.match(value):
        raise ValueError(value)
    if "T" not in value:
        day = datetime.date.fromisoformat(value)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _text(value, tz) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return w3c(value, tz)
    return _NOT_XML.sub("", str(value))


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _append(parent: ET.Element, name: str, value, tz) -> None:
    if _empty(value):
        return
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item, tz)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, ITEM_NAMES[name], item, tz)
    else:
        element.text = _text(value, tz)


def to_xml(root: str, payload) -> str:
    tz = timezone.get_current_timezone()
    element = ET.Element(root)
    if isinstance(payload, dict):
        for key, value in payload.items():
            _append(element, key, value, tz)
    else:
        for item in payload:
            _append(element, ITEM_NAMES[root], item, tz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")


def _plain(value, tz):
    if isinstance(value, dict):
        return {key: _plain(item, tz) for key, item in value.items() if item is not None and item != ""}
    if isinstance(value, list | tuple):
        return [_plain(item, tz) for item in value]
    if isinstance(value, datetime.datetime):
        return w3c(value, tz)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def to_json(payload) -> str:
    return json.dumps(_plain(payload, timezone.get_current_timezone()), ensure_ascii=False)


def respond(fmt: str, root: str, payload, *, status: int = 200) -> HttpResponse:
    body = to_xml(root, payload) if fmt == "xml" else to_json(payload)
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[fmt])
