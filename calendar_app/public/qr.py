"""QR codes as small, self-contained SVG (pure: no Flask, no database).

We draw the SVG ourselves from the qrcode matrix: one <path> with presentation attributes and no
`style`, so it prints sharply at poster size and breaks no Content-Security-Policy.
"""
from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white border the QR specification asks for


def qr_svg(data: str, *, title: str | None = None) -> str:
    """An SVG document encoding `data` (error correction M: survives a crease or a smudge on a poster)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the border
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    heading = ""
    if title:
        escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        heading = f"<title>{escaped}</title>"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 8}" '
        f'height="{size * 8}" shape-rendering="crispEdges" role="img">{heading}'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
