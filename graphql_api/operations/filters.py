import django_filters

from operations.models import Operation, Participation
from operations.selectors import operation_search


def _by_name(choices_enum):
    """Choices spelt as the GraphQL enum names (ACTIVE, DRUGS, ...)."""
    return [(member.name, member.label) for member in choices_enum]


class OperationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=_by_name(Operation.Status), method="filter_enum", label="OperationStatus names."
    )
    focus = django_filters.MultipleChoiceFilter(
        choices=_by_name(Operation.Focus), method="filter_enum", label="OperationFocus names."
    )
    date_from = django_filters.IsoDateTimeFilter(
        field_name="planned_end",
        lookup_expr="gte",
        label="Operations still running at or after this time.",
    )
    date_to = django_filters.IsoDateTimeFilter(
        field_name="planned_start",
        lookup_expr="lte",
        label="Operations starting at or before this time.",
    )
    search = django_filters.CharFilter(
        method="filter_search", label="Part of the code or of the name, in any case."
    )
    my_role = django_filters.ChoiceFilter(
        choices=[
            ("COORDINATOR", "Coordinator"),
            ("ANALYST", "Analyst"),
            *_by_name(Participation.Role),
        ],
        method="filter_my_role",
        label="COORDINATOR, ANALYST, or my agency's role in an accepted participation (LEAD, PARTICIPANT, OBSERVER).",
    )

    class Meta:
        model = Operation
        fields = ["status", "focus"]

    def filter_enum(self, queryset, name, value):
        choices = {"status": Operation.Status, "focus": Operation.Focus}[name]
        return queryset.filter(**{f"{name}__in": [choices[v].value for v in value]})

    def filter_search(self, queryset, name, value):
        return operation_search(queryset, value)

    def filter_my_role(self, queryset, name, value):
        user = self.request.user
        if value == "COORDINATOR":
            return queryset.filter(coordinators=user)
        if value == "ANALYST":
            return queryset.filter(analysts=user)
        return queryset.filter(
            participations__agency_id=user.agency_id,
            participations__role=Participation.Role[value].value,
            participations__state=Participation.State.ACCEPTED,
        )
