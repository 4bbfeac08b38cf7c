"""The specification as the tests read it: field lists parsed from the GeoReport v2 page, JSON schemas from
the Swagger file, and the Spark convention (XML ↔ JSON) to check that both formats say the same."""

import functools
import re
from pathlib import Path

import jsonschema
import yaml

SPEC_DIR = Path(__file__).resolve().parent / "spec"

# Elements that hold a list (the ⇊ rows of the spec's tables): their children repeat.
LISTS = {
    "services",
    "service_requests",
    "service_request_updates",
    "attributes",
    "values",
    "endpoints",
    "formats",
    "errors",
    "notes",
}

W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")

# mySociety's GET servicerequestupdates (not in the shared files):
# https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311
UPDATE_FIELDS = {
    "service_request_updates",
    "request_update",
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
}
# The common extensions (o311_GeoReport_v2_Extensions.md): extended attributes and notes.
EXTENSION_FIELDS = {
    "extended_attributes",
    "channel",
    "urgent",
    "attributes",
    "attribute",
    "code",
    "value",
    "notes",
    "note",
    "datetime",
    "description",
    "type",
}


@functools.cache
def response_fields(method: str) -> tuple[str, ...]:
    """The field names of a method's "Response" table in the GeoReport v2 page, in the spec's order
    (containers such as `services` ⇊ and `service` ↴ included)."""
    text = (SPEC_DIR / "georeport_v2_index.md").read_text()
    section = text.split(f"\n### {method}\n", 1)[1].split("\n### ", 1)[0]
    table = section.split("#### Response", 1)[1].split("\n####", 1)[0]
    return tuple(re.findall(r"^\|\s*`(\w+)`", table, flags=re.MULTILINE))


@functools.cache
def discovery_fields() -> set[str]:
    text = (SPEC_DIR / "o311_Service_Discovery.md").read_text()
    text = text.split("### Fields for All Versions", 1)[1].split("\n### ", 1)[0]
    return {name.rsplit(".", 1)[-1] for name in re.findall(r"\*\*([\w.]+)\*\*", text)} | {
        "discovery",
        "endpoint",
        "format",
    }


@functools.cache
def swagger() -> dict:
    return yaml.safe_load((SPEC_DIR / "o311_data_georeport_v2-1.yaml").read_text())


def swagger_schema(path: str, method: str = "get") -> dict:
    """The JSON schema of a path's 200 response, with the Swagger definitions it refers to."""
    return swagger()["paths"][path][method]["responses"]["200"]["schema"]


def definition(name: str) -> dict:
    return {"$ref": f"#/definitions/{name}"}


def validate(document, schema: dict) -> None:
    """Validate against a schema that may refer to the Swagger file's definitions (draft 4, as Swagger 2)."""
    jsonschema.Draft4Validator({**schema, "definitions": swagger()["definitions"]}).validate(document)


def element_names(element) -> list[str]:
    return [element.tag] + [name for child in element for name in element_names(child)]


def spark(element):
    """XML → the JSON the Spark convention makes of it: list elements become arrays, elements with
    children objects, the others their text."""
    if element.tag in LISTS:
        return [spark(child) for child in element]
    if len(element):
        return {child.tag: spark(child) for child in element}
    return element.text or ""


def same(from_xml, from_json) -> bool:
    """XML text and JSON values agree: booleans as true/false, numbers by value, strings as they are."""
    if isinstance(from_json, dict):
        return (
            isinstance(from_xml, dict)
            and from_xml.keys() == from_json.keys()
            and all(same(from_xml[k], from_json[k]) for k in from_json)
        )
    if isinstance(from_json, list):
        return (
            isinstance(from_xml, list)
            and len(from_xml) == len(from_json)
            and all(same(x, j) for x, j in zip(from_xml, from_json, strict=True))
        )
    if isinstance(from_json, bool):
        return from_xml == ("true" if from_json else "false")
    if isinstance(from_json, int | float):
        return float(from_xml) == float(from_json)
    return from_xml == from_json
