"""`flows/booking.json` is a Flow a business can publish as it is, and it agrees with its handler:
the rules of Meta's Flow JSON reference (screens, data declarations, routing model) checked on
the file, then every answer the handler gives during a journey checked against the file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.whatsapp.flows.test_booking import Customer, day, good
from whatsapp.flows import booking
from whatsapp.flows.handlers import Complete, FlowStep, NextScreen, Reply, ScreenError

FLOW_FILE = Path(__file__).resolve().parents[3] / "flows" / "booking.json"
FLOW: dict[str, Any] = json.loads(FLOW_FILE.read_text())
SCREENS: dict[str, dict[str, Any]] = {screen["id"]: screen for screen in FLOW["screens"]}
ROUTES: dict[str, list[str]] = FLOW["routing_model"]

SCREEN_PROPERTIES = {"id", "title", "terminal", "success", "refresh_on_back", "data", "layout"}
DATA_TYPES = {"string", "number", "integer", "boolean", "object", "array"}
COMPONENTS = {
    "TextHeading",
    "TextSubheading",
    "TextBody",
    "TextCaption",
    "RadioButtonsGroup",
    "Dropdown",
    "DatePicker",
    "OptIn",
    "Footer",
}
# Meta's limits (components reference): label lengths and list sizes.
LABEL_LIMITS = {"Footer": 35, "Dropdown": 20, "RadioButtonsGroup": 30, "DatePicker": 40}
LIST_LIMITS = {"RadioButtonsGroup": 20, "Dropdown": 200}
ITEM_TITLE_MAX, ITEM_DESCRIPTION_MAX = 30, 300


def components(screen: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(children: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for child in children:
            yield child
            yield from walk(child.get("children", []))

    yield from walk(screen["layout"]["children"])


def references(node: Any, kind: str) -> set[str]:
    """The fields `node` binds as `${data.x}` or `${form.x}`."""
    return set(re.findall(r"\$\{" + kind + r"\.([A-Za-z0-9_]+)\}", json.dumps(node)))


def footer(screen: Mapping[str, Any]) -> dict[str, Any]:
    [found] = [c for c in components(screen) if c["type"] == "Footer"]
    return found


def conforms(value: Any, schema: Mapping[str, Any]) -> bool:
    """`value` is of the declared JSON Schema type (objects with exactly the declared keys)."""
    kind = schema["type"]
    if kind == "string":
        return isinstance(value, str) and value.strip() != ""  # 6.0+: no empty strings
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("number", "integer"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list) and all(conforms(v, schema["items"]) for v in value)
    properties = schema.get("properties", {})
    return (
        isinstance(value, dict)
        and set(value) == set(properties)
        and all(conforms(value[k], properties[k]) for k in properties)
    )


async def walk_everything() -> list[tuple[FlowStep, Reply]]:
    """A journey that meets every answer the handler gives: each screen shown, refused, left
    with BACK and shown again, up to the completion."""
    customer = await Customer.opening("the-whole-walk")
    await customer.send("INIT")
    for screen, bad in [
        ("DESTINATION", {"destination": "atlantis"}),
        ("DATES", {"check_in": day(-1), "check_out": day(2)}),
        ("TRAVELLERS", {"adults": "9"}),
    ]:
        await customer.send("data_exchange", screen, **bad)
        await customer.send("data_exchange", screen, **good(screen))
        following = booking.SCREENS[booking.SCREENS.index(screen) + 1]
        await customer.send("BACK", following)
        await customer.send("data_exchange", screen, **good(screen))
    await customer.send("data_exchange", "CONFIRM", accept_terms=False)
    await customer.send("data_exchange", "CONFIRM", **good("CONFIRM"))
    return customer.seen


# -- the file, by Meta's rules -------------------------------------------------------------------


def test_the_flow_is_a_flow_json_7_endpoint_flow() -> None:
    assert re.fullmatch(r"7\.\d+", FLOW["version"])
    assert FLOW["data_api_version"] in ("3.0", "4.0")
    assert set(FLOW) == {"version", "data_api_version", "routing_model", "screens"}
    assert len(SCREENS) == len(FLOW["screens"])
    assert list(SCREENS) == list(booking.SCREENS)


@pytest.mark.parametrize("screen_id", list(SCREENS))
def test_each_screen_is_well_formed(screen_id: str) -> None:
    screen = SCREENS[screen_id]
    assert re.fullmatch(r"[A-Z][A-Z_]*", screen_id)
    assert screen_id != "SUCCESS"  # reserved by Meta
    assert set(screen) <= SCREEN_PROPERTIES
    assert 0 < len(screen["title"]) <= 30
    assert screen["layout"]["type"] == "SingleColumnLayout"
    if "success" in screen:
        assert screen.get("terminal") is True
    for name, declaration in screen.get("data", {}).items():
        assert declaration["type"] in DATA_TYPES, name
        assert conforms(declaration["__example__"], declaration), name
    found = list(components(screen))
    assert {c["type"] for c in found} <= COMPONENTS
    assert [c["type"] for c in found].count("Footer") == 1
    names = [c["name"] for c in found if "name" in c]
    assert len(names) == len(set(names))
    assert references(screen["layout"], "data") == set(screen.get("data", {}))  # all used
    assert references(screen["layout"], "form") <= set(names)
    for component in found:
        limit = LABEL_LIMITS.get(component["type"])
        if limit:
            assert 0 < len(component["label"]) <= limit, component


def test_the_routing_model_follows_meta_s_routing_rules() -> None:
    edges = [(origin, target) for origin, targets in ROUTES.items() for target in targets]
    terminal = {sid for sid, screen in SCREENS.items() if screen.get("terminal")}

    assert set(ROUTES) == set(SCREENS)
    assert all(target in SCREENS for _, target in edges)
    assert all(origin != target for origin, target in edges)  # no route to itself
    assert not [edge for edge in edges if edge[::-1] in edges]  # forward routes only
    assert len(edges) <= 10  # at most 10 branches
    entries = [sid for sid in SCREENS if all(target != sid for _, target in edges)]
    assert entries == ["DESTINATION"]
    assert terminal == {"CONFIRM"}
    for sid in SCREENS:  # every route ends at a terminal screen
        assert ROUTES[sid] or sid in terminal
    reached, frontier = {"DESTINATION"}, ["DESTINATION"]
    while frontier:
        for target in ROUTES[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(SCREENS)


# -- the file and the handler --------------------------------------------------------------------


async def test_every_screen_the_handler_shows_is_declared_with_exactly_its_data() -> None:
    # given
    seen = await walk_everything()

    # then
    shown = [(step, reply) for step, reply in seen if isinstance(reply, NextScreen)]
    assert {reply.screen for _, reply in shown} == set(SCREENS)
    for _, reply in shown:
        declared = SCREENS[reply.screen].get("data", {})
        assert set(reply.data) == set(declared), reply.screen
        for name, value in reply.data.items():
            assert conforms(value, declared[name]), (reply.screen, name, value)
    refused = [(step, reply) for step, reply in seen if isinstance(reply, ScreenError)]
    assert {step.screen for step, _ in refused} == set(SCREENS)
    for step, error in refused:
        assert step.screen is not None
        assert set(error.data) == set(SCREENS[step.screen].get("data", {})), step.screen


async def test_lists_the_handler_fills_fit_meta_s_limits() -> None:
    # given
    seen = await walk_everything()

    # then
    for _, reply in seen:
        if not isinstance(reply, NextScreen):
            continue
        for component in components(SCREENS[reply.screen]):
            source = references(component.get("data-source"), "data")
            for name in source:
                items = reply.data[name]
                assert 0 < len(items) <= LIST_LIMITS[component["type"]]
                assert len({item["id"] for item in items}) == len(items)
                for item in items:
                    assert len(item["title"]) <= ITEM_TITLE_MAX, item
                    assert len(item.get("description", "")) <= ITEM_DESCRIPTION_MAX, item


async def test_every_move_the_handler_makes_is_one_the_routing_model_allows() -> None:
    # given
    seen = await walk_everything()

    # then
    for step, reply in seen:
        if step.action == "INIT":
            assert isinstance(reply, NextScreen)
            assert reply.screen == "DESTINATION"
        elif isinstance(reply, NextScreen) and step.action == "data_exchange":
            assert step.screen is not None
            assert reply.screen in ROUTES[step.screen], (step.screen, reply.screen)
        elif isinstance(reply, NextScreen):  # BACK: the edge walked backwards
            assert step.action == "BACK"
            assert step.screen is not None
            assert step.screen in ROUTES[reply.screen], (step.screen, reply.screen)
            assert SCREENS[step.screen].get("refresh_on_back") is True
        elif isinstance(reply, Complete):
            assert step.screen is not None
            assert SCREENS[step.screen].get("terminal") is True
    assert isinstance(seen[-1][1], Complete)


class ReadKeys(dict[str, Any]):
    """A screen's submitted data that remembers which keys the handler read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize("screen_id", list(SCREENS))
async def test_each_screen_sends_exactly_what_the_handler_reads(screen_id: str) -> None:
    # given: the screen's submit as the Flow JSON builds it, the earlier screens answered
    action = footer(SCREENS[screen_id])["on-click-action"]
    assert action["name"] == "data_exchange"
    payload = action["payload"]
    assert all(re.fullmatch(r"\$\{form\.[a-z_]+\}", value) for value in payload.values())
    sent = ReadKeys({key: good(screen_id).get(key) for key in payload})
    earlier = booking.SCREENS[: booking.SCREENS.index(screen_id)]
    state = {"screen": screen_id, "answers": {s: good(s) for s in earlier}}
    step = FlowStep("booking", "data_exchange", screen_id, sent, "token", state, "session", None)

    # when
    reply = await booking.handle(step)

    # then
    assert not isinstance(reply, ScreenError), reply
    assert sent.read == set(payload)
    assert set(good(screen_id)) <= set(payload)
