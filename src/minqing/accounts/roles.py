"""Roles and what each may do. The one place that answers "may this role …?".

Scope (which area subtree) is a separate question, answered by the selectors.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_LEADER = "grid_leader", _("Grid leader")
    COMMUNITY_ADMIN = "community_admin", _("Community admin")
    STREET_OFFICER = "street_officer", _("Street-office officer")
    ORG_HANDLER = "org_handler", _("Organisation handler")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")


class Cap(models.TextChoices):
    VIEW_REGISTRY = "view_registry", _("See places, households and residents in their area")
    EDIT_REGISTRY = "edit_registry", _("Add and edit households and residents")
    EDIT_PLACES = "edit_places", _("Add and edit buildings and their facts")
    MANAGE_AREAS = "manage_areas", _("Add and edit grids and other areas")
    VIEW_SENSITIVE_TAGS = (
        "view_sensitive_tags",
        _("See sensitive tags (health, disability, minimum income, minors)"),
    )
    MANAGE_TAG_TYPES = "manage_tag_types", _("Edit the list of tag types")
    UNMASK_PHONE = "unmask_phone", _("Show a full phone number, with a recorded reason")
    UNMASK_ID = "unmask_id", _("Show a full ID number, with a recorded reason")
    IMPORT_REGISTRY = "import_registry", _("Import ledgers")
    EXPORT_REGISTRY = "export_registry", _("Export the registry")
    VIEW_ORGANISATIONS = "view_organisations", _("See organisations and their contacts")
    MANAGE_ORGANISATIONS = "manage_organisations", _("Add and edit organisations, contacts and merchants")
    VIEW_AUDIT = "view_audit", _("Read the audit trail of their area")
    SUPERVISE_CASES = (
        "supervise_cases",
        _("Merge cases, grant or refuse more time, see supervision and dashboards"),
    )
    MANAGE_DIRECTORY = "manage_directory", _("Edit the responsibility directory of their area")
    MANAGE_CATEGORIES = (
        "manage_categories",
        _("Edit concern categories, their time limits and the working-day calendar"),
    )


_STAFF_BASE = {Cap.VIEW_REGISTRY, Cap.EDIT_REGISTRY, Cap.UNMASK_PHONE, Cap.VIEW_ORGANISATIONS}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset(_STAFF_BASE),
    Role.GRID_LEADER: frozenset(
        _STAFF_BASE
        | {
            Cap.EDIT_PLACES,
            Cap.VIEW_SENSITIVE_TAGS,
            Cap.UNMASK_ID,
            Cap.IMPORT_REGISTRY,
            Cap.EXPORT_REGISTRY,
            Cap.SUPERVISE_CASES,
        }
    ),
    Role.COMMUNITY_ADMIN: frozenset(
        _STAFF_BASE
        | {
            Cap.EDIT_PLACES,
            Cap.MANAGE_AREAS,
            Cap.VIEW_SENSITIVE_TAGS,
            Cap.MANAGE_TAG_TYPES,
            Cap.UNMASK_ID,
            Cap.IMPORT_REGISTRY,
            Cap.EXPORT_REGISTRY,
            Cap.MANAGE_ORGANISATIONS,
            Cap.VIEW_AUDIT,
            Cap.SUPERVISE_CASES,
            Cap.MANAGE_DIRECTORY,
        }
    ),
    Role.STREET_OFFICER: frozenset(
        {
            Cap.VIEW_REGISTRY,
            Cap.EDIT_PLACES,
            Cap.MANAGE_AREAS,
            Cap.VIEW_SENSITIVE_TAGS,
            Cap.MANAGE_TAG_TYPES,
            Cap.UNMASK_PHONE,
            Cap.UNMASK_ID,
            Cap.EXPORT_REGISTRY,
            Cap.VIEW_ORGANISATIONS,
            Cap.MANAGE_ORGANISATIONS,
            Cap.VIEW_AUDIT,
            Cap.SUPERVISE_CASES,
            Cap.MANAGE_DIRECTORY,
            Cap.MANAGE_CATEGORIES,
        }
    ),
    Role.ORG_HANDLER: frozenset({Cap.VIEW_ORGANISATIONS}),
    Role.VOLUNTEER: frozenset(),
    Role.RESIDENT: frozenset(),
}

STAFF_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_ADMIN, Role.STREET_OFFICER})


@dataclass(frozen=True)
class RoleInfo:
    code: str
    label: str
    is_staff_role: bool


def can(user, capability: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return capability in CAPABILITIES.get(user.role, frozenset())
