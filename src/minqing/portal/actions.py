"""Writes of the resident portal: login codes, sign-up with consent, reporting a concern and rating it.

A concern itself is written by cases.actions.intake_case and rated by cases.actions.resident_feedback; this
module decides who may, how often (portal/throttle.py), and about which place.
"""

import datetime
import hmac
import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minqing.accounts.roles import Role
from minqing.cases.actions import intake_case, resident_feedback
from minqing.cases.models import Case, Channel, Feedback
from minqing.core import audit, crypto
from minqing.core.errors import Forbidden, InvalidInput, NotFound
from minqing.core.identity import PHONE_RE, normalise_phone
from minqing.notifications.actions import notify_contact
from minqing.people.models import Resident, ResidentStatus

from . import selectors, throttle
from .models import Consent, ContactKind, LoginCode, PortalAccount
from .privacy import LOGIN_CODE_DAYS, NOTICE_VERSION

audit.register_labels(
    {
        "portal.account.signup": gettext_lazy("Signed up in the resident portal"),
        "portal.consent.accept": gettext_lazy("Accepted the privacy notice"),
        "portal.account.close": gettext_lazy("Closed their portal account"),
    }
)

PORTAL_ROLES = frozenset({Role.RESIDENT, Role.VOLUNTEER})
CODE_MINUTES = 10
MAX_ATTEMPTS = 5
SOURCE = "resident portal"  # on the case's timeline, as other intake channels name themselves


# --- login codes -----------------------------------------------------------------------------------------


def parse_contact(text: str) -> tuple[str, str]:
    """(kind, normalised value) of what a resident typed to log in: a mobile number or an email address."""
    text = (text or "").strip()
    if "@" in text:
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("This email address is not valid.")) from None
        return ContactKind.EMAIL, email
    phone = normalise_phone(text)
    if not PHONE_RE.match(phone):
        raise InvalidInput(_("Enter your 11-digit mobile number (e.g. 13800001234) or an email address."))
    return ContactKind.PHONE, phone


