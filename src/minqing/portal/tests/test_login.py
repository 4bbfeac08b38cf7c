"""Log in or sign up with a one-time code: the code's rules, the abuse guard, consent, linking to the registry."""

import datetime

import pytest
from django.utils import timezone

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.core import crypto
from minqing.core.errors import InvalidInput
from minqing.core.models import AuditEvent
from minqing.notifications.models import Message, MessageChannel
from minqing.portal import actions, throttle
from minqing.portal.models import Consent, LoginCode, PortalAccount, ThrottleHit
from minqing.portal.privacy import NOTICE_VERSION

from .conftest import ask_code, enter_code, last_code

PHONE = "13611112222"


def test_a_newcomer_signs_up_with_a_code_and_consents(client, world):
    response = ask_code(client, "136 1111 2222", world.community)
    assert response.status_code == 302
    assert response["Location"] == "/r/login/code/"
    sms = Message.objects.get(event="login_code")
    assert sms.channel == MessageChannel.SMS
    assert sms.recipient == PHONE
    assert sms.area_path == world.community.path  # the community's staff see it in their outbox
    code = last_code()
    assert code in sms.body
    # Only a keyed hash of the code and of the phone is kept.
    login_code = LoginCode.objects.get()
    assert code not in login_code.code_hash
    assert PHONE not in login_code.target_digest
    page = client.get("/r/login/code/").content.decode()
    assert "136****2222" in page
    assert PHONE not in page

    response = enter_code(client, code)
    assert response["Location"] == "/r/welcome/"
    assert not User.objects.filter(role=Role.RESIDENT, portal_account__isnull=False).exists()
    page = client.get("/r/welcome/").content.decode()
    assert "privacy-notice" in page
    assert NOTICE_VERSION in page
    # Consent is required, and the name.
    response = client.post("/r/welcome/", {"name": "新住户"})
    assert response.status_code == 200
    assert not PortalAccount.objects.exists()
    response = client.post("/r/welcome/", {"name": "新住户", "accept": "on"})
    assert response.status_code == 302
    account = PortalAccount.objects.get()
    user = account.user
    assert user.role == Role.RESIDENT
    assert not user.has_usable_password()
    assert user.first_name == "新住户"
    assert user.resident is None  # nobody in the registry has this phone
    assert account.phone == PHONE
    assert account.phone_digest == crypto.digest(PHONE)
    assert account.community == world.community
    consent = Consent.objects.get(user=user)
    assert consent.notice_version == NOTICE_VERSION
    assert AuditEvent.objects.filter(action="portal.account.signup", actor=user).exists()
    assert AuditEvent.objects.filter(action="portal.consent.accept", actor=user).exists()
    assert client.get("/r/mine/").status_code == 200  # signed in


def test_the_second_time_the_code_logs_straight_in(client, world, signed_up):
    user = signed_up()
    client.logout()
    ask_code(client, PHONE, world.community)
    response = enter_code(client, last_code())
    assert response.status_code == 302
    assert response["Location"] == "/r/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert PortalAccount.objects.count() == 1
    assert Consent.objects.count() == 1


def test_the_login_returns_to_the_page_asked_for(client, world, signed_up):
    signed_up()
    client.logout()
    response = client.get("/r/report/")
    assert response["Location"] == "/r/login/?next=%2Fr%2Freport%2F"
    client.get(response["Location"])
    ask_code(client, PHONE, world.community)
    assert enter_code(client, last_code())["Location"] == "/r/report/"


def test_a_phone_in_the_registry_links_the_account_to_that_resident(client, world):
    from tests.factories import ResidentFactory

    newcomer = ResidentFactory(name="赵小红", household=world.household2, phone="13655556666")
    ask_code(client, "13655556666", world.community)
    enter_code(client, last_code())
    client.post("/r/welcome/", {"name": "小红", "accept": "on"})
    user = PortalAccount.objects.get().user
    assert user.resident == newcomer


