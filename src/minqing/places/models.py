"""Places: the area tree (区 → 街道 → 社区 → [小区] → 网格), streets, buildings, units and households.

The area tree is a materialised path (docs/adr/0002-area-tree.md): `path` is "/1/7/42/" for the area with
id 42 under 7 under 1, so "everything under this street office" is one indexed prefix match.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.models import VersionedModel


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community")
    ESTATE = "estate", _("Residential estate")
    GRID = "grid", _("Grid")


# Which kinds may sit under which. 小区 is optional between 社区 and 网格.
ALLOWED_CHILDREN = {
    None: {AreaKind.DISTRICT},
    AreaKind.DISTRICT: {AreaKind.STREET_OFFICE},
    AreaKind.STREET_OFFICE: {AreaKind.COMMUNITY},
    AreaKind.COMMUNITY: {AreaKind.ESTATE, AreaKind.GRID},
    AreaKind.ESTATE: {AreaKind.GRID},
    AreaKind.GRID: set(),
}


class Area(VersionedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("A stable code that never changes.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    city = models.CharField(_("city"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent")]

    def __str__(self):
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class Street(models.Model):
    """A road or commercial street (街巷), e.g. the 22 streets of 阙里社区 that merchants front onto."""

    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="streets"
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    length_m = models.PositiveIntegerField(_("length (m)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="street_unique_in_community")
        ]

    def __str__(self):
        return self.name


class DrainType(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    COMBINED = "combined", _("Combined sewer (rain and foul together)")
    SEPARATE = "separate", _("Separate rain and foul sewers")


class GasSupply(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    PIPED = "piped", _("Piped gas")
    BOTTLED = "bottled", _("Bottled gas")
    NONE = "none", _("No gas")


class RenovationStatus(models.TextChoices):
    NONE = "", _("Not planned")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Building(VersionedModel):
    """楼栋, with the infrastructure facts a grid leader reports upward (story S3)."""

    area = models.ForeignKey(Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="buildings")
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, help_text=_("As people say it, e.g. 3号楼"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    water_pipe_year = models.PositiveSmallIntegerField(
        _("year the water pipes were laid"), null=True, blank=True
    )
    sewer_pipe_year = models.PositiveSmallIntegerField(
        _("year the sewer pipes were laid"), null=True, blank=True
    )
    drain_type = models.CharField(_("drain type"), max_length=20, choices=DrainType.choices, blank=True)
    ground_floor_own_drain = models.BooleanField(_("ground floor has its own drain"), null=True, blank=True)
    has_elevator = models.BooleanField(_("elevator"), null=True, blank=True)
    gas_supply = models.CharField(_("gas"), max_length=20, choices=GasSupply.choices, blank=True)
    renovation_status = models.CharField(
        _("old-estate renovation"), max_length=20, choices=RenovationStatus.choices, blank=True
    )
    property_company = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_buildings",
    )
    building_leader = models.ForeignKey(
        "people.Resident",
        verbose_name=_("building leader (楼栋长)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_buildings",
    )
    extra_facts = models.JSONField(
        _("other facts"),
        default=dict,
        blank=True,
        help_text=_("Free facts as name → value, e.g. 化粪池: 2个"),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["area", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="building_unique_name_in_grid")]

    def __str__(self):
        return self.name


class Unit(models.Model):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("name"), max_length=30, help_text=_("e.g. 1单元"))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_in_building")]

    def __str__(self):
        return self.name


class Household(VersionedModel):
    """户: a room in a building and the people registered in it."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="households"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    room = models.CharField(_("room"), max_length=20, help_text=_("Door number, e.g. 301"))
    code = models.CharField(_("code"), max_length=60, unique=True)
    # The building's grid, kept here so scoping a household list needs no join through buildings.
    area = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="households", editable=False
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"],
                condition=models.Q(unit__isnull=False),
                name="household_unique_room_in_unit",
            ),
            models.UniqueConstraint(
                fields=["building", "room"],
                condition=models.Q(unit__isnull=True),
                name="household_unique_room_without_unit",
            ),
        ]
        # Address search looks households up by room ("3号楼 301").
        indexes = [models.Index(fields=["room"], name="household_room_idx")]

    def __str__(self):
        parts = [str(self.building), str(self.unit) if self.unit_id else "", self.room]
        return "".join(p for p in parts if p)
