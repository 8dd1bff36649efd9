"""The PDF: the same HTML body as the email, drawn by fpdf2 with the charts as vector SVG, A4, numbered pages, and
the stale-data warning at the top of every page when there is one."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TextStyle

# The built-in PDF fonts cover Latin-1 only; bundling a TTF would add megabytes for the odd name outside it.
_FONT = "helvetica"
_GREY = (85, 85, 85)
_RED = (214, 39, 40)


def latin1(text: str) -> str:
    """``text`` in the built-in fonts' Latin-1: Zoë stays, Dvořák becomes Dvorak (accent dropped), 李 becomes '?'."""
    return "".join(ch if ord(ch) < 256 else _base_letter(ch) for ch in text)


def _base_letter(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)[0]
    return base if ord(base) < 256 else "?"


# The body is drawn a section at a time, each from its h2 or h3 heading on, so that a heading starts a new page when
# less than this (mm) is left below it: room for the heading, a line of text and a table's first rows.
_SECTION = re.compile(r"(?=<h[23][ >])")
_HEADING = re.compile(r"<h([23])[^>]*>")
_KEEP_WITH_HEADING_MM = {"2": 45, "3": 30}


class _ReportPdf(FPDF):
    def __init__(self, title: str, stale: str | None, published: str) -> None:
        super().__init__(format="A4")
        self.report_title, self.stale = latin1(title), latin1(stale) if stale else None
        self.published = latin1(published)  # on every page: a printed page read alone still says how fresh it is
        self.set_title(self.report_title)
        self.set_author("creator-pipeline")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 18 if stale else 12, 15)

    def header(self) -> None:
        if self.stale:
            self.set_font(_FONT, "B", 9)
            self.set_text_color(*_RED)
            self.set_xy(15, 6)
            self.multi_cell(0, 4, f"STALE DATA: {self.stale}", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0)
            self.set_y(max(self.get_y() + 2, self.t_margin))

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(_FONT, "", 8)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.report_title} - {self.published} - page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def write_pdf(path: Path, title: str, stale: str | None, published: str, body_html: str, svgs: dict[str, str]
              ) -> None:
    """Write ``body_html`` (templates/body.html.j2) as a PDF; ``<img src=name>`` takes the SVG ``svgs[name]``.
    ``published`` ("data published 16 Nov 2026 07:00 UTC") is in every page's footer."""
    pdf = _ReportPdf(title, stale, published)
    pdf.add_page()
    pdf.set_font(_FONT, size=9.5)
    for section in _SECTION.split(latin1(body_html)):
        heading = _HEADING.match(section)
        # fpdf2 has no keep-with-next: a heading too near the page's foot would sit alone above its table or chart
        if heading and "break-before" not in heading.group(0) and \
                pdf.get_y() > pdf.h - pdf.b_margin - _KEEP_WITH_HEADING_MM[heading.group(1)]:
            pdf.add_page()
        pdf.write_html(
            section,
            image_map=lambda src: io.BytesIO(latin1(svgs[src]).encode()),
            table_line_separators=True,
            li_prefix_color=_GREY,
            font_family=_FONT,
            tag_styles={"h1": TextStyle(font_style="B", font_size_pt=16, color="#222222", t_margin=2, b_margin=1),
                        "h2": TextStyle(font_style="B", font_size_pt=12.5, color="#222222", t_margin=5, b_margin=1),
                        "h3": TextStyle(font_style="B", font_size_pt=10.5, color="#222222", t_margin=4, b_margin=1)})
    pdf.output(str(path))
