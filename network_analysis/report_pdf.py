"""The PDF edition of the post-operation report, laid out by ReportLab from
:func:`network_analysis.reports.report_sections` (the HTML edition says the same).

- Every page carries the report's TLP marking in its header and footer (TLP 2.0's colours:
  the label in its colour on black), the title and the page number.
- A table of contents (ReportLab's ``TableOfContents``, filled in by ``multiBuild``'s passes)
  follows the title; each heading is also a PDF bookmark.
- The executive summary has a page of its own.
- Text is drawn with DejaVu Sans (shipped with matplotlib), which has Latin, Cyrillic and
  Arabic glyphs. ReportLab neither shapes Arabic nor orders right-to-left text by itself, so
  :func:`visual` does both (``arabic-reshaper`` for the joined letter forms, ``python-bidi``
  for the order) before a string becomes a paragraph; a name in Arabic is kept on one line.
"""

import functools
import io
import re
from xml.sax.saxutils import escape

import arabic_reshaper
import matplotlib
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from network_analysis import reports
from network_analysis.reports import Bullets, Facts, Picture, Section, Text, TextTable

MARGIN = 18 * mm
HEADER = 9 * mm  # from the page's edge to the header's and the footer's rule
FACTS_PER_ROW = 3
HEAD_FILL = colors.HexColor("#e8ecf1")
RULE = colors.HexColor("#c9d0d8")
MUTED = colors.HexColor("#5b6470")

# Runs of right-to-left letters with the spaces between them: one name, kept on one line.
_RTL_RUN = re.compile(
    r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]+(?: [\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]+)+"
)
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def visual(text: str) -> str:
    """`text` in the order and letter forms to draw from left to right: Arabic letters joined
    (presentation forms), right-to-left runs reversed; text without any unchanged.

    Examples
    --------
    >>> visual("Иван Петров")
    'Иван Петров'
    >>> visual("علي") == "\\ufef2\\ufee0\\ufecb"  # final yeh, medial lam, initial ain
    True
    """
    if not _RTL.search(text):
        return text
    kept_together = _RTL_RUN.sub(lambda run: run.group(0).replace(" ", "\u00a0"), text)
    return get_display(arabic_reshaper.reshape(kept_together), base_dir="L")  # an English text


def render_pdf(results: dict) -> bytes:
    styles = _styles()
    marking = reports.report_marking(results)
    title, edition = reports.report_title(results), reports.edition_label(results)
    buffer = io.BytesIO()
    document = _ReportDocument(
        buffer,
        marking=marking,
        short_title=", ".join(op["code"] for op in results["scope"]["operations"]),
        edition_key=results["edition"],
        pagesize=A4,
        title=title,
        subject=edition,
        keywords=reports.MARKING_LABELS[marking],
        author="JointOps",
        creator="JointOps",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )
    contents = TableOfContents(
        levelStyles=[styles["Contents1"], styles["Contents2"]], dotsMinLevel=0
    )
    story = [
        _paragraph(title, styles["Title"]),
        _paragraph(edition, styles["Edition"]),
        _paragraph(
            f"{reports.count(results['scope']['hits'])} hits in scope · generated "
            f"{reports.generated_on(results)}",
            styles["Muted"],
        ),
        Spacer(1, 6 * mm),
        _paragraph("Contents", styles["Heading2"]),
        contents,
        PageBreak(),
    ]
    for section in reports.report_sections(results):
        story += _section(section, styles, document.width, document.height)
    document.multiBuild(story)
    return buffer.getvalue()


class _Heading(Paragraph):
    """A section's title: an entry of the table of contents and a bookmark."""

    def __init__(self, section: Section, style):
        super().__init__(escape(visual(section.title)), style)
        self.section = section


class _ReportDocument(BaseDocTemplate):
    def __init__(self, filename, *, marking: str, short_title: str, edition_key: str, **kwargs):
        super().__init__(filename, **kwargs)
        self.marking, self.short_title, self.edition_key = marking, short_title, edition_key
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def afterFlowable(self, flowable):
        if isinstance(flowable, _Heading):
            section = flowable.section
            level = section.level - 1
            self.canv.bookmarkPage(section.key)
            self.canv.addOutlineEntry(section.title, section.key, level=level)
            self.notify("TOCEntry", (level, flowable.text, self.page, section.key))

    def _decorate(self, canvas, document):
        """The marking, title and page number above and below the body of every page."""
        width, height = document.pagesize
        regular, bold = pdf_fonts()
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top, bottom = height - HEADER - 4 * mm, HEADER + 4 * mm
        canvas.line(MARGIN, top - 1.5 * mm, width - MARGIN, top - 1.5 * mm)
        canvas.line(MARGIN, bottom + 3.5 * mm, width - MARGIN, bottom + 3.5 * mm)
        _marking_badge(canvas, self.marking, width - MARGIN, top, bold, align="right")
        _marking_badge(canvas, self.marking, MARGIN, bottom - 1 * mm, bold, align="left")
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, top, visual(f"Post-operation report: {self.short_title}"))
        edition = reports.EDITION_LABELS.get(self.edition_key, "").split(" — ")[0]
        canvas.drawCentredString(width / 2, bottom, edition)
        canvas.drawRightString(width - MARGIN, bottom, f"Page {document.page}")
        canvas.restoreState()


def _marking_badge(canvas, marking: str, x: float, y: float, font: str, align: str) -> None:
    label = reports.MARKING_LABELS[marking]
    size = 8
    text_width = pdfmetrics.stringWidth(label, font, size)
    left = x - text_width - 4 if align == "right" else x
    canvas.setFillColor(colors.black)
    canvas.rect(left, y - 1.6, text_width + 4, size + 2.6, stroke=0, fill=1)
    canvas.setFillColor(colors.HexColor(reports.MARKING_COLOURS[marking]))
    canvas.setFont(font, size)
    canvas.drawString(left + 2, y, label)


