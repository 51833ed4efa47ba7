"""Server-rendered SVG charts: heatmaps, a week timeline and a progress chart with a pace line.

Pure: no Flask, no database. Colours are steps of viridis (readable with every common colour-vision
deficiency and in greyscale), reversed so that busier is darker. Every label is escaped; every chart
has a <title> and <desc> for screen readers, and the pages show the same numbers in a table.
"""
from __future__ import annotations

from markupsafe import Markup, escape

#: Viridis at five steps, light (idle) to dark (full), over bins that separate the low shares most
#: venues of culture live at (an evening a week at a library open 60 hours is 5%).
STEPS = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
BINS = (0.05, 0.15, 0.30, 0.50)
STEP_LABELS = ("≤5%", "5–15%", "15–30%", "30–50%", ">50%")
ZERO = "#fbf8f0"
NONE = "#d0d0d0"
FONT = "system-ui,'WenQuanYi Micro Hei','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"
HELD, SCHEDULED, PACE = "#3b528b", "#a5d8a6", "#a4161a"


def colour(value: float | None) -> str:
    """The fill for a share 0-1 (None: no opening hours; 0: nothing booked)."""
    if value is None:
        return NONE
    if value <= 0:
        return ZERO
    for step, upper in zip(STEPS, BINS):
        if value <= upper:
            return step
    return STEPS[-1]


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d" font-family="{FONT}" font-size="12">'
        f'<title>{escape(title)}</title><desc>{escape(desc)}</desc>'
        '<defs><pattern id="nohours" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{NONE}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/>'
        '</pattern></defs>' + "".join(body) + "</svg>")


def legend(x: int, y: int) -> list[str]:
    items = [("无开放时间", "url(#nohours)"), ("0", ZERO)] + list(zip(STEP_LABELS, STEPS))
    out, cx = [], x
    for label, fill in items:
        out.append(f'<rect x="{cx}" y="{y}" width="14" height="14" fill="{fill}" stroke="#999" stroke-width=".5"/>')
        out.append(f'<text x="{cx + 18}" y="{y + 11}" fill="#333">{escape(label)}</text>')
        cx += 18 + 8 * len(label) + (24 if any(ord(c) > 127 for c in label) else 12)
    return out


