"""The platform staff's admin: agencies, users and tokens, nothing of any operation.

Staff hold no permission on operations (docs/architecture.md), so no page here may name
one: agencies and users are deactivated, never deleted (Django's delete confirmation
lists every related row by name: participations, object permissions), and the agency
groups, which carry the operations' grants, are managed by the agency field alone (the
Group admin is unregistered, and a user's groups are not in the form, whose save would
otherwise put back the groups of the agency a user was just moved from).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from agencies import services
from agencies.models import Agency, ApiToken, User

admin.site.unregister(Group)


class NoDeletion:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(NoDeletion, admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name"]


def _without_groups(fieldsets) -> list:
    return [
        (name, {**options, "fields": [f for f in options["fields"] if f != "groups"]})
        for name, options in fieldsets
    ]


@admin.register(User)
class UserAdmin(NoDeletion, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_staff", "is_active"]
    list_filter = ["agency", "is_staff", "is_active"]
    list_select_related = ["agency"]
    filter_horizontal = ["user_permissions"]
    fieldsets = [
        *_without_groups(BaseUserAdmin.fieldsets),
        ("Agency", {"fields": ["agency"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Agency", {"fields": ["agency"]}),
    ]

    def save_model(self, request, obj, form, change):
        # Unticking "active" goes through the service (audit event; the user's open
        # websockets close after commit); then the form saves the other fields.
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.user_deactivate(actor=request.user, user=obj)
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `manage.py create_api_token`; here they can only be revoked,
    with the action (through the service, so open websockets close)."""

    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, actor=request.user)
