"""Message texts: one template per event, notifications/templates/notifications/messages/<event>.txt.

Convention: each template loads i18n and has two blocks, `{% block subject %}` and `{% block body %}`,
written in English with {% translate %} / {% blocktranslate trimmed %} so the zh-hans catalogue supplies the
Chinese. Each block is rendered on its own, without HTML escaping (these are plain text), in the recipient's
language and in the server's time zone; render() adds `datetime_format` to the context (format dates with
`{{ due_at|date:datetime_format }}`: 2026年5月6日 17:30, or 6 May 2026, 17:30 with no trailing period). The subject is folded onto one line; the body keeps its lines. Keep
bodies short (they go out as SMS) and self-contained (an SMS carries no link). ID numbers are masked
whatever the context holds.
"""

import re

from django.conf import settings
from django.template import Context, engines
from django.template.loader_tags import BlockNode
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from minqing.core.identity import mask_id_number

# event → the context keys its template needs (the callers' contract), and a label for the outbox.
EVENTS: dict[str, tuple[frozenset[str], str]] = {
    "case_dispatched": (frozenset({"reference", "organisation"}), _("Concern passed on")),
    "case_assigned": (frozenset({"reference", "description", "category", "due_at"}), _("Case assigned")),
    "case_answered": (frozenset({"reference", "answer"}), _("Concern answered")),
    "case_closed": (frozenset({"reference", "note"}), _("Concern closed")),
    "case_returned": (frozenset({"reference", "organisation", "reason"}), _("Case returned")),
    "deadline_warning": (frozenset({"reference", "stage", "due_at"}), _("Deadline near")),
    "case_escalated": (
        frozenset({"reference", "level", "stage", "due_at", "organisation"}),
        _("Case escalated"),
    ),
    "extension_requested": (
        frozenset({"reference", "organisation", "days", "reason"}),
        _("Extension requested"),
    ),
    "extension_decided": (frozenset({"reference", "granted", "due_at", "note"}), _("Extension decided")),
    "login_code": (frozenset({"code", "minutes"}), _("Login code")),
}

# Per language; Django's English DATETIME_FORMAT ends in "p.m." and would end a sentence with "..".
DATETIME_FORMATS = {"zh-hans": "Y年n月j日 H:i", "en": "j M Y, H:i"}

ID_NUMBER_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def event_label(event: str) -> str:
    return str(EVENTS[event][1]) if event in EVENTS else event


def check(event: str, context: dict) -> None:
    """A programming error, not a user's: unknown event or missing context keys."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}; known: {', '.join(sorted(EVENTS))}")
    missing = EVENTS[event][0] - set(context)
    if missing:
        raise ValueError(f"Notification {event!r} needs context keys: {', '.join(sorted(missing))}")


def render(event: str, context: dict, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of `event` in `language` (default: settings.LANGUAGE_CODE)."""
    check(event, context)
    template = engines["django"].engine.get_template(f"notifications/messages/{event}.txt")
    blocks = {node.name: node for node in template.nodelist.get_nodes_by_type(BlockNode)}
    language = language or settings.LANGUAGE_CODE
    ctx = Context({**context, "datetime_format": _datetime_format(language)}, autoescape=False)
    with (
        translation.override(language),
        timezone.override(settings.TIME_ZONE),
        ctx.render_context.push_state(template),
        ctx.bind_template(template),
    ):
        subject = blocks["subject"].nodelist.render(ctx)
        body = blocks["body"].nodelist.render(ctx)
    return _redact(" ".join(subject.split()))[:200], _redact(_tidy(body))


def _datetime_format(language: str) -> str:
    code = language.lower()
    return DATETIME_FORMATS.get(code) or DATETIME_FORMATS.get(code.split("-")[0], "DATETIME_FORMAT")


def _tidy(text: str) -> str:
    """Strip each line, drop the template's blank lines at the ends, keep at most one empty line between."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _redact(text: str) -> str:
    return ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), text)