# Sections and blocks ---------------------------------------------------------------------------


def _section(section: Section, styles, width: float, height: float) -> list:
    # Headings keep with what follows them (keepWithNext in their styles).
    flowables = [_Heading(section, styles["Heading1" if section.level == 1 else "Heading2"])]
    for block in section.blocks:
        flowables += _block(block, styles, width, height)
    if section.page_break_after:
        flowables.append(PageBreak())
    return flowables


def _block(block, styles, width: float, height: float) -> list:
    if isinstance(block, TextTable):
        return _table(block, styles, width)
    if isinstance(block, Facts):
        return [_facts(block, styles, width), Spacer(1, 3 * mm)]
    if isinstance(block, Bullets):
        heading = [_paragraph(block.heading, styles["Heading3"])] if block.heading else []
        items = [_paragraph(item, styles["Finding"], bullet="•") for item in block.items]
        return [*heading, *items, Spacer(1, 2 * mm)]
    if isinstance(block, Text):
        return [_paragraph(block.text, styles["Normal"])]
    if isinstance(block, Picture):
        return [_image(block, width, height), Spacer(1, 3 * mm)]
    raise TypeError(f"No layout for {type(block).__name__}")


def _paragraph(text: str, style, bullet: str | None = None) -> Paragraph:
    return Paragraph(escape(visual(text)), style, bulletText=bullet)


def _table(table: TextTable, styles, width: float) -> list:
    flowables = [_paragraph(table.heading, styles["Heading3"])] if table.heading else []
    data = [[_paragraph(c, styles["CellHead"]) for c in table.columns]]
    data += [[_paragraph(cell, styles["Cell"]) for cell in row] for row in table.rows]
    weights = table.weights or (2, *([1] * (len(table.columns) - 1)))
    grid = Table(data, colWidths=[width * w / sum(weights) for w in weights], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    more = [_paragraph(table.more, styles["Muted"])] if table.more else []
    grid.keepWithNext = bool(more)  # the last rows stay with what was left out
    return [*flowables, grid, *more, Spacer(1, 3 * mm)]


def _facts(facts: Facts, styles, width: float) -> Table:
    cells = [
        [_paragraph(value, styles["FactValue"]), _paragraph(label, styles["FactLabel"])]
        for label, value in facts.pairs
    ]
    cells += [""] * (-len(cells) % FACTS_PER_ROW)
    rows = [cells[i : i + FACTS_PER_ROW] for i in range(0, len(cells), FACTS_PER_ROW)]
    grid = Table(rows, colWidths=[width / FACTS_PER_ROW] * FACTS_PER_ROW)
    grid.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f5f8")),
                ("LINEBELOW", (0, 0), (-1, -1), 2, colors.white),
                ("LINEAFTER", (0, 0), (-1, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return grid


def _image(picture: Picture, width: float, height: float) -> Image:
    chart = picture.chart
    drawn = min(width, 0.8 * height / chart.aspect)  # a tall picture fits the page
    image = Image(io.BytesIO(chart.png), width=drawn, height=drawn * chart.aspect)
    image.hAlign = "CENTER"
    return image


# Fonts and styles ------------------------------------------------------------------------------


@functools.cache
def pdf_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib): unlike Helvetica it has Cyrillic, Arabic..."""
    directory = matplotlib.get_data_path() + "/fonts/ttf/"
    pdfmetrics.registerFont(TTFont("DejaVuSans", directory + "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", directory + "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily(
        "DejaVuSans",
        normal="DejaVuSans",
        bold="DejaVuSans-Bold",
        italic="DejaVuSans",
        boldItalic="DejaVuSans-Bold",
    )
    return "DejaVuSans", "DejaVuSans-Bold"


def _styles():
    regular, bold = pdf_fonts()
    styles = getSampleStyleSheet()
    styles["Normal"].fontName = regular
    styles["Normal"].fontSize = 9.5
    styles["Normal"].leading = 13
    styles["Title"].fontName = bold
    styles["Title"].fontSize = 17
    styles["Title"].leading = 21
    styles["Title"].alignment = 0
    for name, size in (("Heading1", 15), ("Heading2", 12), ("Heading3", 10)):
        styles[name].fontName = bold
        styles[name].fontSize = size
        styles[name].leading = size + 4
        styles[name].keepWithNext = True
    styles["Heading1"].textColor = colors.HexColor("#1f3b73")
    styles["Heading1"].spaceBefore = 8
    styles.add(ParagraphStyle("Edition", parent=styles["Normal"], fontName=bold, spaceAfter=4))
    styles.add(ParagraphStyle("Muted", parent=styles["Normal"], fontSize=8, textColor=MUTED))
    styles.add(ParagraphStyle("Cell", parent=styles["Normal"], fontSize=7.5, leading=9.5))
    styles.add(ParagraphStyle("CellHead", parent=styles["Cell"], fontName=bold))
    styles.add(
        ParagraphStyle(
            "Finding", parent=styles["Normal"], leftIndent=10, bulletIndent=1, spaceAfter=3
        )
    )
    styles.add(
        ParagraphStyle("FactValue", parent=styles["Normal"], fontName=bold, fontSize=12, leading=15)
    )
    styles.add(ParagraphStyle("FactLabel", parent=styles["Normal"], fontSize=7.5, textColor=MUTED))
    styles.add(ParagraphStyle("Contents1", parent=styles["Normal"], fontName=bold, leading=16))
    styles.add(ParagraphStyle("Contents2", parent=styles["Normal"], leftIndent=14, leading=13))
    return styles
