import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import STAFF_ROLES, Cap, can
from minqing.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from minqing.core.forms import apply_error
from minqing.core.identity import mask_phone
from minqing.core.reveal import reveal_response
from minqing.directory import selectors as directory
from minqing.directory.models import Category
from minqing.notifications.selectors import messages_about
from minqing.organisations.selectors import merchants_for, organisations_for
from minqing.people.selectors import residents_for
from minqing.places.selectors import buildings_for, get_area, households_for, visible_areas

from . import actions, selectors
from .forms import (
    CaptureForm,
    DecisionForm,
    ExtensionForm,
    FeedbackForm,
    MergeForm,
    MeTooForm,
    ReferralForm,
    TransitionForm,
)
from .models import Extension, Status
from .workflow import HANDLER, STAFF, acts_as, allowed


@require_http_methods(["GET", "POST"])
def capture(request):
    """记民情 on a phone: where, what, who — and save. The place can come from a resident's or household's
    page (?resident= / ?household= / ?merchant=) or from the places this user recorded concerns about lately."""
    if not (request.user.is_superuser or request.user.role in STAFF_ROLES):
        raise Forbidden()
    buildings = buildings_for(request.user).select_related("area").order_by("area__path", "name")
    form = CaptureForm(
        request.POST or None,
        request.FILES or None,
        initial={key: request.GET[key] for key in CAPTURE_FROM if key in request.GET},
        buildings=buildings,
        households=households_for(request.user).select_related("building", "unit"),
        residents=residents_for(request.user).select_related("household", "area"),
        merchants=merchants_for(request.user).select_related("area"),
        grids=visible_areas(request.user).filter(kind="grid").order_by("path"),
    )
    context = {
        "form": form,
        "recent": selectors.recent_buildings(request.user),
        "about": _capture_about(form),
    }
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.pop("new_anyway"):
            context["similar"] = selectors.similar_open_cases(
                request.user, building=data["building"], description=data["description"]
            )
        if context.get("similar"):
            # Probably the same concern: offer "me too" first; saving again records a new case.
            form.data = form.data.copy()
            form.data["new_anyway"] = "on"
            return render(request, "cases/capture.html", context)
        try:
            case = actions.register_case(acting_user=request.user, **data)
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Recorded as %(ref)s.") % {"ref": case.reference})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/capture.html", context)


CAPTURE_FROM = ("building", "household", "resident", "merchant")


def _capture_about(form):
    """The resident, household or merchant the concern was opened from (shown above the form)."""
    for name in ("resident", "household", "merchant"):
        value = form.data.get(name) or form.initial.get(name)
        if value:
            try:
                return form.fields[name].queryset.filter(pk=int(value)).first()
            except (TypeError, ValueError):
                return None
    return None


CLOCK_FILTERS = {
    "open": pgettext_lazy("cases", "Open"),
    "due_soon": _lazy("Time limit close"),
    "overdue": _lazy("Overdue (督办)"),
}


def _list_narrowing(request) -> dict:
    """?area= (in scope, else 404), ?building=, ?category=, ?from=&to= (registration dates, inclusive):
    what the dashboards link with. Malformed values are ignored, never an error page."""
    get, out = request.GET, {}
    if get.get("area", "").isdigit():
        out["area"] = get_area(request.user, int(get["area"]))
    for key, name in (("building", "building_id"), ("category", "category_id")):
        if get.get(key, "").isdigit():
            out[name] = int(get[key])
    for key, name, shift in (("from", "since", 0), ("to", "until", 1)):
        try:
            day = datetime.date.fromisoformat(get.get(key, ""))
        except ValueError:
            continue
        day += datetime.timedelta(days=shift)
        out[name] = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return out


@require_GET
def case_list(request):
    status = request.GET.get("status") or None
    if status and status not in Status.values:
        status = None
    clock = request.GET.get("clock") if request.GET.get("clock") in CLOCK_FILTERS else None
    narrowed = _list_narrowing(request)
    cases = selectors.case_list(request.user, status=status, clock=clock, **narrowed)
    # Two steps, as the registry lists: the page's ids sorted from the case rows alone, then those cases with
    # their place and handler (sorting a whole scope joined to them costs more than both at page 50).
    page = Paginator(cases.values_list("pk", flat=True), 30).get_page(request.GET.get("page"))
    page.object_list = selectors.load_cases(cases, page.object_list)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "clock": clock,
            "clocks": CLOCK_FILTERS.items(),
            "narrowed": narrowed,
            "narrowing_keys": ("area", "building", "category", "from", "to"),
            "now": timezone.now(),
        },
    )


