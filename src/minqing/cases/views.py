from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import STAFF_ROLES
from minqing.core.errors import ApplicationError, Conflict, Forbidden
from minqing.core.forms import apply_error
from minqing.directory import selectors as directory
from minqing.directory.models import Category
from minqing.organisations.selectors import organisations_for
from minqing.places.selectors import buildings_for, get_area

from . import actions, selectors
from .forms import CaptureForm, MeTooForm, ReferralForm, TransitionForm
from .models import Status
from .workflow import STAFF, acts_as, allowed


@require_http_methods(["GET", "POST"])
def capture(request):
    """记民情 on a phone: where, what, who — and save."""
    if not (request.user.is_superuser or request.user.role in STAFF_ROLES):
        raise Forbidden()
    buildings = buildings_for(request.user).select_related("area").order_by("area__path", "name")
    form = CaptureForm(request.POST or None, buildings=buildings)
    similar = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.pop("new_anyway"):
            similar = selectors.similar_open_cases(
                request.user, building=data["building"], description=data["description"]
            )
    if similar:
        # Probably the same concern: offer "me too" first; saving again records a new case.
        form.data = form.data.copy()
        form.data["new_anyway"] = "on"
        return render(request, "cases/capture.html", {"form": form, "similar": similar})
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.register_case(acting_user=request.user, **data)
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Recorded as %(ref)s.") % {"ref": case.reference})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/capture.html", {"form": form})


@require_GET
def case_list(request):
    status = request.GET.get("status") or None
    if status and status not in Status.values:
        status = None
    page = Paginator(selectors.case_list(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page, "status": status, "statuses": Status.choices})


@require_GET
def case_detail(request, pk):
    case = selectors.get_case(request.user, pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _detail_context(request, case, form=None):
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
                },
                organisations=organisations,
                auto_id=f"id_{t.name}_%s",  # several step forms share the page
            ),
        )
        for t in allowed(request.user, case)
    ]
    return {
        "case": case,
        "steps": steps,
        "suggestions": suggestions,
        # Handlers (often private companies) see how many raised it, not who (PIPL: only what they need).
        "reporters": case.reporters.select_related("resident") if role == STAFF else None,
        "reporter_count": case.reporters.count(),
        "timeline": selectors.timeline(case),
        "me_too": MeTooForm() if role == STAFF else None,
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
    form = TransitionForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            actions.transition(
                acting_user=request.user,
                case=case,
                name=form.cleaned_data["name"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                organisation=form.cleaned_data["organisation"],
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
    form = MeTooForm(request.POST)
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
    )
    messages.success(
        request,
        _("Recorded as %(ref)s; it comes back for follow-up on %(day)s.")
        % {"ref": case.reference, "day": case.follow_up_on.isoformat()},
    )
    return redirect("cases:detail", pk=case.pk)
