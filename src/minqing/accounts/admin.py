from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Minqing", {"fields": ("role", "areas", "organisation", "resident")}),
    )
    list_display = ("username", "first_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")
    filter_horizontal = ("areas",)
    raw_id_fields = ("resident",)
