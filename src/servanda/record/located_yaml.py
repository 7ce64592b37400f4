"""Reading YAML and JSON while remembering the line of every value, so errors can say where.

The reader is PyYAML's safe loader with two YAML 1.1 surprises turned off, because bundles are written by
people: dates stay text (``2014-03-18`` must keep its precision, not become a ``datetime.date``), and only
``true``/``false`` are booleans (a Norwegian ``no`` stays the language code ``no``). Duplicate keys are
errors rather than silently keeping the last value.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from servanda.errors import Problem


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class LocatedError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_located(text: str, file: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML (or JSON) text; return the value and the 1-based line of each path in it."""
    try:
        # the reader refuses control characters as soon as it is made, before any mark exists
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        message = f"not valid YAML: character {exc.character:#06x} is not allowed; save the text without it"
        raise LocatedError(Problem(message, file, line)) from exc
    try:
        node = loader.get_single_node()
        lines: dict[tuple[Any, ...], int] = {}
        value = _convert(loader, node, (), lines, file) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise LocatedError(Problem(f"not valid YAML: {exc.problem or exc}", file, line)) from exc
    except yaml.YAMLError as exc:
        raise LocatedError(Problem(f"not valid YAML: {exc}", file)) from exc
    finally:
        loader.dispose()
    return value, lines


def _convert(
    loader: _Loader, node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], file: str
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float) or key is None:
                raise LocatedError(Problem("a key must be plain text", file, key_node.start_mark.line + 1))
            if key in out:
                raise LocatedError(
                    Problem(f"key {key!r} appears twice", file, key_node.start_mark.line + 1, str(key))
                )
            out[key] = _convert(loader, value_node, (*path, key), lines, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, index), lines, file) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
