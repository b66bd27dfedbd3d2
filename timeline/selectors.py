from django.db.models import Q, QuerySet

from operations.models import Operation
from operations.selectors import operation_list_for_user
from timeline.models import TimeWindow


def time_window_list_for_user(user) -> QuerySet[TimeWindow]:
    """Live (not deleted) windows of the operations `user` may see."""
    return TimeWindow.objects.filter(
        deleted_at__isnull=True, operation__in=operation_list_for_user(user)
    )


def time_windows_outside_span(operation: Operation) -> QuerySet[TimeWindow]:
    return operation.time_windows.filter(deleted_at__isnull=True).filter(
        Q(starts_at__lt=operation.planned_start) | Q(ends_at__gt=operation.planned_end)
    )
