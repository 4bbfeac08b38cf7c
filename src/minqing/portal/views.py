"""The resident portal (/r/): log in with a code, report a concern, follow and rate it, look up who handles
what. Views parse and authorise; writes are portal.actions, reads portal.selectors."""

import time
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.throttle import client_ip
from minqing.cases.models import OPEN_STATUSES
from minqing.core import crypto
from minqing.core.errors import ApplicationError, Forbidden, NotFound
from minqing.core.forms import apply_error
from minqing.core.identity import mask_phone
from minqing.core.middleware import CSP
from minqing.notifications.models import mask_email
from minqing.notifications.selectors import unread_count

from . import actions, privacy, selectors, throttle, wording
from .forms import CodeForm, ConsentForm, LoginForm, RatingForm, ReportForm, SignUpForm, WhoForm
from .models import ContactKind

PENDING = "portal_login"  # the code sent: its id, the contact (encrypted), the community
VERIFIED = "portal_verified"  # a verified contact waiting for sign-up (encrypted), with a time limit
NEXT = "portal_next"
SIGNUP_SECONDS = 30 * 60
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _is_resident(user) -> bool:
    return user.is_authenticated and user.role in actions.PORTAL_ROLES


def resident_view(view):
    """A portal page for a signed-in resident who accepted the current privacy notice. Others are sent to the
    portal's own login (not the staff one); staff accounts are told the portal is not for them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}")
        if user.role not in actions.PORTAL_ROLES:
            raise Forbidden(_("The resident portal is for residents' accounts."))
        if not selectors.has_current_consent(user):
            return redirect(f"{reverse('portal:welcome')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return login_not_required(wrapper)


def _safe_next(request, value) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("portal:home")


# --- home, privacy notice -------------------------------------------------------------------------------


@login_not_required
@require_GET
def home(request):
    user = request.user
    context = {"is_resident": _is_resident(user)}
    if context["is_resident"] and selectors.has_current_consent(user):
        concerns = selectors.my_concerns(user)
        context.update(
            recent=list(concerns[:3]),
            open_count=concerns.filter(status__in=OPEN_STATUSES).count(),
            unread=unread_count(user),
        )
    return render(request, "portal/home.html", context)


@login_not_required
@require_GET
def privacy_notice(request):
    community = None
    pk = request.GET.get("community", "")
    if pk.isdigit():
        community = selectors.communities().filter(pk=pk).first()
    elif _is_resident(request.user):
        community = selectors.home_community(request.user)
    return render(request, "portal/privacy.html", _notice_context(community))


def _notice_context(community) -> dict:
    return {
        "community": community,
        "communities": selectors.communities(),
        "notice_version": privacy.NOTICE_VERSION,
        "case_years": privacy.CASE_RECORD_YEARS,
        "code_days": privacy.LOGIN_CODE_DAYS,
        "throttle_days": privacy.THROTTLE_DAYS,
        "answer_days": privacy.ANSWER_WORKING_DAYS,
        **selectors.offices_for(community),
    }


# --- log in with a code, sign up ------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def login_start(request):
    if _is_resident(request.user):
        return redirect(_safe_next(request, request.GET.get("next")))
    if "next" in request.GET:
        request.session[NEXT] = _safe_next(request, request.GET["next"])
    initial = {"community": request.session.get("portal_community")}
    form = LoginForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        community = form.cleaned_data["community"]
        try:
            login_code, contact = actions.request_code(
                contact=form.cleaned_data["contact"], community=community, ip=client_ip(request)
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            request.session[PENDING] = {
                "id": login_code.pk,
                "kind": login_code.kind,
                "contact": crypto.encrypt(contact),
                "community": community.pk,
            }
            request.session["portal_community"] = community.pk
            return redirect("portal:code")
    return render(request, "portal/login.html", {"form": form})


def _masked(kind: str, contact: str) -> str:
    return mask_phone(contact) if kind == ContactKind.PHONE else mask_email(contact)


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("portal:login")
    contact = crypto.decrypt(pending["contact"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = actions.verify_code(
                login_code_id=pending["id"], code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            del request.session[PENDING]
            account = selectors.account_for(verified.kind, verified.target_digest)
            if account is not None:
                if not account.user.is_active:
                    raise Forbidden(_("This account is closed. Ask your community office for help."))
                login(request, account.user, backend=BACKEND)
                return redirect(request.session.pop(NEXT, None) or reverse("portal:home"))
            request.session[VERIFIED] = {
                "kind": verified.kind,
                "contact": pending["contact"],
                "community": pending["community"],
                "at": int(time.time()),
            }
            return redirect("portal:welcome")
    return render(
        request,
        "portal/code.html",
        {
            "form": form,
            "masked": _masked(pending["kind"], contact),
            "is_phone": pending["kind"] == ContactKind.PHONE,
            "gateway": bool(settings.MINQING_SMS_WEBHOOK_URL),
            "minutes": actions.CODE_MINUTES,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    """Sign-up after a verified code (name + consent), or a signed-in resident accepting a new notice."""
    user = request.user
    if "next" in request.GET:
        request.session[NEXT] = _safe_next(request, request.GET["next"])
    if _is_resident(user):
        if selectors.has_current_consent(user):
            return redirect(request.session.pop(NEXT, None) or reverse("portal:home"))
        form = ConsentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            actions.accept_notice(acting_user=user)
            return redirect(request.session.pop(NEXT, None) or reverse("portal:home"))
        community = selectors.home_community(user)
        return render(request, "portal/welcome.html", {"form": form, **_notice_context(community)})
    if user.is_authenticated:
        raise Forbidden(_("The resident portal is for residents' accounts."))
    verified = request.session.get(VERIFIED)
    if not verified or time.time() - verified["at"] > SIGNUP_SECONDS:
        request.session.pop(VERIFIED, None)
        return redirect("portal:login")
    community = selectors.communities().filter(pk=verified["community"]).first()
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = actions.sign_up(
                kind=verified["kind"],
                contact=crypto.decrypt(verified["contact"]),
                community=community,
                name=form.cleaned_data["name"],
                accepted=form.cleaned_data["accept"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            del request.session[VERIFIED]
            login(request, account, backend=BACKEND)
            messages.success(request, _("Welcome. You can now report a concern and follow it here."))
            return redirect(request.session.pop(NEXT, None) or reverse("portal:home"))
    return render(
        request, "portal/welcome.html", {"form": form, "signing_up": True, **_notice_context(community)}
    )


@resident_view
@require_http_methods(["GET", "POST"])
def account(request):
    """What the portal holds about the resident, and closing the account (withdrawing consent)."""
    if request.method == "POST":
        actions.close_account(acting_user=request.user)
        logout(request)
        messages.success(request, _("Your account is closed and your phone number or email forgotten."))
        return redirect("portal:home")
    portal_account = selectors.portal_account(request.user)
    contact = ""
    if portal_account is not None:
        contact = (
            mask_phone(portal_account.phone) if portal_account.phone else mask_email(portal_account.email)
        )
    return render(
        request,
        "portal/account.html",
        {
            "contact": contact,
            "community": selectors.home_community(request.user),
            "linked": request.user.resident_id is not None,
            "consents": request.user.consents.all(),
        },
    )


# --- report ---------------------------------------------------------------------------------------------


def _tile_url() -> str:
    return settings.MINQING_TILE_URL


def _with_tile_origin(response):
    """The map's tiles come from the configured tile server: let this page (only) load images from it."""
    parts = urlsplit(_tile_url())
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
        response.headers["Content-Security-Policy"] = CSP.replace(
            "img-src 'self'", f"img-src 'self' {origin}"
        )
    return response


