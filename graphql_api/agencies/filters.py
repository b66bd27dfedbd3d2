import django_filters
from django.db.models import Q

from agencies.models import Agency


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=[(k.name, k.label) for k in Agency.Kind],
        method="filter_kind",
        label="AgencyKind name.",
    )
    country = django_filters.CharFilter(label="ISO 3166-1 alpha-2 code.")
    search = django_filters.CharFilter(method="filter_search", label="Part of the name or acronym.")

    class Meta:
        model = Agency
        fields = ["kind", "country"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind=Agency.Kind[value].value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))