def test_a_phone_shared_by_two_residents_links_to_nobody(client, world):
    from tests.factories import ResidentFactory

    ResidentFactory(household=world.household2, phone="13655556666")
    ResidentFactory(household=world.household1, phone="13655556666")
    ask_code(client, "13655556666", world.community)
    enter_code(client, last_code())
    client.post("/r/welcome/", {"name": "某人", "accept": "on"})
    assert PortalAccount.objects.get().user.resident is None


def test_a_resident_with_an_account_from_the_office_gets_that_account(client, world):
    """王秀兰's account was made by the community office; her phone code opens the same account."""
    ask_code(client, world.phone1, world.community)
    enter_code(client, last_code())
    client.post("/r/welcome/", {"name": "王秀兰", "accept": "on"})
    assert PortalAccount.objects.get().user == world.resident_user
    assert User.objects.filter(resident=world.resident1).count() == 1


def test_email_works_the_same_way(client, world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_code(client, "Wang.Xiu@Example.com", world.community)
    assert response.status_code == 302
    message = Message.objects.get(event="login_code")
    assert message.channel == MessageChannel.EMAIL
    assert message.recipient == "wang.xiu@example.com"
    assert mailoutbox
    assert last_code() in mailoutbox[0].body
    enter_code(client, last_code())
    client.post("/r/welcome/", {"name": "王女士", "accept": "on"})
    account = PortalAccount.objects.get()
    assert account.email == "wang.xiu@example.com"
    assert account.phone == ""
    assert account.user.resident is None


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        ("12345", "11-digit"),
        ("010-12345678", "11-digit"),
        ("not@an@email", "email address is not valid"),
        ("", ""),
    ],
)
def test_bad_contacts_are_refused_with_a_reason(client, world, contact, message):
    client.cookies["django_language"] = "en"
    response = ask_code(client, contact, world.community)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LoginCode.objects.exists()
    assert not Message.objects.exists()


def test_a_wrong_code_counts_and_five_wrong_tries_kill_the_code(client, world):
    client.cookies["django_language"] = "en"
    ask_code(client, PHONE, world.community)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong)
    assert "4 more tries" in response.content.decode()
    for _ in range(4):
        response = enter_code(client, wrong)
    assert "last try" in response.content.decode()
    response = enter_code(client, code)  # right, but too late
    assert "Too many wrong tries" in response.content.decode()
    assert LoginCode.objects.get().attempts == 5
    assert "_auth_user_id" not in client.session
    assert "portal_verified" not in client.session


def test_an_expired_code_is_refused(client, world):
    client.cookies["django_language"] = "en"
    ask_code(client, PHONE, world.community)
    LoginCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = enter_code(client, last_code())
    assert "expired" in response.content.decode()
    assert "portal_verified" not in client.session


def test_a_code_works_once_and_only_the_newest_works(world):
    first, _contact = actions.request_code(contact=PHONE, community=world.community)
    first_code = last_code()
    second, _contact = actions.request_code(contact=PHONE, community=world.community)
    with pytest.raises(InvalidInput):
        actions.verify_code(login_code_id=first.pk, code=first_code)
    actions.verify_code(login_code_id=second.pk, code=last_code())
    with pytest.raises(InvalidInput):
        actions.verify_code(login_code_id=second.pk, code=last_code())


def test_codes_must_be_six_digits(world):
    login_code, _contact = actions.request_code(contact=PHONE, community=world.community)
    with pytest.raises(InvalidInput):
        actions.verify_code(login_code_id=login_code.pk, code="12a456")
    login_code.refresh_from_db()
    assert login_code.attempts == 0


def test_three_codes_per_phone_in_ten_minutes(client, world):
    client.cookies["django_language"] = "en"
    for _ in range(3):
        assert ask_code(client, PHONE, world.community).status_code == 302
    response = ask_code(client, PHONE, world.community)
    assert response.status_code == 200
    assert "Too many codes were sent to this number" in response.content.decode()
    assert LoginCode.objects.count() == 3
    # Another phone from the same address is still fine.
    assert ask_code(client, "13611113333", world.community).status_code == 302


