"""What the API shows and what it takes. Output serializers only shape what the selectors returned (personal data
already masked there or here, exactly as on the pages); input serializers only check the form of the input.
Whether the user may see or do something is never decided here: selectors and actions decide it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from minqing.cases.models import Channel, Escalation, Extension, Nature, Rating, Status
from minqing.cases.workflow import TRANSITIONS
from minqing.core.identity import mask_phone
from minqing.directory.models import Duty
from minqing.organisations.models import OrganisationKind
from minqing.people.models import Relation, ResidenceType, ResidentStatus, Sex
from minqing.places.models import AreaKind, DrainType, GasSupply, RenovationStatus

MAX_ID = 2**63 - 1


def Id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def OptionalId(**kwargs):
    return Id(allow_null=True, default=None, **kwargs)


# --- small references ------------------------------------------------------------------------------------


class AreaRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=AreaKind.choices)


class NamedRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CategoryRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OrganisationRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_blank=True)


# --- the registry ------------------------------------------------------------------------------------------


class AreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AreaKind.choices)
    name = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()


class BuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    area = AreaRef()
    floors = serializers.IntegerField(allow_null=True)
    year_built = serializers.IntegerField(allow_null=True)
    water_pipe_year = serializers.IntegerField(allow_null=True)
    sewer_pipe_year = serializers.IntegerField(allow_null=True)
    drain_type = serializers.ChoiceField(choices=DrainType.choices, allow_blank=True)
    ground_floor_own_drain = serializers.BooleanField(allow_null=True)
    has_elevator = serializers.BooleanField(allow_null=True)
    gas_supply = serializers.ChoiceField(choices=GasSupply.choices, allow_blank=True)
    renovation_status = serializers.ChoiceField(choices=RenovationStatus.choices, allow_blank=True)
    property_company = OrganisationRef(allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    version = serializers.IntegerField()


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    label = serializers.CharField(source="__str__", help_text="Building, unit and room, as people write it.")
    building = NamedRef()
    unit = serializers.CharField(source="unit.name", allow_null=True, default=None)
    room = serializers.CharField()
    area = serializers.IntegerField(source="area_id")
    version = serializers.IntegerField()


class HouseholdRef(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()


class TagSerializer(serializers.Serializer):
    code = serializers.CharField(source="tag_type.code")
    name = serializers.CharField(source="tag_type.name")


class ResidentSerializer(serializers.Serializer):
    """Phone and ID number masked, as on the pages; only the reveal flow of the pages shows them in full."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    sex = serializers.ChoiceField(choices=Sex.choices, allow_blank=True)
    birth_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=ResidentStatus.choices)
    relation = serializers.ChoiceField(choices=Relation.choices, allow_blank=True)
    residence_type = serializers.ChoiceField(choices=ResidenceType.choices)
    household = serializers.SerializerMethodField()
    area = AreaRef()
    phone_masked = serializers.CharField(allow_blank=True)
    id_number_masked = serializers.CharField(allow_blank=True)
    tags = TagSerializer(source="visible_tags", many=True)
    version = serializers.IntegerField()

    @extend_schema_field(HouseholdRef(allow_null=True))
    def get_household(self, resident):
        if not resident.household_id:
            return None
        return {"id": resident.household_id, "label": str(resident.household)}


# --- the directory -----------------------------------------------------------------------------------------


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    domain = serializers.CharField()
    name = serializers.CharField()
    keywords = serializers.CharField(allow_blank=True)
    emergency = serializers.BooleanField()
    dispute = serializers.BooleanField()
    accept_hours = serializers.IntegerField(help_text="Accept within this many working hours.")
    finish_days = serializers.IntegerField(help_text="Finish within this many working days.")
    verify_days = serializers.IntegerField(help_text="Verify within this many working days.")


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    service_phone = serializers.CharField(allow_blank=True, help_text="The public service number.")


class HandlerSerializer(serializers.Serializer):
    """One organisation that handles the category here, and why (which area's rule applies)."""

    organisation = OrganisationSerializer(source="responsibility.organisation")
    duty = serializers.ChoiceField(source="responsibility.duty", choices=Duty.choices)
    area = AreaRef(source="responsibility.area")
    note = serializers.CharField(source="responsibility.note", allow_blank=True)
    reason = serializers.CharField()


class ResponsibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = CategoryRef()
    area = AreaRef()
    organisation = OrganisationRef()
    duty = serializers.ChoiceField(choices=Duty.choices)
    note = serializers.CharField(allow_blank=True)


# --- cases -------------------------------------------------------------------------------------------------


