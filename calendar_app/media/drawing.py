"""Posters drawn with Pillow from a colour and a few words, for the demo year and the default share image.

Nothing is fetched from elsewhere: the shapes are drawn here and the text uses the WenQuanYi Micro Hei
font when the system has it (Debian: fonts-wqy-microhei). Without a CJK font the poster keeps its
colours and pattern and leaves the Chinese text out rather than drawing empty boxes.
"""
from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

#: Where CJK fonts live on Debian/Ubuntu and other common systems (first found wins).
FONT_CANDIDATES = (
    os.environ.get("POSTER_FONT", ""),
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


@lru_cache(maxsize=1)
def font_path() -> str | None:
    return next((p for p in FONT_CANDIDATES if p and os.path.isfile(p)), None)


def _font(size: int):
    path = font_path()
    return ImageFont.truetype(path, size) if path else None


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, *, balance: bool = False) -> list[str]:
    """Break Chinese text into lines no wider than `width` (any character may end a line); `balance`
    evens out the lines of a short title (no lone last character). Text made of parts joined by " · "
    breaks between parts when each part fits a line."""
    if not balance and " · " in text:
        lines, line = [], ""
        for part in text.split(" · "):
            joined = f"{line} · {part}" if line else part
            if line and draw.textlength(joined, font=font) > width:
                lines.append(line)
                line = part
            else:
                line = joined
        lines.append(line)
        if all(draw.textlength(x, font=font) <= width for x in lines):
            return lines
    lines, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=font) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    lines += [line] if line else []
    if balance and len(lines) > 1:  # even lines: "农村公益电影放映" as 4 + 4, not 7 + a lone "映"
        per = -(-len(text) // len(lines))
        lines = [text[i:i + per] for i in range(0, len(text), per)]
    return lines


def draw_poster(title: str, colour: str, *, subtitle: str = "", footer: str = "", size=(960, 1280)) -> bytes:
    """A portrait poster as PNG bytes: a gradient of `colour`, a pattern seeded by the title, the words."""
    width, height = size
    base = _rgb(colour)
    dark, light = _mix(base, (0, 0, 0), 0.45), _mix(base, (255, 255, 255), 0.25)
    image = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # vertical gradient, light at the top
        draw.line([(0, y), (width, y)], fill=_mix(light, dark, y / height))
    seed = hashlib.sha256(title.encode()).digest()
    for i in range(7):  # soft circles: lanterns, moons, stage lights
        cx = seed[i] * width // 255
        cy = seed[i + 8] * height // 400
        r = 60 + seed[i + 16] % 180
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_mix(base, (255, 236, 179), 0.35 + (i % 3) * 0.1))
    for i in range(5):  # waves along the bottom
        top = int(height * (0.72 + 0.047 * i))
        draw.rectangle([0, top, width, top + height // 50], fill=_mix(dark, (255, 255, 255), 0.08 * (5 - i)))
    frame = 36
    draw.rectangle([frame, frame, width - frame, height - frame], outline=(255, 248, 231), width=6)
    big, small = _font(int(width * 0.11)), _font(int(width * 0.05))
    if big is not None:
        y = int(height * (0.42 if height > width else 0.22))
        for line in _wrap(draw, title, big, width - 2 * frame - 80, balance=True)[:3]:
            w = draw.textlength(line, font=big)
            draw.text(((width - w) / 2 + 4, y + 4), line, font=big, fill=_mix(dark, (0, 0, 0), 0.5))
            draw.text(((width - w) / 2, y), line, font=big, fill=(255, 252, 240))
            y += int(big.size * 1.25)
        for text, font, gap in ((subtitle, small, 30), (footer, small, 0)):
            if not text:
                continue
            if text is footer:
                y = height - frame - 40 - small.size
            else:
                y += gap
            for line in _wrap(draw, text, font, width - 2 * frame - 80)[:2]:
                w = draw.textlength(line, font=font)
                draw.text(((width - w) / 2, y), line, font=font, fill=(255, 248, 231))
                y += int(font.size * 1.3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=1)
    return out.getvalue()
