"""Django admin for Open311. Jurisdictions and keys are changed on the staff page (/open311/v2/manage/),
which checks rights, audits and shows a new key once; here they can be looked at, and keys revoked. The
questions a service asks (ServiceAttribute) are taxonomy data, edited here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from minqing.core.errors import ApplicationError

from . import actions
from .models import Client, Jurisdiction, ServiceAttribute, Submission


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    """Read here; changed on the staff page (Open311 → the jurisdiction), which checks and audits."""

    list_display = ("jurisdiction_id", "community", "default_grid", "active")
    list_filter = ("active",)
    search_fields = ("jurisdiction_id", "community__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "active", "created_by", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "key_prefix")
    readonly_fields = (
        "key_prefix",
        "created_by",
        "created_at",
        "revoked_by",
        "revoked_at",
        "last_used_at",
        "active",
    )
    filter_horizontal = ("jurisdictions",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # a key is issued on the staff page, the one place it is shown

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for client in queryset.filter(active=True):
            try:
                actions.revoke_client(acting_user=request.user, client=client)
            except ApplicationError as error:
                self.message_user(request, f"{client}: {error.message}", messages.ERROR)


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("category", "order", "code", "description", "datatype", "required", "variable")
    list_filter = ("datatype", "required")
    search_fields = ("code", "description", "category__code", "category__name")
    raw_id_fields = ("category",)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("case", "jurisdiction", "client", "received_at")
    raw_id_fields = ("case",)
    readonly_fields = ("case", "jurisdiction", "client", "attributes", "media_url", "received_at")

    def has_add_permission(self, request):
        return False
