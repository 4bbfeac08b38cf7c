"""Helpers shared by the Open311 tests (fixtures are in conftest.py)."""

from defusedxml import ElementTree

from minqing.cases import actions as case_actions

VALID_ANSWERS = {"attribute[where]": "3号楼东侧", "attribute[floor]": "1"}


def intake(o311, *, category, description="下水道堵了", **fields):
    """A case that came in another way (the portal), at building 1 unless another place is given."""
    if not {"building", "household", "area"} & fields.keys():
        fields["building"] = o311.building1
    return case_actions.intake_case(
        submitted_by=None,
        source="portal",
        channel="portal",
        description=description,
        category=category,
        **fields,
    )


def step(case, user, name, **kwargs):
    case.refresh_from_db()
    return case_actions.transition(
        acting_user=user, case=case, name=name, expected_version=case.version, **kwargs
    )


def close(case, o311):
    step(case, o311.grid_worker, "dispatch", organisation=o311.renovation)
    step(case, o311.handler, "accept")
    step(case, o311.handler, "answer", note="已疏通下水道")
    step(case, o311.grid_worker, "verify")
    return step(case, o311.grid_worker, "close")


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def json_body(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()