class CaseSerializer(serializers.Serializer):
    """A case as the case list shows it."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    nature = serializers.ChoiceField(choices=Nature.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    description = serializers.CharField()
    category = CategoryRef(allow_null=True)
    urgent = serializers.BooleanField()
    risk = serializers.BooleanField()
    people_affected = serializers.IntegerField()
    area = AreaRef()
    building = NamedRef(allow_null=True)
    organisation = OrganisationRef(allow_null=True)
    escalation = serializers.ChoiceField(
        choices=Escalation.choices, help_text="督办: 0 none, 1 yellow (overdue), 2 red (long overdue)."
    )
    overdue = serializers.BooleanField(help_text="A time limit of this case was ever missed.")
    due_at = serializers.DateTimeField(allow_null=True, help_text="When the current step is due.")
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Send it back with a transition: a stale one gets 409.")


class ReporterSerializer(serializers.Serializer):
    """Staff see each reporter's name and masked phone. An organisation handler sees a name unless the reporter
    asked for confidentiality and a masked phone unless they agreed to share it (then the full number); the
    other fields are null for them."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_blank=True)
    resident = serializers.IntegerField(allow_null=True)
    confidential = serializers.BooleanField(allow_null=True)
    wants_news = serializers.BooleanField(allow_null=True)


class TransitionSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    label = serializers.CharField()
    target = serializers.ChoiceField(choices=Status.choices)
    needs_note = serializers.BooleanField()
    needs_organisation = serializers.BooleanField()


class ExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    days = serializers.IntegerField()
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=Extension.State.choices)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseSerializer):
    """A case as its page shows it; `transitions` are the steps this user may take now. Context: `role`
    (cases.workflow.acts_as), `reporters` (already shaped for that role), `transitions`, `extensions`."""

    household = serializers.SerializerMethodField()
    address = serializers.CharField(allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    follow_up_on = serializers.DateField(allow_null=True)
    dispatched_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    accept_due_at = serializers.DateTimeField(allow_null=True)
    finish_due_at = serializers.DateTimeField(allow_null=True)
    verify_due_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    reporters = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()

    @extend_schema_field(HouseholdRef(allow_null=True))
    def get_household(self, case):
        if not case.household_id:
            return None
        return {"id": case.household_id, "label": str(case.household)}

    @extend_schema_field(ReporterSerializer(many=True))
    def get_reporters(self, case):
        return ReporterSerializer(self.context.get("reporters", []), many=True).data

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, case):
        return TransitionSerializer(self.context.get("transitions", []), many=True).data

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, case):
        return ExtensionSerializer(self.context.get("extensions", []), many=True).data


def staff_reporters(case) -> list[dict]:
    """What the case page shows staff of each reporter: name, masked phone (the full one only after a
    recorded reveal, on the page)."""
    return [
        {
            "id": reporter.pk,
            "name": str(reporter),
            "phone": mask_phone(reporter.contact_phone) if reporter.contact_phone else "",
            "resident": reporter.resident_id,
            "confidential": reporter.confidential,
            "wants_news": reporter.wants_news,
        }
        for reporter in case.reporters.select_related("resident").order_by("added_at", "id")
    ]


def handler_reporters(shaped: list[dict]) -> list[dict]:
    """cases.selectors.reporters_for_handler's rows, in the API's reporter shape."""
    return [{"id": None, "resident": None, "confidential": None, "wants_news": None, **row} for row in shaped]


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="e.g. cases.case.dispatch")
    label = serializers.CharField()
    actor = serializers.CharField(allow_null=True, help_text="Who did it; null for the system.")
    note = serializers.CharField(allow_blank=True)


# --- the diary ---------------------------------------------------------------------------------------------


class CaseRef(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class SubjectRef(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["resident", "building", "merchant"])
    id = serializers.IntegerField()
    name = serializers.CharField()


class DiaryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    occurred_on = serializers.DateField()
    author = serializers.SerializerMethodField()
    area = AreaRef(help_text="The grid the note belongs to.")
    subject = serializers.SerializerMethodField(help_text="Whom or what the note is about; null: the grid.")
    case = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, entry):
        return entry.author.display_name if entry.author_id else None

    @extend_schema_field(SubjectRef(allow_null=True))
    def get_subject(self, entry):
        for kind in ("resident", "building", "merchant"):
            if getattr(entry, f"{kind}_id"):
                obj = getattr(entry, kind)
                return {"kind": kind, "id": obj.pk, "name": obj.name}
        return None

    @extend_schema_field(CaseRef(allow_null=True))
    def get_case(self, entry):
        return {"id": entry.case_id, "reference": entry.case.reference} if entry.case_id else None


# --- input -------------------------------------------------------------------------------------------------

# The channels staff record a concern from; the others (portal, Open311, 12345 …) come in through intake.
STAFF_CHANNEL_CHOICES = [
    (c.value, c.label) for c in (Channel.WALK_IN, Channel.VISIT, Channel.PHONE, Channel.PATROL)
]


