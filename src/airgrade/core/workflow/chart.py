"""The state machine as a Mermaid chart, generated from the transition table so the docs cannot drift."""

from __future__ import annotations

from airgrade.core.workflow.states import State
from airgrade.core.workflow.transitions import TRANSITIONS, Transition


def _edge_label(transition: Transition) -> str:
    roles = "/".join(sorted(role.label_zh for role in transition.roles))
    label = f"{transition.label_zh}（{roles}）"
    if transition.requires_opinion:
        label += "·须意见"
    return label


def mermaid_chart() -> str:
    """A `stateDiagram-v2` of every state and transition; withdrawal is drawn once per source state."""
    lines = ["stateDiagram-v2"]
    for state in State:
        lines.append(f"    {state.value}: {state.label_zh}")
    lines.append(f"    [*] --> {State.DRAFT.value}")
    for transition in TRANSITIONS:
        for source in State:  # enum order keeps the output stable
            if source in transition.sources:
                lines.append(f"    {source.value} --> {transition.target.value}: {_edge_label(transition)}")
    for state in State:
        if state.is_closed:
            lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines) + "\n"


def transition_table_markdown() -> str:
    """The transition table as Markdown: action, from, to, roles, scope, opinion, preconditions, source."""
    rows = [
        "| 操作 action | 从 from | 到 to | 角色 roles | 范围 scope | 须意见 | 前提 preconditions | REQ |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        sources = "、".join(s.label_zh for s in State if s in t.sources)
        roles = "、".join(sorted(r.label_zh for r in t.roles))
        conditions = "；".join(c.label_zh for c in t.conditions) or "—"
        rows.append(
            f"| `{t.action}` {t.label_zh} | {sources} | {t.target.label_zh} | {roles} | {t.scope.label_zh} | "
            f"{'是' if t.requires_opinion else '否'} | {conditions} | {t.req} |"
        )
    return "\n".join(rows) + "\n"


GENERATED_BLOCKS = {
    "mermaid_chart": lambda: f"```mermaid\n{mermaid_chart()}```\n",
    "transition_table": transition_table_markdown,
}


def update_generated_blocks(text: str) -> str:
    """Replace the body of every `<!-- BEGIN GENERATED: name -->` … `<!-- END GENERATED: name -->` block."""
    for name, render in GENERATED_BLOCKS.items():
        begin, end = f"<!-- BEGIN GENERATED: {name} -->\n", f"<!-- END GENERATED: {name} -->"
        start = text.find(begin)
        stop = text.find(end, start)
        if start < 0 or stop < 0:
            raise ValueError(f"缺少生成区块标记: {name}")
        text = text[: start + len(begin)] + render() + text[stop:]
    return text
