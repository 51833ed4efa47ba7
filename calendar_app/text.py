"""Cleaning of user-supplied text before it is stored (titles, descriptions, names)."""
from __future__ import annotations

import re
import unicodedata

from calendar_app.db import ValidationError

# C0 and C1 control characters, DEL, and the Unicode line/paragraph separators. Tab and newline are
# handled separately: a title never keeps a line break (it would end an iCal or SMS line).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(
    value: str | None,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """Return `value` without control characters, trimmed and NFC-normalised, or raise ValidationError.

    Single-line fields fold every kind of line break into a space; multi-line fields keep "\\n" only.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是文本", field)
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        value = value.replace("\t", " ")
        value = _CONTROL.sub("", value)
        value = "\n".join(line.rstrip() for line in value.split("\n")).strip()
    else:
        value = re.sub(r"[\n\t]+", " ", value)
        value = _CONTROL.sub("", value)
        value = re.sub(r" {2,}", " ", value).strip()
    if not value:
        if required:
            raise ValidationError(f"{label}不能为空", field)
        return None
    if len(value) > max_length:
        raise ValidationError(f"{label}过长：最多 {max_length} 个字符，当前 {len(value)} 个", field)
    return value


#: Bidirectional controls and invisible characters that make a link read as something it is not.
_DECEPTIVE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\s]")


def clean_url(value: str | None, *, field: str, label: str, max_length: int = 500) -> str | None:
    """A real http(s) URL with a host, or None; refuses bidi controls, invisible characters and spaces."""
    from urllib.parse import urlsplit

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是文本", field)
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(f"{label}过长：最多 {max_length} 个字符", field)
    if _DECEPTIVE.search(value) or _CONTROL.search(value):
        raise ValidationError(f"{label}含有空格、不可见字符或方向控制字符", field)
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        raise ValidationError(f"{label}不是有效的网址", field) from None
    if parts.scheme.lower() not in ("http", "https") or not host or "." not in host.strip(".") or parts.username:
        raise ValidationError(f"{label}必须是以 http:// 或 https:// 开头的完整网址", field)
    return value
