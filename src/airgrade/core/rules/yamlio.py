"""Read YAML, JSON and text input files safely: bounded size, depth and alias expansion, strict UTF-8.

Every command-line file reader goes through here, so a binary, UTF-16, huge, deeply nested or alias-bomb file is
refused with one clear line naming the file instead of a traceback, a RecursionError or a run that eats the memory.
YAML keeps the line of every value and refuses duplicate keys (PyYAML silently keeps the last).
"""

from __future__ import annotations

import codecs
import json
import math
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

import yaml

from airgrade.core.errors import AirgradeError

Path = tuple[str | int, ...]

# Technical limits of the readers (not rule values): far above any real rule book, facts or list file, far below
# what makes a run take minutes or gigabytes. Callers may pass other limits.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 10_000
# Values built after alias expansion, as a multiple of the values written in the file (plus a small allowance):
# anchors for shared sources stay cheap, a 9-level alias bomb (9**9 values from 100 written) stops at once.
ALIAS_EXPANSION = 4
ALIAS_ALLOWANCE = 10_000

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputFileError(AirgradeError):
    """A file that cannot be read as input: one line, naming the file, Chinese with an English hint."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")


@dataclass(frozen=True)
class RuleIssue:
    """One problem in the rule book: file, YAML path, line and reason (Chinese, with an English hint).

    `unreadable` marks a file that could not be read at all (encoding, size, nesting) rather than a wrong value."""

    file: str
    path: str
    line: int | None
    message: str
    unreadable: bool = False

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


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def read_text(path: FilePath, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's text; raises InputFileError if it is missing, larger than `max_bytes` or not UTF-8 text."""
    file = str(path)
    try:
        if not path.is_file():
            raise InputFileError(file, "文件不存在或不是普通文件 (no such file)")
        with path.open("rb") as handle:
            # Read one byte more than allowed: a larger file is refused without reading it all.
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise InputFileError(file, f"无法读取文件 (cannot read): {error.strerror or error}") from None
    if len(raw) > max_bytes:
        raise InputFileError(file, f"文件超过 {_mib(max_bytes)} 的上限 (file too large)")
    return decode_text(raw, file)


def decode_text(raw: bytes, file: str) -> str:
    """Strict UTF-8 (a BOM is allowed); UTF-16 and binary content are named as such."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (b"\x00" in raw):
        raise InputFileError(file, "不是 UTF-8 文本，可能是 UTF-16 或二进制文件，请另存为 UTF-8 (not UTF-8 text)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputFileError(
            file, f"不是 UTF-8 编码，第 {error.start + 1} 个字节无效，请另存为 UTF-8 (not UTF-8 text)"
        ) from None


class _TooBig(AirgradeError):
    """Raised inside the builder when nesting or alias expansion passes the limits."""


class _Builder:
    def __init__(self, file: str, max_depth: int, budget: int) -> None:
        self.file = file
        self.lines: dict[Path, int] = {}
        self.issues: list[RuleIssue] = []
        self._constructor = yaml.SafeLoader("")
        self.max_depth = max_depth
        self.budget = budget

    def build(self, node: yaml.Node, path: Path) -> Any:
        # Aliases share nodes: depth and size are counted as built, so a bomb or a self-reference stops early.
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig("别名展开后内容过多 (alias expansion too large)")
        if len(path) > self.max_depth:
            raise _TooBig(f"嵌套超过 {self.max_depth} 层 (nested too deeply)")
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


def _prescan(text: str, max_depth: int, max_aliases: int) -> tuple[str | None, int]:
    """Nesting, alias count and values written, from the event stream (no recursion), before the composer
    recurses into it; returns the problem (or None) and the number of values."""
    depth = aliases = values = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.NodeEvent):
            values += 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                return f"嵌套超过 {max_depth} 层 (nested too deeply)", values
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                return f"别名（*引用）超过 {max_aliases} 个 (too many aliases)", values
    return None, values


def load_yaml(
    text: str,
    file: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
) -> tuple[LoadedYaml | None, list[RuleIssue]]:
    """Parse one YAML document; returns the data with its line map, and every issue found."""
    try:
        problem, values = _prescan(text, max_depth, max_aliases)
        node = None if problem else yaml.compose(text, Loader=_SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = str(error).replace("\n", " ")
        return None, [RuleIssue(file, "", line, f"YAML 语法错误 (syntax error): {reason}", unreadable=True)]
    if problem:
        return None, [RuleIssue(file, "", None, problem, unreadable=True)]
    if node is None:
        return None, [RuleIssue(file, "", None, "文件为空 (empty file)")]
    builder = _Builder(file, max_depth, values * ALIAS_EXPANSION + ALIAS_ALLOWANCE)
    try:
        data = builder.build(node, ())
    except _TooBig as error:
        return None, [RuleIssue(file, "", None, str(error), unreadable=True)]
    return LoadedYaml(data, builder.lines), builder.issues


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"不允许 {name}，数值须为有限数 (non-finite number)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"数值 {text} 超出范围 (number out of range)")
    return value


def _depth_within(data: Any, max_depth: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= max_depth:
                return False
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return True


def load_json(text: str, file: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Strict JSON: no NaN / Infinity, no number that overflows to infinity, bounded nesting."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise InputFileError(f"{file}:{error.lineno}", f"JSON 格式错误 (syntax error): {error.msg}") from None
    except RecursionError:
        raise InputFileError(file, f"嵌套超过 {max_depth} 层 (nested too deeply)") from None
    except ValueError as error:  # refused constants, overflowing floats, integers with too many digits
        raise InputFileError(file, f"JSON 数值无效 (bad number): {error}") from None
    if not _depth_within(data, max_depth):
        raise InputFileError(file, f"嵌套超过 {max_depth} 层 (nested too deeply)")
    return data


def load_data_file(path: FilePath, max_bytes: int = MAX_FILE_BYTES) -> tuple[LoadedYaml, list[RuleIssue]]:
    """A YAML or JSON (by suffix) input file. Unreadable files raise InputFileError; value issues are returned."""
    text = read_text(path, max_bytes)
    if path.suffix.lower() == ".json":
        return LoadedYaml(load_json(text, str(path)), {}), []
    loaded, issues = load_yaml(text, str(path))
    if loaded is None:
        first = issues[0]
        where = f"{first.file}:{first.line}" if first.line else first.file
        raise InputFileError(where, first.message)
    return loaded, issues