def heatmap(rows: list[tuple[str, str | None]], columns: list[str], values: list[list[float | None]], *,
            title: str, desc: str, cell_titles: list[list[str]] | None = None, label_width: int = 150,
            cell: int = 18, column_every: int = 1) -> Markup:
    """Rows x columns of shares 0-1. `rows` are (label, link or None); `columns` label the x axis
    (every `column_every`-th is written)."""
    top, left = 34, label_width
    # Few columns (a month by weeks) get wide cells, so that the picture and its labels stay readable.
    cell_w = max(cell, min(64, 760 // max(1, len(columns))))
    if cell_w >= 44:
        column_every = 1
    width = left + cell_w * len(columns) + 10
    height = top + cell * len(rows) + 40
    body = []
    for j, label in enumerate(columns):
        if j % column_every == 0:
            body.append(f'<text x="{left + j * cell_w + 2}" y="{top - 6}" fill="#333" font-size="11">{escape(label)}</text>')
    for i, (label, href) in enumerate(rows):
        y = top + i * cell
        text = f'<text x="{left - 6}" y="{y + cell - 5}" text-anchor="end" fill="#1f1f1f">{escape(_cut(label, left))}</text>'
        body.append(f'<a href="{escape(href)}">{text}</a>' if href else text)
        for j, value in enumerate(values[i]):
            fill = "url(#nohours)" if value is None else colour(value)
            tip = cell_titles[i][j] if cell_titles else f"{label} {columns[j]}"
            body.append(f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 1}" height="{cell - 1}" fill="{fill}">'
                        f'<title>{escape(tip)}</title></rect>')
    body.extend(legend(10, top + cell * len(rows) + 16))
    return _svg(max(width, 560), height, title, desc, body)


def _cut(label: str, width: int) -> str:
    limit = max(4, width // 13)
    return label if len(label) <= limit else label[:limit - 1] + "…"


def timeline(days: list[str], bars: list[list[tuple[float, float, str, bool]]], *, title: str, desc: str,
             open_spans: list[list[tuple[float, float]]] | None = None) -> Markup:
    """One row per day, 0-24 h across; bars are (from hour, to hour, label, outside opening hours)."""
    left, top, row, hour = 70, 26, 30, 26
    width = left + 24 * hour + 26  # room for the last label, 24:00
    height = top + row * len(days) + 40
    body = []
    for h in range(0, 25, 3):
        x = left + h * hour
        body.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{top + row * len(days)}" stroke="#e2dccf"/>')
        body.append(f'<text x="{x}" y="{top - 8}" text-anchor="middle" fill="#333" font-size="11">{h:02d}:00</text>')
    for i, label in enumerate(days):
        y = top + i * row
        body.append(f'<text x="{left - 6}" y="{y + 19}" text-anchor="end" fill="#1f1f1f">{escape(label)}</text>')
        for a, b in (open_spans[i] if open_spans else []):
            body.append(f'<rect x="{left + a * hour}" y="{y + 3}" width="{(b - a) * hour}" height="{row - 6}" '
                        f'fill="#eef6ee" stroke="#5ec962" stroke-dasharray="3 2"/>')
        for a, b, text, outside in bars[i]:
            fill = STEPS[4] if not outside else "#e66100"
            body.append(f'<rect x="{left + a * hour}" y="{y + 7}" width="{max(2, (b - a) * hour)}" height="{row - 14}" '
                        f'rx="2" fill="{fill}"><title>{escape(text)}</title></rect>')
    ly = top + row * len(days) + 16
    body.append(f'<rect x="10" y="{ly}" width="14" height="14" fill="#eef6ee" stroke="#5ec962" stroke-dasharray="3 2"/>'
                f'<text x="28" y="{ly + 11}" fill="#333">开放时间</text>'
                f'<rect x="100" y="{ly}" width="14" height="14" fill="{STEPS[4]}"/><text x="118" y="{ly + 11}" fill="#333">预订</text>'
                f'<rect x="170" y="{ly}" width="14" height="14" fill="#e66100"/><text x="188" y="{ly + 11}" fill="#333">开放时间外的预订</text>')
    return _svg(width, height, title, desc, body)


def progress_chart(months: list[str], scheduled: list[int], held: list[int], pace: list[int | None], *,
                   title: str, desc: str) -> Markup:
    """Cumulative scheduled and held 场次 per month as bars, the pace line towards the target as a dashed line."""
    cum_s, cum_h, s_total, h_total = [], [], 0, 0
    for s, h in zip(scheduled, held):
        s_total += s
        h_total += h
        cum_s.append(s_total)
        cum_h.append(h_total)
    top_value = max([1, *cum_s, *[p for p in pace if p is not None]])
    left, top, plot_h, col = 44, 16, 180, 44
    width = left + col * len(months) + 16
    height = top + plot_h + 64

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    body = []
    for k in range(5):
        v = round(top_value * k / 4)
        body.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - 10}" y2="{y(v):.1f}" stroke="#e2dccf"/>'
                    f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#333" font-size="11">{v}</text>')
    points = []
    for i, label in enumerate(months):
        x = left + i * col + 6
        body.append(f'<rect x="{x}" y="{y(cum_s[i]):.1f}" width="{col - 12}" height="{y(0) - y(cum_s[i]):.1f}" '
                    f'fill="{SCHEDULED}"><title>{escape(label)} 累计已排期 {cum_s[i]} 场</title></rect>')
        body.append(f'<rect x="{x + 6}" y="{y(cum_h[i]):.1f}" width="{col - 24}" height="{y(0) - y(cum_h[i]):.1f}" '
                    f'fill="{HELD}"><title>{escape(label)} 累计已举办 {cum_h[i]} 场</title></rect>')
        body.append(f'<text x="{x + (col - 12) / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#333" '
                    f'font-size="11">{escape(label)}</text>')
        if pace[i] is not None:
            points.append(f"{x + (col - 12) / 2:.1f},{y(pace[i]):.1f}")
    if points:
        body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{PACE}" stroke-width="2" stroke-dasharray="6 4"/>')
    ly = top + plot_h + 32
    body.append(f'<rect x="10" y="{ly}" width="14" height="14" fill="{SCHEDULED}"/><text x="28" y="{ly + 11}" fill="#333">累计已排期</text>'
                f'<rect x="110" y="{ly}" width="14" height="14" fill="{HELD}"/><text x="128" y="{ly + 11}" fill="#333">累计已举办</text>'
                f'<line x1="210" y1="{ly + 7}" x2="236" y2="{ly + 7}" stroke="{PACE}" stroke-width="2" stroke-dasharray="6 4"/>'
                f'<text x="242" y="{ly + 11}" fill="#333">按期完成进度线</text>')
    return _svg(max(width, 360), height, title, desc, body)
