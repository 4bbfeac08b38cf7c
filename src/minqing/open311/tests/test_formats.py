"""The wire formats: W3C datetimes in and out, XML and JSON from one structure."""

import datetime
import json

import pytest
from defusedxml import ElementTree
from django.utils import timezone

from minqing.open311.formats import parse_w3c, to_json, to_xml, w3c


def test_datetimes_go_out_with_their_offset():
    moment = datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC)
    assert w3c(moment) == "2026-03-01T09:30:00+08:00"


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2010-01-01T00:00:00Z", "2010-01-01T00:00:00+00:00"),
        ("2010-01-01T08:00:00+08:00", "2010-01-01T00:00:00+00:00"),
        ("2010-01-01T08:00:00 08:00", "2010-01-01T00:00:00+00:00"),  # an unencoded '+'
        ("2010-01-01T08:00+08:00", "2010-01-01T00:00:00+00:00"),
        ("2010-01-01T00:00:00.5-05:00", "2010-01-01T05:00:00.500000+00:00"),
        ("2010-01-01", "2009-12-31T16:00:00+00:00"),  # a date: local midnight
    ],
)
def test_w3c_datetimes_come_in(text, utc):
    assert parse_w3c(text).astimezone(datetime.UTC).isoformat() == utc


@pytest.mark.parametrize("text", ["2010-01-01T00:00:00", "2010-13-01", "yesterday", "1262304000", ""])
def test_other_dates_are_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011
        parse_w3c(text)


def test_one_structure_two_formats():
    payload = [
        {
            "service_code": "C23",
            "metadata": True,
            "description": None,
            "keywords": "",
            "attributes": [{"values": [{"key": "1", "name": "<Ground & floor>"}]}],
            "at": timezone.now(),
        }
    ]
    root = ElementTree.fromstring(to_xml("services", payload))
    service = root.find("service")
    assert service.find("metadata").text == "true"
    assert service.find("description") is None  # no value: left out
    assert service.find("attributes/attribute/values/value/name").text == "<Ground & floor>"
    document = json.loads(to_json(payload))
    assert document[0]["metadata"] is True
    assert "description" not in document[0]
    assert "keywords" not in document[0]


def test_characters_xml_cannot_carry_are_dropped():
    root = ElementTree.fromstring(to_xml("errors", [{"code": 400, "description": "bad\x00\x1b byte"}]))
    assert root.find("error/description").text == "bad byte"
