from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agencies import services
from agencies.models import Agency, ApiToken, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_staff", "is_active"]
    list_filter = ["agency", "is_staff", "is_active"]
    list_select_related = ["agency"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
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