@require_GET
def case_detail(request, pk):
    case = selectors.get_case(request.user, pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _detail_context(request, case, form=None, **extra):
    role = acts_as(request.user, case)
    suggestions = []
    if role == STAFF and case.status == Status.REGISTERED:
        for category in directory.match_categories(case.description, limit=2):
            suggestions.append((category, directory.handlers_for(category, case.area)))
    organisations = organisations_for(request.user).order_by("name") if role == STAFF else None
    steps = [
        (
            t,
            form
            if form is not None and form.data.get("name") == t.name
            else TransitionForm(
                initial={
                    "name": t.name,
                    "version": case.version,
                    "organisation": _first_handler(suggestions),
                    "category": case.category or (suggestions[0][0] if suggestions else None),
                },
                organisations=organisations,
                auto_id=f"id_{t.name}_%s",  # several step forms share the page
            ),
        )
        for t in allowed(request.user, case)
    ]
    supervisor = role == STAFF and can(request.user, Cap.SUPERVISE_CASES)
    pending = case.extensions.filter(state=Extension.State.PENDING).select_related("requested_by").first()
    reporters = list(case.reporters.select_related("resident")) if role == STAFF else None
    return {
        "case": case,
        "role": role,
        "steps": steps,
        "suggestions": suggestions,
        "reporters": reporters,
        # Handlers (often private companies) see what they need to reach the reporters, no more (PIPL).
        "handler_reporters": selectors.reporters_for_handler(case) if role == HANDLER else None,
        "reporter_count": case.reporters.count(),
        "photos": list(case.photos.all()),
        "can_reveal_phone": role == STAFF and can(request.user, Cap.UNMASK_PHONE),
        "timeline": selectors.timeline(case),
        "me_too": MeTooForm(residents=residents_for(request.user))
        if role == STAFF and case.status != Status.CLOSED
        else None,
        "pending_extension": pending,
        "extension_form": (
            (extra.get("extension_form") or ExtensionForm())
            if role == HANDLER and case.status == Status.ACCEPTED and pending is None
            else None
        ),
        "decision_form": DecisionForm() if supervisor and pending else None,
        "merge_form": (
            (extra.get("merge_form") or MergeForm()) if supervisor and case.status != Status.CLOSED else None
        ),
        "feedback_form": (
            (extra.get("feedback_form") or FeedbackForm(reporters=case.reporters.all()))
            if role == STAFF and case.status == Status.CLOSED and not case.merged_into_id
            else None
        ),
        "feedback": list(case.feedback.select_related("reporter", "recorded_by")) if role == STAFF else None,
        "messages_sent": messages_about(case) if role == STAFF else None,
        "photo_steps": actions.PHOTO_KINDS,
    }


def _first_handler(suggestions):
    for _category, handlers in suggestions:
        if handlers:
            return handlers[0].organisation
    return None


@require_POST
def case_transition(request, pk):
    case = selectors.get_case(request.user, pk)
    role = acts_as(request.user, case)
    organisations = organisations_for(request.user) if role == STAFF else None
    form = TransitionForm(request.POST, request.FILES, organisations=organisations)
    if form.is_valid():
        try:
            actions.transition(
                acting_user=request.user,
                case=case,
                name=form.cleaned_data["name"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                organisation=form.cleaned_data["organisation"],
                category=form.cleaned_data["category"],
                photos=form.cleaned_data["photos"],
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("cases:detail", pk=case.pk)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Done."))
            if selectors.cases_for(request.user).filter(pk=case.pk).exists():
                return redirect("cases:detail", pk=case.pk)
            return redirect("cases:list")
    return render(request, "cases/detail.html", _detail_context(request, case, form), status=400)


@require_POST
def case_me_too(request, pk):
    case = selectors.get_case(request.user, pk)
    form = MeTooForm(request.POST, residents=residents_for(request.user))
    if form.is_valid():
        try:
            actions.add_reporter(acting_user=request.user, case=case, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Added as another reporter of this case."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("cases:detail", pk=case.pk)


@require_POST
def refer_from_directory(request):
    """From 这事儿该找谁: record that the caller was told whom to contact, to follow up tomorrow."""
    form = ReferralForm(request.POST)
    if not form.is_valid():
        if "caller_phone" in form.errors:
            messages.error(request, form.errors["caller_phone"][0])
        else:
            messages.error(request, _("Write what the caller asked about."))
        return redirect("directory:lookup")
    data = form.cleaned_data
    area = get_area(request.user, data["area"])
    category = Category.objects.filter(pk=data["category"], active=True).first()
    organisation = organisations_for(request.user).filter(pk=data["organisation"]).first()
    if category is None or organisation is None:
        raise Forbidden()
    case = actions.register_referral(
        acting_user=request.user,
        area=area,
        description=data["question"],
        category=category,
        organisation=organisation,
        reporter_name=data["caller_name"],
        reporter_phone=data["caller_phone"],
    )
    messages.success(
        request,
        _("Recorded as %(ref)s; it comes back for follow-up on %(day)s.")
        % {"ref": case.reference, "day": case.follow_up_on.isoformat()},
    )
    return redirect("cases:detail", pk=case.pk)


@require_GET
def case_photo(request, pk, photo_pk):
    """A photo, only to those who may see the case (never a public media URL)."""
    case = selectors.get_case(request.user, pk)
    photo = case.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise NotFound()
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def case_add_photos(request, pk):
    case = selectors.get_case(request.user, pk)
    try:
        actions.add_photos(acting_user=request.user, case=case, photos=request.FILES.getlist("photos"))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Photos added."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
def case_extension(request, pk):
    """延期: the handler asks for more time."""
    case = selectors.get_case(request.user, pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            actions.request_extension(acting_user=request.user, case=case, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Asked for more time; a supervisor decides."))
            return redirect("cases:detail", pk=case.pk)
    context = _detail_context(request, case, extension_form=form)
    return render(request, "cases/detail.html", context, status=400)


@require_POST
def extension_decide(request, pk):
    extension = Extension.objects.filter(pk=pk).select_related("case").first()
    if extension is None:
        raise NotFound()
    case = selectors.get_case(request.user, extension.case_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose grant or refuse."))
        return redirect("cases:detail", pk=case.pk)
    try:
        actions.decide_extension(acting_user=request.user, extension=extension, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
def case_merge(request, pk):
    """Two cases about the same concern: this one closes into the other, keeping every reporter."""
    case = selectors.get_case(request.user, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        keep = selectors.find_by_reference(request.user, form.cleaned_data["keep"])
        if keep is None:
            form.add_error("keep", _("No case with this reference in your area."))
        else:
            try:
                actions.merge_cases(
                    acting_user=request.user, keep=keep, duplicate=case, note=form.cleaned_data["note"]
                )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Merged into %(ref)s.") % {"ref": keep.reference})
                return redirect("cases:detail", pk=keep.pk)
    return render(request, "cases/detail.html", _detail_context(request, case, merge_form=form), status=400)


@require_POST
def case_feedback(request, pk):
    """回访: record what the reporter said when called back."""
    case = selectors.get_case(request.user, pk)
    form = FeedbackForm(request.POST, reporters=case.reporters.all())
    if form.is_valid():
        try:
            actions.record_feedback(acting_user=request.user, case=case, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Call-back recorded."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/detail.html", _detail_context(request, case, feedback_form=form), status=400
    )


@require_POST
def reporter_reveal(request, pk, reporter_pk):
    """htmx: a reporter's full phone number for the call-back, after recording who looked and why."""
    case = selectors.get_case(request.user, pk)
    reporter = case.reporters.select_related("resident").filter(pk=reporter_pk).first()
    if reporter is None or acts_as(request.user, case) != STAFF:
        raise NotFound()
    reporter.case = case
    return reveal_response(
        request,
        reveal_url=reverse("cases:reporter_reveal", args=[case.pk, reporter.pk]),
        masked={"phone": mask_phone(reporter.contact_phone)},
        reveal=lambda field, reason: actions.reveal_reporter_phone(
            acting_user=request.user, reporter=reporter, reason=reason
        ),
    )
