"""一厂一策 documents (REQ LC-11): open the generated DOCX and PDF and read what they say."""

from __future__ import annotations

import io
import re
import unicodedata

import docx
import pypdf
import pytest
from emergency_platform_builders import payload, site_of

from airgrade.io.documents.operation_plan import render_docx, render_pdf
from airgrade.platform.emergency import services
from airgrade.platform.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(users):
    entry = services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="B"))
    return services.operation_plan_documents(users["enterprise"], entry.pk)


def test_docx_names_lines_measures_per_level_parameters_and_reductions(plan):
    document = docx.Document(io.BytesIO(render_docx(plan)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "本县企业" in text and "一厂一策" in text
    for level in ("黄色预警（III级响应）", "橙色预警（II级响应）", "红色预警（I级响应）"):
        assert level in text
    assert "1号熟料生产线" in cells and "2号熟料生产线（备用）" in cells and "备用" in cells
    assert "窑头喂料量 ≤ 300 t/h" in cells  # key parameters (LC-11)
    # Orange, B: curtail 20 % of min(5000, 4000, 5000) = 4000 → cap 3200 t/d; NOx cut 2.0 × 0.36 = 0.72 t/d.
    assert "1号熟料生产线：限产 20%，日产量不超过 3200 t/d（基数 4000 t/d）" in cells
    assert "0.72" in cells
    assert "禁止国四及以下重型载货车辆（含燃气）进出厂区运输" in text
    assert "1号熟料生产线：停产" in cells  # red, B: stop production


def test_pdf_is_a_real_pdf_with_the_same_content(plan):
    data = render_pdf(plan)
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    # Noto CJK shares glyphs between ideographs and Kangxi radicals (一 / ⼀), so extraction may return either:
    # NFKC folds them back.
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages)).replace(" ", "")
    assert "一厂一策" in text
    assert "橙色预警" in text and "红色预警" in text
    assert "1号熟料生产线" in text
    assert "3200t/d" in text


def test_documents_are_scoped(users, plan):
    entry_id = int(plan.entry.key.split(":")[1])
    with pytest.raises(NotFound):
        services.operation_plan_documents(users["other_enterprise_user"], entry_id)
    with pytest.raises(NotFound):
        services.operation_plan_documents(users["other_city"], entry_id)
    assert services.operation_plan_documents(users["city"], entry_id).entry.enterprise_name == "本县企业"


def test_documents_are_fit_to_file_a4_page_numbers_signature_fixed_numbers(plan):
    document = docx.Document(io.BytesIO(render_docx(plan)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)  # A4 landscape
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "年运输量 1,200,000 吨" in cells and "e+0" not in cells + text
    assert "法定代表人" in cells and "（盖章）" in cells
    assert "REQ" not in cells + text
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(plan)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape in points
    first = unicodedata.normalize("NFKC", reader.pages[0].extract_text()).replace(" ", "")
    assert re.search(rf"第1.共{len(reader.pages)}.", first)  # 页 may come back as the radical ⻚
