"""The REST API, version 1. Views are thin: they parse input with serializers, read through the selectors
(scoped to request.user, so an API user sees exactly what the same user sees on the pages) and write through
the actions (which check capability and scope, and audit). Out of scope is 404, as on the pages."""

import re

from django.db.models import Q
from django.db.models.functions import Length
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from minqing.accounts.roles import STAFF_ROLES, Cap, can
from minqing.cases import actions as case_actions
from minqing.cases import selectors as case_selectors
from minqing.cases.models import Extension
from minqing.cases.workflow import HANDLER, STAFF, acts_as, allowed
from minqing.core import audit
from minqing.core.errors import Forbidden, NotFound
from minqing.diary import actions as diary_actions
from minqing.diary import selectors as diary_selectors
from minqing.directory import selectors as directory
from minqing.organisations.selectors import get_organisation, organisations_for
from minqing.people import selectors as people
from minqing.places import selectors as places
from minqing.places.models import Area

from . import serializers as s
from .errors import error_body
from .pagination import Pages
from .schema import ApiSchema


class ApiMixin:
    # Token first: a request without credentials is told 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = Pages
    metadata_class = None  # OPTIONS: 405 (its metadata would read models around the selectors)
    schema = ApiSchema()
    lookup_value_converter = "int"

    def query(self, serializer_class) -> dict:
        """The query parameters, checked by `serializer_class` (400 in the error shape if refused)."""
        # A plain dict, not the QueryDict: DRF would read "?status=" as an omitted field (HTML form semantics),
        # where the schema says an empty value is not a status.
        params = serializer_class(data=dict(self.request.query_params.items()))
        params.is_valid(raise_exception=True)
        return params.validated_data

    def body(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def paged(self, items, serializer_class, **context):
        page = self.paginate_queryset(items)
        return self.get_paginated_response(
            serializer_class(page, many=True, context={"request": self.request, **context}).data
        )


def refused(field: str, message=None):
    """A referenced record that is not found in the user's scope: a 400 on that field (not a 404: the URL
    itself was right)."""
    return ValidationError({field: [str(message or NotFound.default_message)]})


def in_scope(field: str, getter, user, pk):
    """`getter(user, pk)` (a selector), or a 400 on `field` when it is not found in the user's scope."""
    if pk is None:
        return None
    try:
        return getter(user, pk)
    except NotFound:
        raise refused(field) from None


def require_registry(user) -> None:
    """What the registry's and the directory's pages ask of a user (handlers, volunteers, residents: 403)."""
    if not can(user, Cap.VIEW_REGISTRY):
        raise Forbidden()


# --- the registry ------------------------------------------------------------------------------------------


class AreaViewSet(ApiMixin, viewsets.GenericViewSet):
    """The areas the user sees: their own and everything below them (区→街道→社区→[小区]→网格)."""

    serializer_class = s.AreaSerializer

    @extend_schema(parameters=[s.AreaFilter])
    def list(self, request):
        params = self.query(s.AreaFilter)
        areas = places.visible_areas(request.user).order_by("path", "pk")
        if "kind" in params:
            areas = areas.filter(kind=params["kind"])
        if "parent" in params:
            areas = areas.filter(parent_id=params["parent"])
        return self.paged(areas, s.AreaSerializer)

    def retrieve(self, request, pk):
        return Response(s.AreaSerializer(places.get_area(request.user, pk)).data)


class BuildingViewSet(ApiMixin, viewsets.GenericViewSet):
    serializer_class = s.BuildingSerializer

    @extend_schema(parameters=[s.BuildingFilter])
    def list(self, request):
        params = self.query(s.BuildingFilter)
        if "area" in params:
            buildings = places.buildings_in(request.user, places.get_area(request.user, params["area"]))
        else:
            buildings = places.buildings_for(request.user).order_by("area__path", Length("name"), "name")
        buildings = buildings.select_related("area", "property_company")
        return self.paged(buildings, s.BuildingSerializer)

    def retrieve(self, request, pk):
        return Response(s.BuildingSerializer(places.get_building(request.user, pk)).data)


class HouseholdViewSet(ApiMixin, viewsets.GenericViewSet):
    serializer_class = s.HouseholdSerializer

    @extend_schema(parameters=[s.HouseholdFilter])
    def list(self, request):
        params = self.query(s.HouseholdFilter)
        if "building" in params:
            households = places.households_of(places.get_building(request.user, params["building"]))
        else:
            households = places.households_for(request.user).order_by(
                "building_id", Length("unit__name"), "unit__name", Length("room"), "room", "pk"
            )
        households = households.select_related("building", "unit")
        return self.paged(households, s.HouseholdSerializer)

    def retrieve(self, request, pk):
        return Response(s.HouseholdSerializer(places.get_household(request.user, pk)).data)


class ResidentViewSet(ApiMixin, viewsets.GenericViewSet):
    """Residents with their phone and ID number masked, as on the pages."""

    serializer_class = s.ResidentSerializer

    @extend_schema(parameters=[s.ResidentFilter])
    def list(self, request):
        params = self.query(s.ResidentFilter)
        user = request.user
        if params.get("q", "").strip():
            # The registry's search: the best matches, at most one full page of them.
            return self.paged(
                people.search_residents(user, params["q"], limit=Pages.max_page_size), s.ResidentSerializer
            )
        if "area" in params:
            # As the area's residents page: ids in address order, then the one page with what it shows.
            ids = people.residents_in_address_order(user, places.get_area(user, params["area"]))
            page = self.paginate_queryset(ids)
            residents = people.load_residents(user, page)
            return self.get_paginated_response(s.ResidentSerializer(residents, many=True).data)
        residents = people.resident_list(user, status=params.get("status")).order_by("pk")
        return self.paged(residents, s.ResidentSerializer)

    def retrieve(self, request, pk):
        return Response(s.ResidentSerializer(people.get_resident(request.user, pk)).data)


# --- the directory ----------------------------------------------------------------------------------------


class CategoryViewSet(ApiMixin, viewsets.GenericViewSet):
    """Concern categories in use, with their time limits."""

    serializer_class = s.CategorySerializer

    @extend_schema(parameters=[s.CategoryFilter])
    def list(self, request):
        require_registry(request.user)
        params = self.query(s.CategoryFilter)
        if params.get("q", "").strip():
            return self.paged(directory.match_categories(params["q"]), s.CategorySerializer)
        return self.paged(directory.categories().order_by("code"), s.CategorySerializer)

    def retrieve(self, request, pk):
        require_registry(request.user)
        category = directory.categories().filter(pk=pk).first()
        if category is None:
            raise NotFound()
        return Response(s.CategorySerializer(category).data)


class OrganisationViewSet(ApiMixin, viewsets.GenericViewSet):
    """The organisations the user sees: those serving their areas (a handler: their own)."""

    serializer_class = s.OrganisationSerializer

    def list(self, request):
        return self.paged(organisations_for(request.user).order_by("name", "pk"), s.OrganisationSerializer)

    def retrieve(self, request, pk):
        return Response(s.OrganisationSerializer(get_organisation(request.user, pk)).data)


class HandlersView(ApiMixin, APIView):
    """这事儿该找谁: who handles this category in this area, first owners before escalation, with the reason."""

    pagination_class = None

    @extend_schema(parameters=[s.HandlersFilter], responses=s.HandlerSerializer(many=True))
    def get(self, request):
        require_registry(request.user)
        params = self.query(s.HandlersFilter)
        area = in_scope("area", places.get_area, request.user, params["area"])
        category = directory.categories().filter(pk=params["category"]).first()
        if category is None:
            raise refused("category")
        return Response(s.HandlerSerializer(directory.handlers_for(category, area), many=True).data)


class ResponsibilityViewSet(ApiMixin, viewsets.GenericViewSet):
    """The responsibility directory of the user's areas (what its page shows those who edit it)."""

    serializer_class = s.ResponsibilitySerializer

    @extend_schema(parameters=[s.ResponsibilityFilter])
    def list(self, request):
        if not can(request.user, Cap.MANAGE_DIRECTORY):
            raise Forbidden()
        params = self.query(s.ResponsibilityFilter)
        rules = directory.responsibilities_in(places.visible_areas(request.user))
        if "category" in params:
            rules = rules.filter(category_id=params["category"])
        if "area" in params:
            rules = rules.filter(area_id=params["area"])
        return self.paged(
            rules.order_by("category__code", "area__path", "duty", "pk"), s.ResponsibilitySerializer
        )


# --- cases ---------------------------------------------------------------------------------------------------


# A case reference as Minqing gives them (MQ + date + number), or a bench's (BQ…).
REFERENCE = re.compile(r"^[A-Za-z]{2}\d{8,18}$")


def case_detail(request, case) -> dict:
    """A case as its page shows this user: reporters shaped for their role, the steps they may take now."""
    role = acts_as(request.user, case)
    if role == STAFF:
        reporters = s.staff_reporters(case)
    elif role == HANDLER:
        reporters = s.handler_reporters(case_selectors.reporters_for_handler(case))
    else:  # a step just taken put the case out of their hands (a handler returned it)
        reporters = []
    context = {
        "reporters": reporters,
        "transitions": allowed(request.user, case) if role else [],
        "extensions": list(case.extensions.all()) if role else [],
    }
    return s.CaseDetailSerializer(case, context=context).data


class CaseViewSet(ApiMixin, viewsets.GenericViewSet):
    """Cases: staff see their areas' cases, an organisation handler those dispatched to their organisation."""

    serializer_class = s.CaseSerializer

    @extend_schema(parameters=[s.CaseFilter])
    def list(self, request):
        params = self.query(s.CaseFilter)
        cases = case_selectors.case_list(
            request.user, status=params.get("status"), clock=params.get("clock")
        ).select_related(None)  # only what the list shows (not the household, its building and unit)
        cases = cases.select_related("area", "building", "category", "organisation")
        if "area" in params:
            # Within the user's cases already; the area's path only narrows them (an area out of scope, or
            # none, leaves nothing), so it is read without scope: handlers filter by area too.
            path = Area.objects.filter(pk=params["area"]).values_list("path", flat=True).first()
            cases = cases.filter(area__path__startswith=path) if path else cases.none()
        if "category" in params:
            cases = cases.filter(category_id=params["category"])
        if "created_after" in params:
            cases = cases.filter(created_at__gte=params["created_after"])
        if "created_before" in params:
            cases = cases.filter(created_at__lt=params["created_before"])
        q = params.get("q", "").strip()
        if REFERENCE.match(q):  # a whole reference: the unique index, not a scan of every text in scope
            cases = cases.filter(reference=q.upper())
        elif q:
            cases = cases.filter(
                Q(reference__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q)
            )
        # Two steps: the page's ids, sorted as narrow rows of the case table alone; then those cases with what
        # the list shows. Sorting every case in scope joined to its area, building … costs more than both.
        ids = self.paginate_queryset(cases.values_list("pk", flat=True))
        by_id = cases.in_bulk(ids)
        return self.get_paginated_response(s.CaseSerializer([by_id[pk] for pk in ids], many=True).data)

    @extend_schema(responses=s.CaseDetailSerializer)
    def retrieve(self, request, pk):
        return Response(case_detail(request, case_selectors.get_case(request.user, pk)))

    @extend_schema(request=s.CaseCreateInput, responses={201: s.CaseDetailSerializer})
    def create(self, request):
        """登记: record a concern about a building, a household or a grid."""
        user = request.user
        if not (user.is_superuser or user.role in STAFF_ROLES):
            raise Forbidden()  # as the capture page
        data = dict(self.body(s.CaseCreateInput))
        resident = in_scope("resident", people.get_resident, user, data.pop("resident"))
        household = in_scope("household", places.get_household, user, data.pop("household"))
        building = in_scope("building", places.get_building, user, data.pop("building"))
        area = in_scope("area", places.get_area, user, data.pop("area"))
        category_id = data.pop("category")
        if category_id is not None:
            data["category"] = directory.categories().filter(pk=category_id).first()
            if data["category"] is None:
                raise refused("category")
        # The capture form's rules: a resident brings their household, a household its building.
        if resident is not None and household is None and resident.household_id:
            household = resident.household
        if resident is not None and building is None and household is None and area is None:
            area = resident.area
        case = case_actions.register_case(
            acting_user=user, resident=resident, household=household, building=building, area=area, **data
        )
        case = case_selectors.get_case(user, case.pk)
        return Response(case_detail(request, case), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=s.TransitionSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.TransitionInput, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def transitions(self, request, pk):
        """GET: the steps this user may take now. POST: take one (`version` from the case; 409 if stale)."""
        case = case_selectors.get_case(request.user, pk)
        if request.method == "GET":
            return Response(s.TransitionSerializer(allowed(request.user, case), many=True).data)
        data = self.body(s.TransitionInput)
        organisation = in_scope("organisation", get_organisation, request.user, data["organisation"])
        category = None
        if data["category"] is not None:
            category = directory.categories().filter(pk=data["category"]).first()
            if category is None:
                raise refused("category")
        case = case_actions.transition(
            acting_user=request.user,
            case=case,
            name=data["name"],
            expected_version=data["version"],
            note=data["note"],
            organisation=organisation,
            category=category,
        )
        return Response(case_detail(request, case))

    @extend_schema(responses=s.TimelineEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk):
        """Everything that happened to the case, oldest first, from the audit trail."""
        case = case_selectors.get_case(request.user, pk)
        events = [
            {
                "at": event.at,
                "action": event.action,
                "label": audit.describe(event),
                "actor": event.actor.display_name if event.actor_id else None,
                "note": event.reason,
            }
            for event in case_selectors.timeline(case)
        ]
        return Response(s.TimelineEventSerializer(events, many=True).data)

    @extend_schema(request=s.ReporterInput, responses={201: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def reporters(self, request, pk):
        """ "Me too": one more resident raised the same concern."""
        case = case_selectors.get_case(request.user, pk)
        data = dict(self.body(s.ReporterInput))
        data["resident"] = in_scope("resident", people.get_resident, request.user, data["resident"])
        case_actions.add_reporter(acting_user=request.user, case=case, **data)
        case = case_selectors.get_case(request.user, pk)
        return Response(case_detail(request, case), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ExtensionInput, responses={201: s.ExtensionSerializer})
    @action(detail=True, methods=["post"])
    def extensions(self, request, pk):
        """延期: the handler asks for more working days to finish."""
        case = case_selectors.get_case(request.user, pk)
        data = self.body(s.ExtensionInput)
        extension = case_actions.request_extension(acting_user=request.user, case=case, **data)
        return Response(s.ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MergeInput, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk):
        """This case is a duplicate of `keep`: it closes into it, and its reporters move there."""
        case = case_selectors.get_case(request.user, pk)
        data = self.body(s.MergeInput)
        keep = case_selectors.find_by_reference(request.user, data["keep"])
        if keep is None:
            raise refused("keep")
        keep = case_actions.merge_cases(
            acting_user=request.user, keep=keep, duplicate=case, note=data["note"]
        )
        return Response(case_detail(request, case_selectors.get_case(request.user, keep.pk)))

    @extend_schema(request=s.FeedbackInput, responses={201: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk):
        """回访: what the reporter said when called back; not satisfied reopens the case."""
        case = case_selectors.get_case(request.user, pk)
        data = dict(self.body(s.FeedbackInput))
        reporter = None
        if data["reporter"] is not None:
            reporter = case.reporters.filter(pk=data["reporter"]).first()
            if reporter is None:
                raise refused("reporter")
        data["reporter"] = reporter
        case_actions.record_feedback(acting_user=request.user, case=case, **data)
        case = case_selectors.get_case(request.user, pk)
        return Response(case_detail(request, case), status=status.HTTP_201_CREATED)


class ExtensionViewSet(ApiMixin, viewsets.GenericViewSet):
    serializer_class = s.ExtensionSerializer

    @extend_schema(request=s.DecisionInput, responses={200: s.ExtensionSerializer})
    @action(detail=True, methods=["post"])
    def decision(self, request, pk):
        """A supervisor grants (the finish limit moves) or refuses (with a reason) a request for more time."""
        # Only requests on cases the user sees (cases.selectors.cases_for); others are not found.
        extension = (
            Extension.objects.filter(pk=pk, case__in=case_selectors.cases_for(request.user).values("pk"))
            .select_related("case")
            .first()
        )
        if extension is None:
            raise NotFound()
        data = self.body(s.DecisionInput)
        extension = case_actions.decide_extension(acting_user=request.user, extension=extension, **data)
        return Response(s.ExtensionSerializer(extension).data)


# --- the diary -------------------------------------------------------------------------------------------


class DiaryViewSet(ApiMixin, viewsets.GenericViewSet):
    """民情日记: a cadre's notes about a resident, building, merchant or grid (staff only)."""

    serializer_class = s.DiaryEntrySerializer

    @extend_schema(parameters=[s.DiaryFilter])
    def list(self, request):
        params = self.query(s.DiaryFilter)
        subject = {name: params[name] for name in ("resident", "building", "merchant") if name in params}
        if "grid" in params:
            subject["area"] = params["grid"]
        subject = {f"{name}_id": pk for name, pk in subject.items()}
        entries = diary_selectors.entry_list(request.user, query=params.get("q", ""), subject=subject or None)
        return self.paged(entries, s.DiaryEntrySerializer)

    def retrieve(self, request, pk):
        return Response(s.DiaryEntrySerializer(diary_selectors.get_entry(request.user, pk)).data)

    @extend_schema(request=s.DiaryCreateInput, responses={201: s.DiaryEntrySerializer})
    def create(self, request):
        data = self.body(s.DiaryCreateInput)
        try:
            subject = diary_selectors.resolve_subject(request.user, data["subject"])
        except NotFound:
            raise refused("subject") from None
        entry = diary_actions.write_entry(
            acting_user=request.user,
            text=data["text"],
            occurred_on=data["occurred_on"],
            **diary_selectors.subject_kwargs(subject),
        )
        entry = diary_selectors.get_entry(request.user, entry.pk)
        return Response(s.DiaryEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DiaryUpdateInput, responses={200: s.DiaryEntrySerializer})
    def update(self, request, pk):
        """Change the words or the day of a note (`version` from the note; 409 if someone saved since)."""
        entry = diary_selectors.get_entry(request.user, pk)
        data = self.body(s.DiaryUpdateInput)
        diary_actions.update_entry(
            acting_user=request.user,
            entry=entry,
            expected_version=data["version"],
            text=data["text"],
            occurred_on=data["occurred_on"],
        )
        return Response(s.DiaryEntrySerializer(diary_selectors.get_entry(request.user, pk)).data)

    @extend_schema(request=None, responses={201: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def case(self, request, pk):
        """Turn the note into a registered case about the same place and person (once)."""
        entry = diary_selectors.get_entry(request.user, pk)
        case = diary_actions.turn_into_case(acting_user=request.user, entry=entry)
        case = case_selectors.get_case(request.user, case.pk)
        return Response(case_detail(request, case), status=status.HTTP_201_CREATED)


# --- everything else under /api/v1/ --------------------------------------------------------------------------


class NotFoundView(ApiMixin, APIView):
    """Unknown API URLs answer in the error shape too (not with the site's HTML 404 page)."""

    def _not_found(self, request, *args, **kwargs):
        return Response(error_body("not_found", str(NotFound.default_message)), status=404)

    get = post = put = patch = delete = _not_found
