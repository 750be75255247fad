"""Evidence files (issue 8, defect 11): only real, inert PDF/PNG/JPEG files are accepted — no HTML behind a PDF
signature, no PDF JavaScript, launch or auto-run actions, nothing appended after the end marker — and each file is
downloadable by exactly those who may see the declaration, as an attachment that is never sniffed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from tests.platform.declarations.workflow_helpers import JPG, PDF, PNG, make_campaign, ready_declaration

from airgrade.platform.declarations import services
from airgrade.platform.declarations.files import check_upload
from airgrade.platform.declarations.models import EvidenceFile, ExpertProfile, OnsiteCheck
from airgrade.platform.errors import ServiceError


def _pdf(tweak: Any = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if tweak is not None:
        tweak(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open_action(kind: str) -> Any:
    def tweak(writer: PdfWriter) -> None:
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        if kind == "/JavaScript":
            action[NameObject("/JS")] = TextStringObject("app.alert('x')")
        else:
            action[NameObject("/F")] = TextStringObject("cmd.exe")
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return tweak


def _page_action(writer: PdfWriter) -> None:
    # An additional action on the page (runs when the page opens), JavaScript hidden in a name escape.
    page = writer.pages[0]
    js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(js)})


def _names_javascript(writer: PdfWriter) -> None:
    # Document-level JavaScript: the catalog's /Names /JavaScript name tree, run when the file opens.
    js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(js)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})


REFUSED = [
    ("html-after-signature", b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF"),
    ("document-javascript", _pdf(_names_javascript)),
    ("open-action-javascript", _pdf(_open_action("/JavaScript"))),
    ("open-action-launch", _pdf(_open_action("/Launch"))),
    ("page-additional-action", _pdf(_page_action)),
    ("html-appended-after-eof", _pdf() + b"<html><script>alert(1)</script></html>"),
    ("zip-appended-after-eof", _pdf() + b"PK\x03\x04" + b"\x00" * 40),
    ("html-in-a-comment", _pdf().replace(b"%%EOF", b"%<!DOCTYPE html><script>alert(1)</script>\n%%EOF")),
    ("not-a-pdf-at-all", b"%PDF-1.7\n" + b"\x00" * 200 + b"\n%%EOF\n"),
]


@pytest.mark.parametrize(("label", "content"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_pdfs_are_refused(label: str, content: bytes) -> None:
    with pytest.raises(ServiceError) as refused:
        check_upload("监测报告.pdf", content)
    assert "监测报告.pdf" in refused.value.message and refused.value.field == "file"


def test_image_polyglots_are_refused() -> None:
    with pytest.raises(ServiceError, match="网页或脚本"):
        check_upload("照片.png", PNG[:8] + b"<svg onload=alert(1)>" + PNG[8:])
    with pytest.raises(ServiceError, match="附带了其他数据"):
        check_upload("照片.jpg", JPG + b"PK\x03\x04zipfile")
    with pytest.raises(ServiceError, match="网页或脚本"):
        check_upload("照片.jpg", JPG[:-2] + b"<script>alert(1)</script>" + JPG[-2:])


def test_clean_files_are_accepted() -> None:
    assert check_upload("报告.pdf", PDF).content_type == "application/pdf"
    assert check_upload("报告.pdf", _pdf(lambda w: w.add_blank_page(200, 200))).kind == "pdf"
    assert check_upload("照片.png", PNG).content_type == "image/png"
    assert check_upload("照片.JPG", JPG).content_type == "image/jpeg"


# ---------------------------------------------------------------- download, in and out of scope


@pytest.fixture
def evidence(users: dict[str, Any]) -> dict[str, Any]:
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    file = EvidenceFile.objects.get(declaration=declaration)
    check = OnsiteCheck.objects.create(
        declaration=declaration, level=OnsiteCheck.Level.COUNTY, created_by=users["county"]
    )
    profile = ExpertProfile.objects.create(user=users["expert"], region_id="410100")
    check.experts.add(profile)
    from tests.conftest import _user

    from airgrade.core.types import Role

    return {
        **users,
        "declaration": declaration,
        "file": file,
        "unassigned_expert": _user("expert-free", Role.EXPERT),
    }


ALLOWED = ("enterprise", "county", "city", "province", "expert")
NOT_ALLOWED = ("other_enterprise_user", "other_county", "other_city", "unassigned_expert")


def _urls(w: dict[str, Any], evidence_id: int | None = None) -> tuple[str, str]:
    d, e = w["declaration"].pk, evidence_id or w["file"].pk
    return f"/declarations/{d}/evidence/{e}/", f"/api/declarations/{d}/evidence/{e}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALLOWED)
def test_those_who_see_the_declaration_download_its_evidence(evidence: dict[str, Any], who: str) -> None:
    client = Client()
    client.force_login(evidence[who])
    for url in _urls(evidence):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E7%9B%91%E6%B5%8B%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_everyone_else_gets_not_found(evidence: dict[str, Any], who: str) -> None:
    client = Client()
    client.force_login(evidence[who])
    for url in _urls(evidence):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_anonymous_must_sign_in_and_a_file_of_another_declaration_is_not_found(evidence: dict[str, Any]) -> None:
    page, api = _urls(evidence)
    assert Client().get(page)["Location"].startswith("/accounts/login/")
    assert Client().get(api).status_code == 401
    other = ready_declaration(evidence["other_enterprise_user"], make_campaign(evidence["city"], name="另一批次"))
    foreign = EvidenceFile.objects.get(declaration=other)
    client = Client()
    client.force_login(evidence["enterprise"])
    for url in _urls(evidence, foreign.pk):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_file_changed_on_disk_is_not_served(evidence: dict[str, Any]) -> None:
    file = evidence["file"]
    with open(file.file.path, "wb") as handle:
        handle.write(b"%PDF-1.4 replaced")
    client = Client()
    client.force_login(evidence["county"])
    assert client.get(_urls(evidence)[0]).status_code == 409
    assert services.get_declaration(evidence["county"], evidence["declaration"].pk)
