"""The one hash chain (audit log, sealed review events): links, content and their faults."""

from __future__ import annotations

from airgrade.core.hashchain import GENESIS, ChainFault, canonical_json, check_link, link_hash


def test_canonical_json_ignores_key_order_and_keeps_chinese() -> None:
    assert canonical_json({"b": 1, "a": "县级"}) == canonical_json({"a": "县级", "b": 1}) == '{"a":"县级","b":1}'


def test_a_walk_finds_a_removed_and_an_altered_entry() -> None:
    payloads = [{"n": 1}, {"n": 2}, {"n": 3}]
    chain = []
    previous = GENESIS
    for payload in payloads:
        chain.append((previous, payload, link_hash(previous, payload)))
        previous = chain[-1][2]
    assert [check_link(p if i == 0 else chain[i - 1][2], p, d, h) for i, (p, d, h) in enumerate(chain)] == [None] * 3
    # The second entry removed: the third no longer points at the first.
    assert check_link(chain[0][2], *chain[2]) is ChainFault.BROKEN_LINK
    # The second entry's content changed.
    assert check_link(chain[0][2], chain[1][0], {"n": 20}, chain[1][2]) is ChainFault.ALTERED
    assert link_hash(GENESIS, {"n": 1}) != link_hash(chain[0][2], {"n": 1})
