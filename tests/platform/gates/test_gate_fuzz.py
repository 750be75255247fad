"""The device API under hostile batches (issue 11; REQ SJZ-5): whatever a device posts, the answer is a 200 with the
ledger still verifying, or a 400 / 422 naming the problem — never a 500 — after the ingest fast paths (one-pass
batch check, COPY text stream, direct canonical JSON)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from tests.fuzzing import HOSTILE_SCALARS, fuzz_settings

from airgrade.platform.gates import services

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["豫A12345", "豫A\\12\t345", "\ud800", "a\x00b", "\\N", "国五", " pass ", "1"]),
)
VALUE = st.one_of(st.sampled_from(HOSTILE_SCALARS), TEXT, st.integers(), st.floats(), st.none())
RECORD = st.fixed_dictionaries(
    {"seq": st.one_of(st.integers(0, 10**6), VALUE), "plate": TEXT, "direction": st.sampled_from(["in", "out", "x"]),
     "time": st.one_of(st.sampled_from(["2026-05-04T08:00:00+08:00", "2026-05-04 08:00"]), VALUE)},
    optional={name: VALUE for name in ("stage", "tonnage", "result", "corrects", "plate_colour", "photo_hash",
                                       "lane", "cargo")},
)  # fmt: skip
# Well-formed records whose free text is hostile but storable (the API refuses NUL and lone surrogates before the
# service): backslashes, tabs, newlines, quotes, "\\N" — what COPY's text format must escape — reach the ledger.
STORABLE = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=16),
    st.sampled_from(["豫A12345", "豫A\\12\t345", "\\N", "国五", 'q"uote', "line\nbreak\r", "\\.", "豫a12345 "]),
)
STORED = st.fixed_dictionaries(
    {"seq": st.integers(0, 10**6), "plate": STORABLE, "direction": st.sampled_from(["in", "out", "进"]),
     "time": st.sampled_from(["2026-05-04T08:00:00+08:00", "2026-05-04 08:00", "2030-01-01T00:00:00Z"])},
    optional={"lane": STORABLE, "cargo": STORABLE, "stage": st.sampled_from(["国五", "D", "", None]),
              "tonnage": st.one_of(st.floats(0, 1000), st.integers(0, 1000)), "corrects": st.integers(0, 10**6)},
)  # fmt: skip


@pytest.fixture
def device_token(users: dict[str, Any]) -> str:
    site = users["own_enterprise"].sites.get()
    services.save_vehicle(
        users["enterprise"], site.pk, {"kind": "road", "plate": "豫A12345", "stage": "国六", "fuel": "diesel"}
    )
    _, token = services.register_device(users["enterprise"], site.pk, {"code": "F1", "entrance": "东门"})
    return str(token)


@fuzz_settings(40)
@given(st.lists(st.one_of(STORED, RECORD, VALUE), min_size=1, max_size=6))
def test_a_hostile_batch_is_answered_never_a_server_error(device_token: str, records: list[Any]) -> None:
    # ensure_ascii: lone surrogates travel as \\ud800 escapes, as a device's JSON encoder would send them.
    body = json.dumps({"records": records}, ensure_ascii=True, allow_nan=True)
    answer = Client().post(
        "/api/gates/ingest", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {device_token}"
    )
    assert answer.status_code in (200, 400, 422), answer.content[:500]
    if answer.status_code == 200:
        device = services.device_for_token(device_token)
        assert device is not None
        report = services.verify(device.site)
        assert not [p for p in report.problems if p.kind != "gap"], report.problems  # random seqs leave gaps


@fuzz_settings(30)
@given(st.lists(STORED, min_size=1, max_size=6, unique_by=lambda record: record["seq"]))
def test_hostile_free_text_is_stored_and_hashed_or_refused_by_field(device_token: str, records: list[Any]) -> None:
    body = json.dumps({"records": records}, ensure_ascii=True)
    answer = Client().post(
        "/api/gates/ingest", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {device_token}"
    )
    assert answer.status_code in (200, 400), answer.content[:500]
    if answer.status_code == 400:
        # Only what cannot be stored is refused: a lone surrogate, a NUL, an empty or over-long plate or text, or a
        # sequence number this fuzz run already used for another record.
        assert answer.json()["field"] in ("plate", "lane", "cargo", "seq", "records"), answer.json()
        return
    device = services.device_for_token(device_token)
    assert device is not None
    report = services.verify(device.site)
    assert not [p for p in report.problems if p.kind != "gap"], report.problems