def _household(user):
    resident = user.resident
    return resident.household if resident is not None and resident.household_id else None


@resident_view
@require_http_methods(["GET", "POST"])
def report(request):
    user = request.user
    household = _household(user)
    community = selectors.home_community(user)
    initial = {"community": community, "wants_news": True, "description": request.GET.get("q", "")[:200]}
    if household is not None:
        initial["place"] = f"h{household.pk}"
    form = ReportForm(
        request.POST or None, request.FILES or None, initial=initial, household=household, community=community
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.report_concern(
                acting_user=user,
                description=data["description"],
                place=data["place_args"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                photos=[data["photo"]] if data.get("photo") else [],
                confidential=data["confidential"],
                wants_news=data["wants_news"],
                ip=client_ip(request),
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return redirect("portal:received", reference=case.reference)
    response = render(
        request,
        "portal/report.html",
        {"form": form, "tile_url": _tile_url(), "map_center": selectors.map_center(form.community)},
        status=400 if form.errors else 200,
    )
    return _with_tile_origin(response) if _tile_url() else response


@resident_view
@require_GET
def report_places(request):
    """The place list of one community (htmx swaps it in when the community changes)."""
    household = _household(request.user)
    community = selectors.communities().filter(pk=request.GET.get("community") or 0).first()
    form = ReportForm(initial={"community": community}, household=household, community=community)
    return render(request, "portal/report.html#place-field", {"form": form})


@resident_view
@require_GET
def received(request, reference):
    case = selectors.get_my_concern(request.user, reference)
    return render(request, "portal/received.html", {"case": case})


# --- my concerns ----------------------------------------------------------------------------------------


@resident_view
@require_GET
def mine(request):
    page = Paginator(selectors.my_concerns(request.user), 20).get_page(request.GET.get("page"))
    for case in page:
        case.public_status = wording.status(case)
    return render(request, "portal/mine.html", {"page": page})


def _concern_context(user, case, rating_form=None) -> dict:
    asks = selectors.asks_for_rating(user, case)
    return {
        "case": case,
        "public_status": wording.status(case),
        "timeline": wording.timeline(selectors.timeline_for_reporter(case)),
        "photos": selectors.my_photos(user, case),
        "notices": selectors.my_messages_about(user, case)[:10],
        "rating_form": (rating_form or RatingForm()) if asks else None,
        "my_rating": None if asks else selectors.my_rating(user, case),
    }


@resident_view
@require_GET
def concern(request, reference):
    case = selectors.get_my_concern(request.user, reference)
    return render(request, "portal/concern.html", _concern_context(request.user, case))


@resident_view
@require_POST
def rate(request, reference):
    case = selectors.get_my_concern(request.user, reference)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            actions.rate_concern(
                acting_user=request.user,
                case=case,
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            if form.cleaned_data["rating"] == "unsatisfied":
                messages.success(request, _("Thank you. Your concern is reopened with your words."))
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect("portal:concern", reference=case.reference)
    case.refresh_from_db()
    return render(request, "portal/concern.html", _concern_context(request.user, case, form), status=400)


@resident_view
@require_GET
def photo(request, reference, pk):
    case = selectors.get_my_concern(request.user, reference)
    item = selectors.my_photos(request.user, case).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- who handles what (public) --------------------------------------------------------------------------


@login_not_required
@require_GET
def who(request):
    """这事儿该找谁 for everyone: plain words → the responsible organisation, its public phone and hours."""
    initial = {}
    if _is_resident(request.user):
        initial["community"] = selectors.home_community(request.user)
    elif request.session.get("portal_community"):
        initial["community"] = request.session["portal_community"]
    form = WhoForm(request.GET or None, initial=initial)
    question, community, results, error, status = "", None, [], None, 200
    if form.is_bound and form.is_valid():
        question = form.cleaned_data["q"].strip()
        community = form.cleaned_data["community"]
        if question and community is not None:
            try:
                throttle.guard(
                    throttle.ip_key("lookup_ip", client_ip(request)), message=throttle.wait_message
                )
            except throttle.Throttled as throttled:
                error, status = throttled.message, 429
            else:
                results = selectors.who_handles(question, community)
        elif question:
            error = _("Choose your community: who handles what differs from place to place.")
    return render(
        request,
        "portal/who.html",
        {
            "form": form,
            "question": question,
            "community": community,
            "results": results,
            "error": error,
            **selectors.offices_for(community),
        },
        status=status,
    )
