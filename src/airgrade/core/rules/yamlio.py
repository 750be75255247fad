"""Read YAML keeping the line of every value and refusing duplicate keys (PyYAML silently keeps the last)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleIssue:
    """One problem in the rule book: file, YAML path, line and reason (Chinese, with an English hint)."""

    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path or '(文件)'}: {self.message}"


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Path, int]

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path, int] = {}
        self.issues: list[RuleIssue] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, (*path, "<key>"))
                if isinstance(key, list | dict):
                    self._issue(path, key_node, "映射的键必须是标量 (mapping key must be a scalar)")
                    continue
                # Date-like keys (effective dates) stay comparable; everything else is keyed by text.
                key_path = (*path, str(key))
                if key in result:
                    self._issue(key_path, key_node, f"重复的键 {key!r} (duplicate key)")
                    continue
                result[key] = self.build(value_node, key_path)
            self.lines.pop((*path, "<key>"), None)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            try:
                return self._constructor.construct_object(node, deep=True)
            except (ValueError, yaml.YAMLError) as error:
                kind = "日期无效 (bad date)" if node.tag.endswith(":timestamp") else "值无效 (bad value)"
                self._issue(path, node, f"{kind}: {node.value!r} ({error})")
                return node.value
        self._issue(path, node, "不支持的 YAML 节点 (unsupported node)")
        return None

    def _issue(self, path: Path, node: yaml.Node, message: str) -> None:
        self.issues.append(RuleIssue(self.file, format_path(path), node.start_mark.line + 1, message))


def load_yaml(text: str, file: str) -> tuple[LoadedYaml | None, list[RuleIssue]]:
    """Parse one YAML document; returns the data with its line map, and every issue found."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, [RuleIssue(file, "", line, f"YAML 语法错误 (syntax error): {error}")]
    if node is None:
        return None, [RuleIssue(file, "", None, "文件为空 (empty file)")]
    builder = _Builder(file)
    data = builder.build(node, ())
    return LoadedYaml(data, builder.lines), builder.issues
