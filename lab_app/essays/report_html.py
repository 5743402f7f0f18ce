"""The report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched;
contents → areas → themes → numbered quotations, linked both ways; every string escaped."""

from __future__ import annotations

import html
import re
from pathlib import Path

from lab_app.core.audit import record_audit
from lab_app.essays.assemble import Assembled, assemble
from lab_app.essays.charts import theme_months
from lab_app.essays.export import EssayCheckError
from lab_app.essays.grounding import check_document
from lab_app.essays.markup import EXPORT_MARKER, Block, unescape
from lab_app.essays.material import active_themes
from lab_app.essays.render import block_html
from lab_app.essays.report import Report, build_report
from lab_app.essays.svg_charts import month_bars, theme_bars

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #1d1d1d; line-height: 1.55;
       max-width: 52rem; margin: 0 auto; padding: 1rem 1.2rem 4rem; }
h1, h2, h3, h4, nav, .facts, footer, .back { font-family: system-ui, sans-serif; }
h1 { font-size: 2rem; margin-bottom: .2rem; }
h2 { margin-top: 3rem; border-bottom: 2px solid #3b6ea5; }
h3 { margin-top: 2.2rem; } h4 { margin: 1.4rem 0 .4rem; color: #333; }
.question { font-size: 1.2rem; font-style: italic; color: #333; }
nav#contents { background: #f4f7fb; padding: .6rem 1.2rem; border-radius: 6px; }
nav ol { padding-left: 1.4rem; } nav li { margin: .15rem 0; }
blockquote { margin: 1rem 0; padding: .5rem 1rem; border-left: 4px solid #3b6ea5;
             background: #f4f7fb; }
blockquote footer { font-size: .9rem; color: #444; }
a.cite { font-size: .8rem; text-decoration: none; color: #3b6ea5; white-space: nowrap; }
article.theme { border-top: 1px solid #ddd; }
.back { font-size: .85rem; } .back a { color: #3b6ea5; }
svg.chart { width: 100%; height: auto; margin: .5rem 0; }
svg .axis { font: 10px system-ui, sans-serif; fill: #555; }
svg .label { font: 12px system-ui, sans-serif; fill: #1d1d1d; }
svg a:hover rect { opacity: .75; }
#sources li { font-size: .9rem; margin-bottom: .3rem; }
ul.plain { list-style: none; padding-left: 0; }
footer.made { margin-top: 3rem; font-size: .85rem; color: #555; }
"""
_LINKED = re.compile(EXPORT_MARKER.pattern)


def write_report(workspace, out: Path, who: str, audience: str = "") -> Path:
    """Build, check and write the report to out (.html); the audit trail records it."""
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"{out.name}: the report is one HTML file: name it ….html")
    page = report_page(workspace, build_report(workspace, audience))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    with workspace.store.engine.begin() as conn:
        record_audit(conn, "report.write", out.name, {"bytes": len(page)}, who=who)
    return out


def report_page(workspace, report: Report) -> str:
    """The report's HTML, after the whole document passes the quotation check once more."""
    engine = workspace.store.engine
    essay = {
        "title": report.title,
        "sections": [{"key": s.key, "heading": s.heading, "body": s.body} for s in report.sections],
    }
    assembled = assemble(engine, essay)
    problems = check_document(engine, assembled.blocks, assembled.numbered)
    if problems:
        raise EssayCheckError(None, problems)
    parts, appendix = _split(assembled, len(report.sections))
    by_key = dict(zip([s.key for s in report.sections], parts, strict=True))
    anchors = {s.key: _anchor(s.key) for s in report.sections}
    headings = {s.key: s.heading for s in report.sections}
    months, series = theme_months(engine)
    out = [_head(report), _contents(report, headings, anchors)]
    out.append(_overview(engine, report, by_key["opening"]))
    for number, (area, keys) in enumerate(report.areas, 1):
        out.append(f'<section class="area" id="area-{number}"><h2>{_t(area)}</h2>')
        for key in keys:
            theme = key.split(":", 1)[1]
            chart = (
                month_bars(months, series[theme], "Extracts per month") if theme in series else ""
            )
            back = f'<a href="#area-{number}">↑ {_t(area)}</a> · <a href="#contents">Contents</a>'
            out.append(
                f'<article class="theme" id="{anchors[key]}"><h3>{_t(headings[key])}</h3>'
                f'{_blocks(by_key[key], chart)}<p class="back">{back}</p></article>'
            )
        out.append("</section>")
    for key in ("votes", "closing"):
        if key in by_key:
            out.append(
                f'<section id="{anchors[key]}"><h2>{_t(headings[key])}</h2>'
                f'{_blocks(by_key[key])}<p class="back"><a href="#contents">Contents</a></p>'
                "</section>"
            )
    out.append(_sources(appendix, _first_use(parts, report, anchors, headings)))
    out.append(
        f'<footer class="made">Made on {_t(report.made)} by Q Lab Workspace from the Lab\'s '
        "store. Every quotation was checked word for word against its source, and every "
        "person quoted agreed to be.</footer></body></html>"
    )
    return "\n".join(out) + "\n"


def _split(assembled: Assembled, sections: int) -> tuple[list[list[Block]], list[Block]]:
    """Blocks per section (each starts at a level-2 heading), then the appendix: the
    References and Sources of quotations lists, their headings kept."""
    starts = [i for i, b in enumerate(assembled.blocks) if b.kind == "heading" and b.level <= 2] + [
        len(assembled.blocks)
    ]
    parts = [assembled.blocks[starts[n] + 1 : starts[n + 1]] for n in range(sections)]
    return parts, assembled.blocks[starts[sections] :]


def _anchor(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", key.replace("theme:", "theme-"))


def _t(value: str) -> str:
    """Text as HTML: Markdown escapes undone, everything escaped, export markers made links."""
    escaped = html.escape(unescape(value or ""), quote=True)
    return _LINKED.sub(lambda m: f'<a class="cite" href="#{m.group(1)}">{m.group(0)}</a>', escaped)


def _head(report: Report) -> str:
    question = report.lab.get("question") or ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_t(report.title)}</title><style>{CSS}</style></head><body>"
        f'<header id="top"><h1>{_t(report.title)}</h1>'
        + (f'<p class="question">{_t(question)}</p>' if question else "")
        + "</header>"
    )


def _contents(report: Report, headings: dict, anchors: dict) -> str:
    items = ['<li><a href="#about">About this report</a></li>']
    for number, (area, keys) in enumerate(report.areas, 1):
        themes = "".join(f'<li><a href="#{anchors[k]}">{_t(headings[k])}</a></li>' for k in keys)
        items.append(f'<li><a href="#area-{number}">{_t(area)}</a><ol>{themes}</ol></li>')
    for key in ("votes", "closing"):
        if key in anchors:
            items.append(f'<li><a href="#{anchors[key]}">{_t(headings[key])}</a></li>')
    items.append('<li><a href="#sources">Where the words come from</a></li>')
    return f'<nav id="contents"><h2>Contents</h2><ol>{"".join(items)}</ol></nav>'


def _overview(engine, report: Report, blocks: list[Block]) -> str:
    sizes = {t["id"]: t["size"] for t in active_themes(engine)}
    rows = []
    for number, (_, keys) in enumerate(report.areas):
        for key in keys:
            label = next(s.heading for s in report.sections if s.key == key)
            theme = key.split(":", 1)[1]
            rows.append({"label": label, "size": sizes.get(theme, 0), "area_index": number,
                         "anchor": _anchor(key)})  # fmt: skip
    return (
        f'<section id="about"><h2>About this report</h2>{_blocks(blocks)}'
        f"<h3>The themes at a glance</h3>{theme_bars(rows)}</section>"
    )


def _blocks(blocks: list[Block], chart: str = "") -> str:
    out = []
    for block in blocks:
        if block.kind == "chart" and chart:
            out.append(f"<figure>{chart}</figure>")
        else:
            out.append(block_html(block, _t, 4))
    return "".join(out)


def _first_use(parts, report: Report, anchors: dict, headings: dict) -> dict[str, tuple]:
    """Marker label -> (anchor, heading) of the first section that cites it."""
    found: dict[str, tuple] = {}
    for section, blocks in zip(report.sections, parts, strict=True):
        for block in blocks:
            for text in [block.text, block.attribution, *block.items]:
                for match in _LINKED.finditer(text or ""):
                    found.setdefault(match.group(1), (anchors[section.key], headings[section.key]))
    return found


def _sources(appendix: list[Block], used: dict[str, tuple]) -> str:
    out = ['<section id="sources"><h2>Where the words come from</h2>']
    items: list[str] = []
    for block in appendix:
        if block.kind == "heading":
            if items:
                out.append(f'<ul class="plain">{"".join(items)}</ul>')
                items = []
            out.append(f"<h3>{_t(block.text)}</h3>")
            continue
        label = block.text.split(".", 1)[0]
        where = used.get(label)
        back = f' <a class="cite" href="#{where[0]}">↩ {_t(where[1])}</a>' if where else ""
        items.append(f'<li id="{_t(label)}">{_t(block.text)}{back}</li>')
    if items:
        out.append(f'<ul class="plain">{"".join(items)}</ul>')
    out.append('<p class="back"><a href="#contents">Contents</a></p></section>')
    return "".join(out)
