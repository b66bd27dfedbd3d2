import django_filters

from operations.models import Hit


class HitFilter(django_filters.FilterSet):
    after_sequence = django_filters.NumberFilter(
        field_name="sequence", lookup_expr="gt", label="Only hits after this sequence number."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.name, s.label) for s in Hit.Status],
        method="filter_status",
        label="HitStatus names.",
    )

    class Meta:
        model = Hit
        fields = ["after_sequence", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=[Hit.Status[v].value for v in value])
