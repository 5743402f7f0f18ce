"""An assembled essay written as HTML (everything escaped; charts inline as PNG) or as DOCX
(python-docx: headings, quotations in the Quote style, references, charts as pictures)."""

from __future__ import annotations

import base64
import html
import io

from lab_app.essays.assemble import Assembled
from lab_app.essays.markup import unescape

QUOTE_SOURCE_STYLE = "Quote Source"
CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto;
       line-height: 1.55; color: #1d1d1d; padding: 0 1rem; }
h1, h2, h3 { font-family: system-ui, sans-serif; line-height: 1.25; }
blockquote { margin: 1rem 0; padding: .5rem 1rem; border-left: 4px solid #3b6ea5;
             background: #f4f7fb; }
blockquote footer { font-size: .9rem; color: #444; margin-top: .3rem; }
img { max-width: 100%; }
"""


def to_html(assembled: Assembled, charts: dict[int, bytes]) -> str:
    """A standalone HTML page. Every piece of text is escaped: nothing a person wrote, not even
    the author's own edits, can become markup."""

    def text(value: str) -> str:
        return html.escape(unescape(value), quote=True)

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{text(assembled.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{text(assembled.title)}</h1>",
    ]
    for index, block in enumerate(assembled.blocks):
        if block.kind == "chart" and index in charts:
            data = base64.b64encode(charts[index]).decode("ascii")
            out.append(
                f'<figure><img alt="Extracts per month in this theme" '
                f'src="data:image/png;base64,{data}"></figure>'
            )
        elif piece := block_html(block, text, min(max(block.level, 2), 4)):
            out.append(piece)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def block_html(block, text, level: int) -> str:
    """A heading, paragraph, quotation or list as HTML ("" for anything else); `text` escapes
    each piece of text (the essay page and the report escape alike, the report adds links)."""
    if block.kind == "heading":
        return f"<h{level}>{text(block.text)}</h{level}>"
    if block.kind == "paragraph":
        return f"<p>{text(block.text)}</p>"
    if block.kind == "quote":
        paragraphs = "".join(f"<p>{text(p)}</p>" for p in block.text.split("\n\n"))
        return f"<blockquote>{paragraphs}<footer>— {text(block.attribution)}</footer></blockquote>"
    if block.kind in ("bullets", "numbered"):
        tag = "ol" if block.kind == "numbered" else "ul"
        return f"<{tag}>{''.join(f'<li>{text(item)}</li>' for item in block.items)}</{tag}>"
    return ""


def to_docx(assembled: Assembled, charts: dict[int, bytes]) -> bytes:
    """A Word document that opens in Word and LibreOffice."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Inches, Pt

    document = Document()
    document.core_properties.title = unescape(assembled.title)[:255]
    source_style = document.styles.add_style(QUOTE_SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source_style.base_style = document.styles["Normal"]
    source_style.font.italic = True
    source_style.font.size = Pt(9)
    document.add_heading(unescape(assembled.title), level=0)
    for index, block in enumerate(assembled.blocks):
        if block.kind == "heading":
            document.add_heading(unescape(block.text), level=min(max(block.level - 1, 1), 3))
        elif block.kind == "paragraph":
            document.add_paragraph(unescape(block.text))
        elif block.kind == "quote":
            paragraph = document.add_paragraph(style="Quote")
            for number, part in enumerate(block.text.split("\n\n")):
                if number:
                    paragraph.add_run().add_break()
                paragraph.add_run(unescape(part))
            document.add_paragraph(f"— {unescape(block.attribution)}", style=QUOTE_SOURCE_STYLE)
        elif block.kind in ("bullets", "numbered"):
            style = "List Number" if block.kind == "numbered" else "List Bullet"
            for item in block.items:
                document.add_paragraph(unescape(item), style=style)
        elif block.kind == "chart" and index in charts:
            document.add_picture(io.BytesIO(charts[index]), width=Inches(6))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