class CaseCreateInput(serializers.Serializer):
    """Where: a household, a building, or a grid (`area`) with an address; a resident brings their household."""

    description = serializers.CharField(max_length=2000)
    building = OptionalId()
    household = OptionalId()
    resident = OptionalId(help_text="The resident who raised it; their household places the case.")
    area = OptionalId(help_text="The grid, when the case is not about a building.")
    address = serializers.CharField(max_length=200, default="", allow_blank=True)
    category = OptionalId()
    nature = serializers.ChoiceField(choices=Nature.choices, default=Nature.HELP)
    channel = serializers.ChoiceField(choices=STAFF_CHANNEL_CHOICES, default=Channel.WALK_IN)
    urgent = serializers.BooleanField(default=False)
    risk = serializers.BooleanField(default=False)
    people_affected = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    reporter_name = serializers.CharField(max_length=60, default="", allow_blank=True)
    reporter_phone = serializers.CharField(max_length=20, default="", allow_blank=True)
    confidential = serializers.BooleanField(default=False)
    wants_news = serializers.BooleanField(default=True)
    share_phone = serializers.BooleanField(default=False)


class TransitionInput(serializers.Serializer):
    name = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The case's `version`.")
    note = serializers.CharField(max_length=2000, default="", allow_blank=True)
    organisation = OptionalId(help_text="Who handles it: needed to dispatch and to reassign.")
    category = OptionalId(help_text="Confirm or change the category when dispatching.")


class ReporterInput(serializers.Serializer):
    """ "Me too": one more person raised the same concern."""

    resident = OptionalId()
    name = serializers.CharField(max_length=60, default="", allow_blank=True)
    phone = serializers.CharField(max_length=20, default="", allow_blank=True)
    confidential = serializers.BooleanField(default=False)
    wants_news = serializers.BooleanField(default=True)
    share_phone = serializers.BooleanField(default=False)


class ExtensionInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30, help_text="Extra working days.")
    reason = serializers.CharField(max_length=2000)


class DecisionInput(serializers.Serializer):
    grant = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, default="", allow_blank=True)


class MergeInput(serializers.Serializer):
    keep = serializers.CharField(max_length=20, help_text="Reference of the case to keep; this one closes.")
    note = serializers.CharField(max_length=2000, default="", allow_blank=True)


class FeedbackInput(serializers.Serializer):
    reporter = OptionalId(help_text="Which reporter was called back (an id from the case's reporters).")
    contacted = serializers.BooleanField()
    solved = serializers.BooleanField(allow_null=True, default=None)
    rating = serializers.ChoiceField(choices=Rating.choices, default="", allow_blank=True)
    note = serializers.CharField(max_length=2000, default="", allow_blank=True)


class DiaryCreateInput(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    occurred_on = serializers.DateField(allow_null=True, default=None)
    subject = serializers.RegexField(
        r"^(resident|building|merchant|grid):[0-9]{1,18}$",
        max_length=40,
        help_text='Whom or what it is about: "resident:12", "building:3", "merchant:5" or "grid:4".',
    )


class DiaryUpdateInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The note's `version`.")
    text = serializers.CharField(max_length=5000)
    occurred_on = serializers.DateField()


# --- query parameters --------------------------------------------------------------------------------------


class AreaFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AreaKind.choices, required=False)
    parent = Id(required=False)


class BuildingFilter(serializers.Serializer):
    area = Id(required=False, help_text="Only buildings in this area's subtree.")


class HouseholdFilter(serializers.Serializer):
    building = Id(required=False)


class ResidentFilter(serializers.Serializer):
    q = serializers.CharField(
        max_length=60,
        required=False,
        help_text="Search by name, address (3号楼 301), full phone or ID number: the best 100 matches, "
        "other filters ignored.",
    )
    status = serializers.ChoiceField(choices=ResidentStatus.choices, required=False)
    area = Id(required=False, help_text="Active residents of this area's subtree, in address order.")


class CategoryFilter(serializers.Serializer):
    q = serializers.CharField(
        max_length=100, required=False, help_text="Plain words: the best matching categories, best first."
    )


class HandlersFilter(serializers.Serializer):
    category = Id()
    area = Id()


class ResponsibilityFilter(serializers.Serializer):
    category = Id(required=False)
    area = Id(required=False)


class CaseFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    clock = serializers.ChoiceField(choices=["open", "due_soon", "overdue"], required=False)
    area = Id(required=False, help_text="Only cases in this area's subtree.")
    category = Id(required=False)
    created_after = serializers.DateTimeField(required=False, help_text="Created at or after.")
    created_before = serializers.DateTimeField(required=False, help_text="Created before.")
    q = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Words in the reference, text or address; a whole reference (MQ…) finds that case.",
    )


class DiaryFilter(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, help_text="Words of two characters or more.")
    resident = Id(required=False)
    building = Id(required=False)
    merchant = Id(required=False)
    grid = Id(required=False)
