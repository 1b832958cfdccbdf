"""A request's cost, computed from its document before anything runs, and the limit on it.

Depth, tokens and aliases bound a document's shape, not the work it asks for: one short query
nesting three pages of 100 asks for a million nodes. The cost counts the values a response may
hold, with the arguments (variables resolved) that size each list:

- every field costs 1 each time it is resolved; a field named in `WEIGHTS` (or `WEIGHERS`,
  from its arguments) costs its weight: the analytics aggregates, and an event name pattern
  the index cannot narrow, read whole ranges of rows (`HEAVY`); a root page given a filter
  may read a whole table to fill itself (`FILTERED`); a field resolved by a coroutine (a
  relation through a DataLoader, a count) costs `RELATION`, and a root read `STATEMENT`;
- a connection (a field with `first` or `last`) holds that many edges, or its default page
  size when the argument is absent or null: its `edges` and everything under them count that
  many times, while `totalCount` and `pageInfo` count once;
- any other list counts its items at the most it can hold (`LIST_SIZES`, or sized from the
  field's arguments by `SIZERS`: a series' buckets from its range, `top`, `steps`, `ids`);
- aliases, fragments and inline fragments all count, as execution would resolve them
  (`@skip`/`@include` are honoured); on a union or interface the costliest member counts;
- introspection (`__schema`, `__type`) costs 1: graphql-core's MaxIntrospectionDepthRule
  bounds its nesting instead.

The result is an upper bound of what execution does, so the maximum per request bounds the
work and the number of values in the response (their bytes are bounded by the server's
response limit). Subscriptions are costed the same way, per update.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    value_from_ast,
)
from graphql.utilities import get_operation_ast, type_from_ast

from whatsapp.analytics.bounds import MAX_BUCKETS, MAX_GROUPS, MAX_RANGE, MAX_STEPS
from whatsapp.analytics.flows_stats import MAX_TOP
from whatsapp.flows.journeys import HISTORY_MAX, HISTORY_PAGE
from whatsapp.kit.paging import DEFAULT_PAGE

PAGE_ARGUMENTS = ("first", "last")
HEAVY = 6_000
"""The weight of a statement that reads a whole range of a table (up to a year of the event
log, ~1 s on a million events): above half the default maximum, so one request runs one."""
AGGREGATE = HEAVY
FILTERED = 4_000
"""The weight of a root page given a filter: a filter that matches few rows may read a whole
table to find them (a search, a rare status: ~150 ms on 200,000 messages). Under the default
maximum (10,000) a request runs at most two such pages, or one HEAVY statement, never both."""
RELATION = 10
"""The weight of a field resolved by a coroutine (a DataLoader's batch or a statement behind
it: a message's contact, a page's totalCount): measured at about ten plain values each."""
STATEMENT = 100
"""The weight of a root read (its own statement, and the DataLoader batches of the page
under it: aliases of pages each pay theirs)."""
CURSORS = frozenset({"first", "last", "after", "before"})
WEIGHTS: Mapping[str, int] = {
    "Query.eventSeries": AGGREGATE,
    "Query.funnel": AGGREGATE,
    "Query.messageStats": AGGREGATE,
    "Query.flowStats": AGGREGATE,
    "Query.automationStats": AGGREGATE,
}
ERRORS = 10  # problems reported at once by a mutation payload
LIST_SIZES: Mapping[str, int] = {
    # Bounded where they are written:
    "FlowState.history": HISTORY_MAX,
    "EventSeries.series": MAX_GROUPS,
    "SeriesLine.points": MAX_BUCKETS,
    "FieldAnswers.top": MAX_TOP,
    "Query.funnel": MAX_STEPS,
    "MessageStats.groups": 367,  # a day each over a year at most (or a template, type, number)
    "MessageStats.failures": 10,  # TOP_FAILURES
    "AutomationStats.byStatus": 5,
    "TemplateComponentsUpdate.buttons": 10,  # Meta: at most 10 buttons
    "Group.participants": 8,  # Meta: at most 8 participants
    # Small by nature (estimates; the response byte limit backs them up):
    "Automation.conditions": 10,
    "Automation.actions": 10,
    "AutomationRun.results": 10,
    "AutomationTest.conditions": 10,
    "AutomationTest.reasons": 10,
    "AutomationTest.actions": 10,
    "Contact.tags": 20,
    "Session.tags": 20,
    "Contact.identities": 5,
    "Message.revisions": 5,
    "Message.statusHistory": 5,
    "MessageStats.pricing": 20,
    "FlowStats.answers": 10,
    "UserError.field": 5,
    # Whole tables that stay small (an account's automations, templates, Flows, keys):
    "Query.apiKeys": 100,
    "Query.automations": 100,
    "Query.templates": 250,
    "Query.flowStats": 10,
    "Query.automationStats": 100,
    "ReplayWebhookDeadLettersPayload.deadLetters": 100,
}
"""The most items a list without a page argument holds; every such list must be named here
(tests/hardening/test_cost_rules.py checks the schema against it)."""

Sizer = Callable[[Mapping[str, Any]], Mapping[str, int]]
Weigher = Callable[[Mapping[str, Any]], int]


def _event_scan(args: Mapping[str, Any]) -> int:
    """An event name pattern with text after a `*` cannot be answered from the name index's
    range: the rows under its prefix (most of the log for `message.*x`) are read one by one."""
    given = args.get("filter")
    name = given.get("name") if isinstance(given, Mapping) else getattr(given, "name", None)
    if isinstance(name, str) and "*" in name.rstrip("*"):
        return HEAVY
    return 1


FUNNEL_STEP = 900
"""Each funnel step after the first joins one more name's events to every subject (~100 ms on
a million events): five steps fill the default maximum."""


def _funnel(args: Mapping[str, Any]) -> int:
    """A funnel: an aggregate, plus each later step; a step whose name starts with `*` matches
    the whole log, so it weighs as an aggregate of its own (ten `*` steps ran for minutes)."""
    steps = args.get("steps")
    if not isinstance(steps, list | tuple) or not steps:
        return AGGREGATE
    names = [
        step.get("name") if isinstance(step, Mapping) else getattr(step, "name", None)
        for step in steps
    ]
    unanchored = sum(1 for name in names if isinstance(name, str) and name.startswith("*"))
    return AGGREGATE + FUNNEL_STEP * (len(steps) - 1) + HEAVY * unanchored


WEIGHERS: Mapping[str, Weigher] = {"Query.events": _event_scan, "Query.funnel": _funnel}
"""Weights that depend on a field's arguments."""