def _hash_code(code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${crypto.digest(f'login-code:{salt}:{code}')}"


def _code_matches(code_hash: str, code: str) -> bool:
    salt, _sep, expected = code_hash.partition("$")
    return hmac.compare_digest(expected, crypto.digest(f"login-code:{salt}:{code}"))


def _too_many_codes(minutes: int) -> str:
    return ngettext(
        "Too many codes were sent to this number or address. Ask for a new one in %(n)d minute.",
        "Too many codes were sent to this number or address. Ask for a new one in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


@transaction.atomic
def request_code(*, contact: str, community=None, ip: str | None = None, now=None) -> tuple[LoginCode, str]:
    """Send a six-digit code to the phone (SMS, through the outbox) or email address. Returns the code's row
    and the normalised contact. Only the newest code of a contact works."""
    now = now or timezone.now()
    kind, value = parse_contact(contact)
    digest = crypto.digest(value)
    throttle.guard(throttle.contact_key(digest), message=_too_many_codes, now=now)
    throttle.guard(throttle.ip_key("code_ip", ip), message=throttle.wait_message, now=now)
    LoginCode.objects.filter(
        kind=kind, target_digest=digest, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    login_code = LoginCode.objects.create(
        kind=kind,
        target_digest=digest,
        code_hash=_hash_code(code),
        community=community,
        expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
    )
    notify_contact(
        event="login_code",
        context={"code": code, "minutes": CODE_MINUTES},
        phone=value if kind == ContactKind.PHONE else "",
        email=value if kind == ContactKind.EMAIL else "",
        language=translation.get_language(),
        # Staff of the community see the message in their outbox (the demo has no SMS gateway).
        area_path=community.path if community is not None else "",
    )
    throttle.prune(now)
    LoginCode.objects.filter(created_at__lt=now - datetime.timedelta(days=LOGIN_CODE_DAYS)).delete()
    return login_code, value


EXPIRED = gettext_lazy("This code has expired or was already used. Ask for a new code.")


def verify_code(*, login_code_id, code: str, ip: str | None = None, now=None) -> LoginCode:
    """Check a typed code: right, unexpired, unused, within 5 tries. Each try is counted by a conditional
    UPDATE that commits at once (not rolled back with the error), so tries cannot be replayed."""
    now = now or timezone.now()
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidInput(_("The code has 6 digits."))
    wrong_key = throttle.ip_key("wrong_code_ip", ip)
    if wrong_key and (wait := throttle.wait_for(wrong_key, now)):
        raise throttle.Throttled(throttle.wait_message(throttle.minutes_of(wait)), retry_after=wait)
    counted = LoginCode.objects.filter(
        pk=login_code_id, used_at__isnull=True, expires_at__gt=now, attempts__lt=MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    login_code = LoginCode.objects.filter(pk=login_code_id).first()
    if not counted:
        if login_code is None or login_code.used_at or login_code.expires_at <= now:
            raise InvalidInput(EXPIRED)
        raise InvalidInput(_("Too many wrong tries for this code. Ask for a new code."))
    if not _code_matches(login_code.code_hash, code):
        throttle.hit(wrong_key, now=now)
        left = MAX_ATTEMPTS - login_code.attempts
        if left <= 0:
            raise InvalidInput(_("Wrong code, and that was the last try. Ask for a new code."))
        raise InvalidInput(
            ngettext("Wrong code. You have %(n)d more try.", "Wrong code. You have %(n)d more tries.", left)
            % {"n": left}
        )
    if not LoginCode.objects.filter(pk=login_code_id, used_at__isnull=True).update(used_at=now):
        raise InvalidInput(EXPIRED)
    return login_code


# --- accounts and consent --------------------------------------------------------------------------------


def _registry_match(kind: str, digest: str) -> Resident | None:
    """The registry record with this phone, when exactly one person living here has it."""
    if kind != ContactKind.PHONE:
        return None
    found = list(Resident.objects.filter(phone_digest=digest, status=ResidentStatus.ACTIVE)[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def sign_up(*, kind: str, contact: str, community=None, name: str = "", accepted: bool):
    """Create (or find) the resident's account for a verified phone or email, record their consent to the
    current privacy notice, and link it to their registry record when exactly one resident has that phone.
    A resident whose record already has a resident account (made by the community office) gets that one."""
    if not accepted:
        raise InvalidInput(_("To use the resident portal, read and accept the privacy notice."))
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Say how the community should address you."))
    parsed_kind, value = parse_contact(contact)
    if parsed_kind != kind:
        raise InvalidInput(EXPIRED)
    digest = crypto.digest(value)
    existing = selectors.account_for(kind, digest)
    if existing is not None:
        user = existing.user
        if not user.is_active:
            raise Forbidden(_("This account is closed. Ask your community office for help."))
    else:
        resident = _registry_match(kind, digest)
        User = get_user_model()
        user = None
        if resident is not None:
            user = User.objects.filter(
                resident=resident, role__in=PORTAL_ROLES, is_active=True, portal_account__isnull=True
            ).first()
            if user is None and User.objects.filter(resident=resident).exists():
                resident = None  # the record belongs to another (staff) account: do not take it over
        if user is None:
            user = User(
                username=f"r{secrets.token_hex(7)}",
                role=Role.RESIDENT,
                first_name=name[:150],
                resident=resident,
            )
            user.set_unusable_password()
            user.save()
        if community is None and resident is not None:
            community = selectors.home_community(user)
        try:
            with transaction.atomic():
                PortalAccount.objects.create(
                    user=user,
                    community=community,
                    **(
                        {"phone": value, "phone_digest": digest}
                        if kind == ContactKind.PHONE
                        else {"email": value, "email_digest": digest}
                    ),
                )
        except IntegrityError:
            # The same person finished sign-up twice at once: the first account stands.
            raise InvalidInput(_("This account was just created. Log in again.")) from None
        audit.record(
            actor=user,
            action="portal.account.signup",
            target=user,
            area_path=community.path if community is not None else "",
            changes={"kind": [None, kind], "linked_to_registry": [None, user.resident_id is not None]},
        )
    accept_notice(acting_user=user)
    return user


@transaction.atomic
def accept_notice(*, acting_user) -> Consent:
    _require_resident(acting_user)
    consent, created = Consent.objects.get_or_create(user=acting_user, notice_version=NOTICE_VERSION)
    if created:
        community = selectors.home_community(acting_user)
        audit.record(
            actor=acting_user,
            action="portal.consent.accept",
            target=acting_user,
            area_path=community.path if community is not None else "",
            changes={"notice_version": [None, NOTICE_VERSION]},
        )
    return consent


@transaction.atomic
def close_account(*, acting_user) -> None:
    """The resident withdraws their consent (PIPL Art. 15, 47): the account is closed and its phone or email
    forgotten. Concerns already reported stay on record for the time the privacy notice says."""
    _require_resident(acting_user)
    PortalAccount.objects.filter(user=acting_user).update(
        phone="", phone_digest="", email="", email_digest=""
    )
    get_user_model().objects.filter(pk=acting_user.pk).update(is_active=False)
    audit.record(actor=acting_user, action="portal.account.close", target=acting_user)


# --- concerns --------------------------------------------------------------------------------------------


def _require_resident(user) -> None:
    if not user.is_authenticated or user.role not in PORTAL_ROLES:
        raise Forbidden(_("The resident portal is for residents' accounts."))


def _too_many_reports(minutes: int) -> str:
    return _(
        "You have reported many concerns today. To keep the service usable for everyone, please report "
        "more tomorrow, or call your community office if it is urgent."
    )


@transaction.atomic
def report_concern(
    *,
    acting_user,
    description: str,
    place: dict,
    address: str = "",
    latitude=None,
    longitude=None,
    photos=(),
    confidential: bool = False,
    wants_news: bool = True,
    ip: str | None = None,
) -> Case:
    """A resident reports a concern. `place` is what selectors.resolve_place returned for their pick. Nothing
    is saved (not even the count) if anything is refused."""
    _require_resident(acting_user)
    if not selectors.has_current_consent(acting_user):
        raise Forbidden(_("Accept the privacy notice first."))
    throttle.guard(throttle.account_key("report_account", acting_user), message=_too_many_reports)
    throttle.guard(throttle.ip_key("report_ip", ip), message=throttle.wait_message)
    account = selectors.portal_account(acting_user)
    resident = acting_user.resident
    return intake_case(
        submitted_by=acting_user,
        source=SOURCE,
        channel=Channel.PORTAL,
        description=description,
        resident=resident,
        account=acting_user,
        # A registry record carries the name the community knows; otherwise the name given at sign-up.
        reporter_name="" if resident is not None else acting_user.first_name,
        reporter_phone=account.phone if account is not None else "",
        confidential=confidential,
        wants_news=wants_news,
        photos=photos,
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        **place,
    )


@transaction.atomic
def rate_concern(*, acting_user, case: Case, rating: str, note: str = "") -> Feedback:
    """回访 by the resident: once per closing. "Not satisfied" reopens the case with their reason."""
    _require_resident(acting_user)
    locked = Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise NotFound()
    if not selectors.asks_for_rating(acting_user, locked):
        raise InvalidInput(_("This concern is not waiting for your rating."))
    return resident_feedback(acting_user=acting_user, case=locked, rating=rating, note=note)
