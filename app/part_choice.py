"""`PIPELINE_PARTS`: which parts a call's pipeline is assembled from, checked at start-up.

A comma-separated list, read left to right: `default` adds the default set (all our
parts), `none` adds nothing, a name (or `package.module:Class`) adds that part,
`name@slot` puts a plain FrameProcessor in another slot, `-name` removes a part.
Unset, it is `default`: today's pipeline. Within a slot, parts keep the list's order.

A part whose dependency is missing stops start-up when it was named; when it came
with `default`, it is left out with its dependency, and the log says so.
"""

from dataclasses import dataclass, replace
from functools import cache

from loguru import logger

from app.parts import OUR_PARTS, Part, PartsError, check_slot, find_part, kind_of
from app.resources import exit_with
from settings import Settings

POSITION = {
    "after_input": 0,
    "after_stt": 1,
    "turn_start": 2,
    "turn_stop": 2,
    "before_llm": 3,
    "after_llm": 4,
    "after_tts": 5,
    "after_output": 6,
}
"""Where each slot's parts sit along the pipeline (turn strategies: in the user aggregator)."""


@dataclass(frozen=True)
class ChosenParts:
    """The parts of a call's pipeline, in pipeline order."""

    parts: tuple[Part, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    """(part, the missing part it needs): default parts left out with their dependency."""

    def __contains__(self, name: str) -> bool:
        return any(part.name == name for part in self.parts)

    def in_slot(self, slot: str) -> list[Part]:
        return [part for part in self.parts if part.slot == slot]

    @property
    def names(self) -> list[str]:
        return [part.name for part in self.parts]


@cache
def choose_parts(spec: str) -> ChosenParts:
    """The parts `spec` (a `PIPELINE_PARTS` value) names; `PartsError` says what is wrong."""
    entries = [entry.strip() for entry in spec.split(",") if entry.strip()] or ["default"]
    chosen: dict[str, tuple[Part, bool]] = {}  # name -> (part, named explicitly)
    for entry in entries:
        if entry == "default":
            for part in OUR_PARTS.values():
                chosen.setdefault(part.name, (part, False))
        elif entry == "none":
            continue
        elif entry.startswith("-"):
            name = entry[1:].strip()
            if name == "default":
                for part in OUR_PARTS.values():
                    chosen.pop(part.name, None)
            else:
                chosen.pop(find_part(name).name, None)
        else:
            part = _placed(entry)
            chosen[part.name] = (part, True)
    left_out = _leave_out_orphans(chosen)
    parts = sorted((part for part, _ in chosen.values()), key=lambda p: POSITION[p.slot])
    _check_order(parts)
    return ChosenParts(tuple(parts), tuple(left_out))


def _placed(entry: str) -> Part:
    """A part by name, moved to another slot by `name@slot` if it may be."""
    name, at, slot = entry.partition("@")
    part = find_part(name.strip())
    if not at:
        return part
    slot = slot.strip()
    if slot == part.slot:
        return part
    if not part.movable:
        raise PartsError(f"{part.name} goes in {part.slot}, not {slot}")
    check_slot(part.name, kind_of(part), slot)
    return replace(part, placement=replace(part.placement, slot=slot))


def _leave_out_orphans(chosen: dict[str, tuple[Part, bool]]) -> list[tuple[str, str]]:
    left_out = []
    changed = True
    while changed:
        changed = False
        for name, (part, named) in list(chosen.items()):
            missing = [dep for dep in part.placement.depends_on if dep not in chosen]
            if not missing:
                continue
            if named:
                raise PartsError(
                    f"{name} needs {missing[0]}; add {missing[0]}, or leave out {name}"
                )
            del chosen[name]
            left_out.append((name, missing[0]))
            changed = True
    return left_out


def _check_order(parts: list[Part]):
    """A part comes after the parts it depends on."""
    index = {part.name: i for i, part in enumerate(parts)}
    for part in parts:
        for dep in part.placement.depends_on:
            if index[dep] > index[part.name]:
                raise PartsError(
                    f"{part.name} ({part.slot}) must come after {dep} ({parts[index[dep]].slot}); "
                    f"list {dep} first, or put {part.name} in a later slot"
                )


def choose_parts_or_exit(settings: Settings) -> ChosenParts:
    """At start-up: the parts `PIPELINE_PARTS` chooses, or one line saying why not, and exit 2."""
    try:
        chosen = choose_parts(settings.pipeline_parts)
    except PartsError as error:
        exit_with(f"PIPELINE_PARTS: {error}")
    for name, missing in chosen.left_out:
        logger.info(f"PIPELINE_PARTS: {name} is left out too: it needs {missing}")
    return chosen
