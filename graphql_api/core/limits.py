"""What one GraphQL document may ask for: depth, aliases, mutations and cost.

One validation rule, run beside the spec's rules over HTTP and websocket alike, before
anything executes. Every operation of the document is measured:

- depth: nesting of fields below the root (root fields are at depth 0), introspection
  left out, as in graphene's depth limit;
- aliases: fields given an alias, however deep;
- mutations: root fields of a mutation (each one a separate write);
- cost: an estimate of the objects resolved. A field costs 1 plus what is selected under
  it, times the number of objects it returns: the page size of a connection (`first` or
  `last`, else the largest page), :data:`LIST_ESTIMATE` for a list of objects, 1
  otherwise; the
  fields in :data:`FIELD_COSTS` add a fixed cost for the computing they do.
  Introspection costs 1 per field: it reads the schema, not the database.

The rule follows fragments without trusting them: a spread of an unknown fragment, or of
one that is already being followed (a cycle), is skipped here and reported by the
spec's own rules (KnownFragmentNames, NoFragmentCycles). Each fragment is measured once
per depth and reused wherever it is spread, so the work grows with the document's size:
a chain of fragments that each spread the next twice (a few hundred characters) would
otherwise take 2**length steps before its cost could be refused.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)
from graphql.validation import ValidationRule

# Objects assumed in a list of objects whose length is not asked for (items, actors,
# participations); a list of scalars or enums is read with its object and costs 1.
LIST_ESTIMATE = 5
# Fields that compute more than they read: each builds the analysis graph of what the
# caller may see (about a second on a large operation). With the default budget a request
# holds at most seven.
FIELD_COSTS = {
    ("Query", "entityNetwork"): 2500,
    ("Query", "shortestPath"): 2500,
    ("Query", "entitySuggestions"): 2500,
}


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


def limits() -> dict[str, int]:
    return {
        "depth": settings.GRAPHQL_MAX_QUERY_DEPTH,
        "aliases": settings.GRAPHQL_MAX_ALIASES,
        "mutations": settings.GRAPHQL_MAX_MUTATIONS,
        "cost": settings.GRAPHQL_MAX_QUERY_COST,
    }


class _Measurer:
    def __init__(self, schema, fragments: dict, variables: dict | None):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables if isinstance(variables, dict) else {}
        self.page = settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]
        self.measured: dict[tuple[str, int], Measure] = {}  # (fragment, depth) ->

    def selection(self, selection_set, parent, depth: int, following: frozenset) -> Measure:
        """The measure of `selection_set` on type `parent` (None when unknown)."""
        total = Measure()
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                part = self.field(node, parent, depth, following)
            elif isinstance(node, InlineFragmentNode):
                on = node.type_condition
                part = self.selection(
                    node.selection_set,
                    self.schema.get_type(on.name.value) if on else parent,
                    depth,
                    following,
                )
            elif isinstance(node, FragmentSpreadNode):
                part = self.fragment(node.name.value, depth, following)
                if part is None:
                    continue
            else:  # pragma: no cover - the grammar has no other selection
                continue
            total.depth = max(total.depth, part.depth)
            total.aliases += part.aliases
            total.cost += part.cost
        return total

    def fragment(self, name: str, depth: int, following: frozenset) -> Measure | None:
        """The measure of fragment `name` spread at `depth` (None: unknown, or a cycle)."""
        fragment = self.fragments.get(name)
        if fragment is None or name in following:
            return None
        if (name, depth) not in self.measured:
            self.measured[name, depth] = self.selection(
                fragment.selection_set,
                self.schema.get_type(fragment.type_condition.name.value),
                depth,
                following | {name},
            )
        return self.measured[name, depth]

    def field(self, node: FieldNode, parent, depth: int, following: frozenset) -> Measure:
        name = node.name.value
        aliases = 1 if node.alias else 0
        introspection = name.startswith("__") or (
            parent is not None and parent.name.startswith("__")
        )
        definition = (getattr(parent, "fields", None) or {}).get(name)
        child_type = get_named_type(definition.type) if definition is not None else None
        under = self.selection(node.selection_set, child_type, depth + 1, following)
        if introspection:
            return Measure(depth=0, aliases=aliases + under.aliases, cost=1 + under.cost)
        times = self._multiplier(node, definition, parent)
        extra = FIELD_COSTS.get((getattr(parent, "name", ""), name), 0)
        return Measure(
            depth=max(depth, under.depth),
            aliases=aliases + under.aliases,
            cost=extra + times * (1 + under.cost),
        )

    def _multiplier(self, node: FieldNode, definition, parent) -> int:
        if definition is None:
            return 1
        returned = get_named_type(definition.type)
        if _is_connection(returned):
            return self._page_size(node)
        if getattr(parent, "name", "").endswith("Connection") and node.name.value == "edges":
            return 1  # the connection's page size counted them already
        if isinstance(get_nullable_type(definition.type), GraphQLList) and not is_leaf_type(
            returned
        ):
            return LIST_ESTIMATE
        return 1

    def _page_size(self, node: FieldNode) -> int:
        sizes = []
        for argument in node.arguments:
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    sizes.append(given)
                else:
                    sizes.append(self.page)
        if not sizes:
            return self.page
        return max(0, min(self.page, min(sizes)))


def _is_connection(named_type) -> bool:
    fields = getattr(named_type, "fields", None) or {}
    return isinstance(named_type, GraphQLObjectType) and "edges" in fields and "pageInfo" in fields


def _error(message: str, code: str, node) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


def limits_rule(variables: dict | None = None) -> type[ValidationRule]:
    """A validation rule that refuses operations beyond :func:`limits` (settings)."""

    class LimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_):
            document = self.context.document
            measure = measure_operation(self.context.schema, document, node, variables)
            bound = limits()
            name = node.name.value if node.name else "anonymous"
            if measure.depth > bound["depth"]:
                self.report_error(
                    _error(
                        f"'{name}' exceeds maximum operation depth of {bound['depth']}.",
                        "QUERY_TOO_DEEP",
                        node,
                    )
                )
            if measure.aliases > bound["aliases"]:
                self.report_error(
                    _error(
                        f"'{name}' uses {measure.aliases} aliases; at most {bound['aliases']}.",
                        "TOO_MANY_ALIASES",
                        node,
                    )
                )
            if node.operation == OperationType.MUTATION:
                writes = root_field_names(document, node).total()
                if writes > bound["mutations"]:
                    self.report_error(
                        _error(
                            f"Send at most {bound['mutations']} mutation(s) per request; "
                            f"this one has {writes}.",
                            "TOO_MANY_MUTATIONS",
                            node,
                        )
                    )
            if measure.cost > bound["cost"]:
                self.report_error(
                    _error(
                        f"'{name}' would cost about {measure.cost} (at most {bound['cost']}): "
                        "ask for smaller pages or fewer nested lists.",
                        "QUERY_TOO_COMPLEX",
                        node,
                    )
                )

    return LimitsRule


def root_field_names(document, operation) -> Counter[str]:
    """The root fields `operation` selects, each with how often it is selected (aliases
    included), through fragments; `__typename` left out. Each fragment is counted once
    and added wherever it is spread (see the module's docstring)."""
    fragments = _fragments(document)
    counted: dict[str, Counter[str]] = {}

    def count(selection_set, following: frozenset) -> Counter[str]:
        names: Counter[str] = Counter()
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                if node.name.value != "__typename":
                    names[node.name.value] += 1
            elif isinstance(node, InlineFragmentNode):
                names.update(count(node.selection_set, following))
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name in fragments and name not in following:
                    if name not in counted:
                        counted[name] = count(fragments[name].selection_set, following | {name})
                    names.update(counted[name])
        return names

    return count(operation.selection_set, frozenset())


def _fragments(document) -> dict:
    return {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}


def measure_operation(schema, document, operation, variables=None) -> Measure:
    """The depth, aliases and cost of one operation of `document`."""
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    return _Measurer(schema, _fragments(document), variables).selection(
        operation.selection_set, root, 0, frozenset()
    )