def _series(args: Mapping[str, Any]) -> Mapping[str, int]:
    lines = MAX_GROUPS if args.get("groupBy") is not None else 1
    return {"EventSeries.series": lines, "SeriesLine.points": _buckets(args)}


_LONGEST = {unit.name: span for unit, span in MAX_RANGE.items()}
_SHORTEST = {"HOUR": 3600, "DAY": 23 * 3600, "WEEK": 7 * 86400 - 3600, "MONTH": 28 * 86400}


def _buckets(args: Mapping[str, Any]) -> int:
    """The buckets [since, until) can overlap: its length over the shortest bucket, plus the
    partial ones at both ends; MAX_BUCKETS when the arguments do not say (the field refuses
    more anyway)."""
    since, until = _moment(args.get("since")), _moment(args.get("until"))
    unit = str(getattr(args.get("bucket"), "name", args.get("bucket")))
    shortest, longest = _SHORTEST.get(unit), _LONGEST.get(unit)
    if since is None or until is None or shortest is None or longest is None:
        return MAX_BUCKETS
    if until <= since or until - since > longest:
        return 0  # refused as INVALID_INPUT before any work: let the field say why
    return min(MAX_BUCKETS, int((until - since).total_seconds() // shortest) + 2)


def _moment(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value


def _count(name: str, field: str, most: int) -> Sizer:
    """`name` holds as many items as the argument `field` says (a number or a list's length);
    past `most` the field refuses the argument as INVALID_INPUT before any work."""

    def sizes(args: Mapping[str, Any]) -> Mapping[str, int]:
        value = args.get(field)
        if isinstance(value, bool) or not isinstance(value, (int, list, tuple)):
            return {}
        n = value if isinstance(value, int) else len(value)
        return {name: n if 0 <= n <= most else 0}

    return sizes


def _flow_stats(args: Mapping[str, Any]) -> Mapping[str, int]:
    flows = {"Query.flowStats": 1} if args.get("flow") is not None else {}
    return {**flows, **_count("FieldAnswers.top", "top", MAX_TOP)(args)}


def _flow_history(args: Mapping[str, Any]) -> Mapping[str, int]:
    latest = args.get("latest", HISTORY_PAGE)
    return _count("FlowState.history", "latest", HISTORY_MAX)({"latest": latest})


SIZERS: Mapping[str, Sizer] = {
    "FlowState.history": _flow_history,
    "Query.eventSeries": _series,
    "Query.flowStats": _flow_stats,
    "Query.funnel": _count("Query.funnel", "steps", MAX_STEPS),
    "Mutation.replayWebhookDeadLetters": _count(
        "ReplayWebhookDeadLettersPayload.deadLetters", "ids", 10**9
    ),
}
"""Lists sized by their field's (or an ancestor's) arguments, for the subtree below it."""


class QueryTooCostly(GraphQLError):
    """The request asks for more than the maximum: refused before anything runs."""

    def __init__(self, cost: int, max_cost: int, node: OperationDefinitionNode) -> None:
        super().__init__(
            f"Query cost {cost:,} exceeds the maximum of {max_cost:,}: ask for fewer or smaller "
            "pages (first), fewer nested connections or fewer aliases.",
            [node],
            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": max_cost},
        )


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int | None:
    """The cost of the operation to run, or None when it cannot run anyway (no such operation).

    Each selection set is costed once per (type, page size, list sizes) and remembered, so a
    document whose expansion is astronomically large (fragments spread in fragments) is
    costed in time proportional to its size, not to its expansion."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = _variables(schema, operation, variables or {})
    return _Walker(schema, fragments, values).selections(root, [operation.selection_set], 1, {})


def _variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, given: Mapping[str, Any]
) -> dict[str, Any]:
    """The request's variables with the operation's defaults filled in."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in given:
            values[name] = given[name]
        elif definition.default_value is not None:
            kind = type_from_ast(schema, definition.type)
            if kind is not None:
                values[name] = value_from_ast(definition.default_value, kind)  # type: ignore[arg-type]
    return values


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[tuple[Any, ...], int] = {}

    def selections(
        self,
        parent: GraphQLNamedType,
        sets: list[SelectionSetNode],
        page: int,
        sizes: Mapping[str, int],
    ) -> int:
        """The cost of these selection sets on one value of `parent`: the costliest of its
        possible object types when it is a union or interface."""
        key = (parent.name, tuple(id(s) for s in sets), page, tuple(sorted(sizes.items())))
        if key in self.memo:
            return self.memo[key]
        if is_abstract_type(parent):
            members = self.schema.get_possible_types(parent)
            cost = max((self._object(m, sets, page, sizes) for m in members), default=0)
        else:
            cost = self._object(parent, sets, page, sizes)  # type: ignore[arg-type]
        self.memo[key] = cost
        return cost

    def _object(
        self,
        kind: GraphQLObjectType,
        sets: list[SelectionSetNode],
        page: int,
        sizes: Mapping[str, int],
    ) -> int:
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in sets:
            self._collect(kind, selection_set, fields, set())
        cost = 0
        for nodes in fields.values():
            cost += self._field(kind, nodes, page, sizes)
        return cost

    def _collect(
        self,
        kind: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        seen: set[str],
    ) -> None:
        """Fields by response key, through fragments that apply to `kind` (as execution
        merges them)."""
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, kind):
                    self._collect(kind, selection.selection_set, fields, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in seen or fragment is None:
                    continue
                seen.add(name)
                if self._applies(fragment.type_condition, kind):
                    self._collect(kind, fragment.selection_set, fields, seen)

    def _applies(self, condition: Any, kind: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition.name.value)
        if named is kind:
            return True
        return is_abstract_type(named) and self.schema.is_sub_type(named, kind)

    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in (GraphQLSkipDirective.name, GraphQLIncludeDirective.name):
                continue
            argument = next((a for a in directive.arguments if a.name.value == "if"), None)
            flag = self._value(argument.value, GraphQLBoolean) if argument is not None else None
            if name == GraphQLSkipDirective.name and flag is True:
                return False
            if name == GraphQLIncludeDirective.name and flag is False:
                return False
        return True

    def _field(
        self,
        parent: GraphQLObjectType,
        nodes: list[FieldNode],
        page: int,
        sizes: Mapping[str, int],
    ) -> int:
        name = nodes[0].name.value
        if name.startswith("__"):
            return 1  # __typename; __schema and __type are bounded by their depth rule
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # validation refuses unknown fields; nothing to run
        path = f"{parent.name}.{name}"
        args = self._arguments(definition, nodes[0])
        sizer = SIZERS.get(path)
        if sizer is not None:
            sizes = {**sizes, **sizer(args)}
        weight = self._weight(parent, path, definition, nodes[0], args)
        child_page = self._page(definition, args)
        kind = get_nullable_type(definition.type)
        count = 1
        if isinstance(kind, GraphQLList):
            count = page if name == "edges" and _is_connection(parent) else _size(path, sizes)
        named = get_named_type(definition.type)
        # The weight above 1 is the statement behind the field: paid once, however many items.
        if is_leaf_type(named):
            return weight - 1 + count
        sets = [n.selection_set for n in nodes if n.selection_set is not None]
        below = self.selections(named, sets, child_page or 1, sizes)
        return weight - 1 + count * (1 + below)

    def _weight(
        self,
        parent: GraphQLObjectType,
        path: str,
        definition: GraphQLField,
        node: FieldNode,
        args: Mapping[str, Any],
    ) -> int:
        weigher = WEIGHERS.get(path)
        weight = weigher(args) if weigher is not None else WEIGHTS.get(path, 1)
        if _is_async(definition):
            weight = max(weight, STATEMENT if parent is self.schema.query_type else RELATION)
        if parent is self.schema.query_type and self._page(definition, args) is not None:
            given = {a.name.value for a in node.arguments or ()} - CURSORS
            if any(args.get(name) is not None for name in given):
                weight = max(weight, FILTERED)
        return weight

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        given = {a.name.value: a.value for a in node.arguments or ()}
        args: dict[str, Any] = {}
        for name, argument in definition.args.items():
            if name in given:
                args[name] = self._value(given[name], argument.type)
            elif argument.default_value is not None:
                args[name] = argument.default_value
        return args

    def _value(self, node: Any, kind: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        try:
            return value_from_ast(node, kind, self.variables)
        except (GraphQLError, ValueError, TypeError):  # a value the field refuses: no size
            return None

    @staticmethod
    def _page(definition: GraphQLField, args: Mapping[str, Any]) -> int | None:
        """A connection's page size: `first` (or `last`), else its default page size."""
        if not any(a in definition.args for a in PAGE_ARGUMENTS):
            return None
        for name in PAGE_ARGUMENTS:
            value = args.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(0, value)
        return DEFAULT_PAGE


def _is_async(definition: GraphQLField) -> bool:
    """Whether strawberry resolves the field with a coroutine (a loader or a query)."""
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    resolver = getattr(strawberry_field, "base_resolver", None)
    return bool(getattr(resolver, "is_async", False))


def _is_connection(kind: GraphQLObjectType) -> bool:
    return "edges" in kind.fields and "pageInfo" in kind.fields


def _size(path: str, sizes: Mapping[str, int]) -> int:
    if path in sizes:
        return sizes[path]
    return declared_size(path) or UNLISTED


def declared_size(path: str) -> int | None:
    """The declared size of the list at `Type.field`, if any (a mutation payload's `errors`
    holds the problems found at once)."""
    if path.endswith("Payload.errors"):
        return ERRORS
    return LIST_SIZES.get(path)


UNLISTED = 100
"""A list nobody sized (a test keeps this from happening): counted as a full page."""
