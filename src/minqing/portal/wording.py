"""How a case's state and steps read to the resident who raised it: plain words, no internal vocabulary
(签收, 核查), no staff names. What may be shown at all is decided by cases.selectors.public_timeline."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from minqing.cases.models import Status

STATUS = {
    Status.REGISTERED: gettext_lazy("Received: being passed on"),
    Status.REFERRED: gettext_lazy("We told you whom to contact"),
    Status.DISPATCHED: gettext_lazy("Passed on to the handler"),
    Status.ACCEPTED: gettext_lazy("Being handled"),
    Status.ANSWERED: gettext_lazy("Answered: being checked"),
    Status.VERIFIED: gettext_lazy("Checked: about to close"),
    # A context: "Closed" alone is already a shop's state (已停业) in the catalogue.
    Status.CLOSED: pgettext_lazy("concern", "Closed"),
}

STEPS = {
    "cases.case.register": gettext_lazy("Your concern was received"),
    "cases.case.dispatch": gettext_lazy("Passed on to %(org)s"),
    "cases.case.reassign": gettext_lazy("Passed on to %(org)s"),
    "cases.case.accept": gettext_lazy("The handler took it on"),
    "cases.case.answer": gettext_lazy("The handler answered"),
    "cases.case.resolve_on_spot": gettext_lazy("Resolved on the spot"),
    "cases.case.refer": gettext_lazy("We told you whom to contact"),
    "cases.case.close": pgettext_lazy("concern", "Closed"),
    "cases.case.close_referral": gettext_lazy("Followed up and closed"),
    "cases.case.reopen": pgettext_lazy("concern", "Reopened"),
    "cases.case.merged_into": gettext_lazy("Joined with the same concern raised by others"),
}


def status(case) -> str:
    return str(STATUS.get(case.status, case.get_status_display()))


def timeline(rows: list[dict]) -> list[dict]:
    """cases.selectors.public_timeline rows, each with `label` in the reader's words."""
    out = []
    for row in rows:
        label = str(STEPS.get(row["action"], ""))
        if "%(org)s" in label:
            changed = (row["event"].changes or {}).get("organisation") or [None, None]
            label = label % {"org": changed[1] or _("the handler")}
        out.append({"at": row["at"], "label": label, "note": row["note"]})
    return out
