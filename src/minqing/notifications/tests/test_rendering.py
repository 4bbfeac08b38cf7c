"""Message texts: one template per event, in the recipient's language, short, plain text, no ID numbers."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import trans_real

from minqing.notifications.rendering import EVENTS, render

DUE = datetime.datetime(2026, 5, 6, 9, 30, tzinfo=datetime.UTC)  # 17:30 in Shanghai

CONTEXT = {
    "reference": "MQ26050600012",
    "organisation": "热电物业公司",
    "description": "三号楼楼道灯坏了一周，晚上老人下楼看不见。" * 5,
    "category": "照明",
    "due_at": DUE,
    "answer": "已更换灯泡，并检查了线路。" * 10,
    "note": "感谢反映",
    "reason": "此事归供热公司管",
    "stage": "签收",
    "level": "red",
    "days": 3,
    "granted": True,
    "code": "482913",
    "minutes": 10,
}


def context_for(event):
    return {key: CONTEXT[key] for key in EVENTS[event][0]}


@pytest.fixture
def zh_catalogue(monkeypatch):
    """Supply Chinese for a few of our strings, as the reviewed zh-hans catalogue will."""
    catalogue = trans_real.translation("zh-hans")._catalog._catalogs[0]

    def add(msgid, msgstr):
        monkeypatch.setitem(catalogue, msgid, msgstr)

    return add


@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_event_renders_short_plain_text(event, language):
    subject, body = render(event, context_for(event), language)
    assert subject
    assert body
    assert "\n" not in subject
    assert len(subject) <= 80
    assert len(body) <= 260  # SMS: free text is cut short in the templates
    assert "{" not in subject + body
    assert "%(" not in subject + body
    if "reference" in EVENTS[event][0]:
        assert CONTEXT["reference"] in subject + body


def test_english_texts_read_as_english():
    subject, body = render("case_dispatched", context_for("case_dispatched"), "en")
    assert subject == "Your concern MQ26050600012 has been passed on"
    assert body == (
        "Your concern MQ26050600012 has been passed to 热电物业公司. We will tell you when there is an answer."
    )
    _subject, body = render("case_assigned", context_for("case_assigned"), "en")
    assert "Please accept it by 6 May 2026, 17:30." in body  # local time, no "p.m.."
    _subject, body = render("login_code", {"code": "123456", "minutes": 1}, "en")
    assert "valid for 1 minute." in body


def test_chinese_comes_from_the_zh_hans_catalogue_and_is_the_default(zh_catalogue):
    zh_catalogue("Your concern %(reference)s has been passed on", "您反映的问题%(reference)s已转交办理")
    subject_zh, _body = render("case_dispatched", context_for("case_dispatched"))  # settings.LANGUAGE_CODE
    subject_en, _body = render("case_dispatched", context_for("case_dispatched"), "en")
    assert subject_zh == "您反映的问题MQ26050600012已转交办理"
    assert subject_en == "Your concern MQ26050600012 has been passed on"
    _subject, body = render("deadline_warning", context_for("deadline_warning"), "zh-hans")
    assert "2026年5月6日 17:30" in body


def test_the_satisfaction_question_and_the_escalation_level():
    _subject, body = render("case_closed", {"reference": "MQ1", "note": ""}, "en")
    assert "satisfied" in body
    red, _ = render("case_escalated", context_for("case_escalated"), "en")
    yellow, _ = render("case_escalated", {**context_for("case_escalated"), "level": "yellow"}, "en")
    assert red.startswith("Red")
    assert yellow.startswith("Yellow")
    granted, _ = render("extension_decided", context_for("extension_decided"), "en")
    refused, _ = render("extension_decided", {**context_for("extension_decided"), "granted": False}, "en")
    assert "granted" in granted
    assert "refused" in refused


def test_texts_are_not_html_escaped_and_never_carry_an_id_number():
    context = {**context_for("case_assigned"), "description": "A & B <说> 身份证 220105194805011234 报修"}
    _subject, body = render("case_assigned", context, "en")
    assert "A & B <说>" in body
    assert "220105194805011234" not in body
    assert "220***********1234" in body


def test_unknown_event_or_missing_context_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown notification event"):
        render("case_exploded", {}, "en")
    with pytest.raises(ValueError, match="organisation"):
        render("case_dispatched", {"reference": "MQ1"}, "en")


def test_due_at_may_be_missing_for_an_assignment():
    _subject, body = render("case_assigned", {**context_for("case_assigned"), "due_at": None}, "en")
    assert "answer by" not in body
    assert timezone.is_aware(DUE)
