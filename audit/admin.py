from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "actor", "actor_agency", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor__username"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        # Platform staff see platform events only; operation events belong to its CUG.
        return super().get_queryset(request).filter(operation__isnull=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
