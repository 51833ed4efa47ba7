"""Password rules: OWASP ASVS by default (length and a deny list, no composition rules, no forced
rotation). Deployments that must follow 等保 2.0 can require character classes in the settings."""
from __future__ import annotations

import re

from flask import current_app

from calendar_app.db import ValidationError

MAX_LENGTH = 128
#: Common passwords (international and Chinese favourites) and words of this site: never accepted.
_DENIED = {
    "123456789012", "1234567890ab", "password1234", "passw0rd1234", "qwertyuiop12", "qwerty123456",
    "1q2w3e4r5t6y", "abc123456789", "aaaaaaaaaaaa", "111111111111", "000000000000", "123123123123",
    "iloveyou1234", "woaini131420", "woaini520131", "5201314520131", "admin1234567", "administrator",
    "changeme1234", "welcome12345", "letmein12345", "p@ssw0rd1234", "zxcvbnm12345", "asdfghjkl123",
    "1qaz2wsx3edc", "qazwsxedc123", "88888888888888", "666666666666", "147258369000",
}
#: Words of this deployment and its demo: a password built on them is guessed first.
_CONTEXT_WORDS = ("demo-admin-2026", "demo-staff-2026", "demo-coord-2026", "calendar", "wenlv", "文旅活动日历",
                  "文旅", "日历", "linzi", "临淄")


def check_password(password, *, username: str = "", display_name: str = "") -> str:
    """Return `password` if it is acceptable, else raise ValidationError saying why (in Chinese)."""
    min_length = current_app.config.get("PASSWORD_MIN_LENGTH", 12)
    classes_needed = current_app.config.get("PASSWORD_MIN_CLASSES", 0)
    if not isinstance(password, str):
        raise ValidationError("密码必须是文本", "password")
    if len(password) < min_length:
        raise ValidationError(f"密码至少 {min_length} 个字符（建议用一句好记的话）", "password")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"密码最多 {MAX_LENGTH} 个字符", "password")
    lowered = password.lower()
    if lowered in _DENIED or len(set(lowered)) <= 2 or _is_sequence(lowered):
        raise ValidationError("这个密码太常见，很容易被猜到，请换一个", "password")
    for word in (*_CONTEXT_WORDS, username.lower(), display_name.lower()):
        if len(word) >= 2 and word in lowered and len(lowered.replace(word, "")) < min_length - 2:
            raise ValidationError("密码不能以用户名、姓名、网站名称或演示密码为主体", "password")
    if classes_needed:
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
        if classes < classes_needed:
            raise ValidationError(f"密码须包含大写字母、小写字母、数字和符号中的至少 {classes_needed} 类", "password")
    return password


def _is_sequence(value: str) -> bool:
    """Runs like 123456789012 or abcdefghijkl: every step the same."""
    steps = {ord(b) - ord(a) for a, b in zip(value, value[1:])}
    return len(steps) == 1 and steps.pop() in (-1, 1)