def test_ten_codes_per_phone_a_day(world):
    now = timezone.now()
    for hours in reversed(range(10)):
        actions.request_code(
            contact=PHONE, community=world.community, now=now - datetime.timedelta(hours=hours + 1)
        )
    with pytest.raises(throttle.Throttled) as refused:
        actions.request_code(contact=PHONE, community=world.community, now=now)
    assert refused.value.retry_after > datetime.timedelta(hours=12)


def test_twenty_codes_per_address_an_hour(client, world):
    for n in range(20):
        assert ask_code(client, f"1361111{n:04d}", world.community, REMOTE_ADDR="10.1.2.3").status_code == 302
    response = ask_code(client, "13699999999", world.community, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert LoginCode.objects.count() == 20
    # Another address is not held up by this one.
    assert ask_code(client, "13699999999", world.community, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_guard_keeps_no_address_or_phone_in_clear(client, world):
    ask_code(client, PHONE, world.community, REMOTE_ADDR="10.1.2.3")
    keys = set(ThrottleHit.objects.values_list("key", flat=True))
    assert keys
    assert not any(PHONE in k or "10.1.2.3" in k for k in keys)


def test_wrong_codes_from_one_address_are_limited(world):
    now = timezone.now()
    key = throttle.ip_key("wrong_code_ip", "10.1.2.3")
    throttle.hit(*[key] * 30, now=now)
    login_code, _contact = actions.request_code(contact=PHONE, community=world.community)
    with pytest.raises(throttle.Throttled):
        actions.verify_code(login_code_id=login_code.pk, code=last_code(), ip="10.1.2.3")
    actions.verify_code(login_code_id=login_code.pk, code=last_code(), ip="10.7.7.7")


def test_old_counters_and_codes_are_forgotten(world):
    old = timezone.now() - datetime.timedelta(days=3)
    actions.request_code(contact=PHONE, community=world.community, ip="10.1.2.3", now=old)
    LoginCode.objects.update(created_at=old)
    assert ThrottleHit.objects.count() == 2
    assert LoginCode.objects.count() == 1
    actions.request_code(contact="13611113333", community=world.community)
    assert ThrottleHit.objects.filter(at__lt=timezone.now() - datetime.timedelta(days=2)).count() == 0
    assert LoginCode.objects.count() == 1


def test_sign_up_needs_a_verified_code_first(client, world):
    response = client.post("/r/welcome/", {"name": "冒名", "accept": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/r/login/"
    assert not User.objects.filter(first_name="冒名").exists()


def test_an_account_without_the_current_consent_is_asked_again(client, world):
    client.force_login(world.resident_user)
    response = client.get("/r/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/r/welcome/")
    assert client.get(response["Location"]).status_code == 200
    response = client.post("/r/welcome/", {"accept": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/r/report/"
    assert Consent.objects.filter(user=world.resident_user, notice_version=NOTICE_VERSION).exists()


def test_staff_are_told_the_portal_is_not_for_them(client, world):
    client.force_login(world.grid_worker)
    assert client.get("/r/report/").status_code == 403
    assert client.get("/r/mine/").status_code == 403


def test_closing_the_account_forgets_the_phone(client, world, signed_up):
    user = signed_up()
    response = client.post("/r/account/")
    assert response.status_code == 302
    user.refresh_from_db()
    account = PortalAccount.objects.get(user=user)
    assert not user.is_active
    assert account.phone == ""
    assert account.phone_digest == ""
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="portal.account.close", actor=user).exists()


def test_logging_out_returns_to_the_portal(client, world, signed_up):
    signed_up()
    response = client.post("/accounts/logout/", {"next": "/r/"})
    assert response.status_code == 302
    assert response["Location"] == "/r/"
    assert "_auth_user_id" not in client.session
