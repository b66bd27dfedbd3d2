"""What a query asked for, to plan `select_related` / `prefetch_related` (no N+1)."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def _children(selection_set, fragments, spread=None):
    """The fields of `selection_set`, through fragments; a fragment spread again in the
    same selection is followed once (as graphql-core collects fields), so fragments that
    spread each other twice cost their number, not 2**number."""
    spread = set() if spread is None else spread
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _children(node.selection_set, fragments, spread)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in spread:
            spread.add(node.name.value)
            yield from _children(fragments[node.name.value].selection_set, fragments, spread)


def requested(info, *path: str) -> dict[str, list[FieldNode]]:
    """Field name -> nodes selected under `path` (e.g. ``"edges", "node"``) of this field."""
    level = list(info.field_nodes)
    for name in path:
        level = [
            c
            for node in level
            for c in _children(node.selection_set, info.fragments)
            if c.name.value == name
        ]
    result: dict[str, list[FieldNode]] = {}
    for node in level:
        for child in _children(node.selection_set, info.fragments):
            result.setdefault(child.name.value, []).append(child)
    return result


def requested_under(nodes: list[FieldNode], info) -> set[str]:
    return {c.name.value for node in nodes for c in _children(node.selection_set, info.fragments)}
