"""Pure checks of contacts: mainland mobile numbers and email addresses, normalised, with Chinese messages."""
from __future__ import annotations

import re

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s\-()（）]")
# Deliberately plain: one @, a local part without spaces or angle brackets, a dotted domain of
# letters, digits and hyphens (IDN domains in punycode). What a mail server accepts is decided by
# sending, and the double opt-in proves the address works.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


class ContactError(ValueError):
    pass


def normalise_mobile(value: str) -> str:
    """An 11-digit mainland mobile number from "138 0013 8000", "+86-13800138000" ...; ContactError otherwise."""
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE.fullmatch(digits):
        raise ContactError("手机号码格式不正确，请填写 11 位中国大陆手机号码（如 13800138000）")
    return digits


def normalise_email(value: str) -> str:
    """A lower-cased email address; ContactError when it is not one."""
    address = (value or "").strip()
    if len(address) > 254 or not _EMAIL.fullmatch(address) or ".." in address or address.startswith("."):
        raise ContactError("电子邮箱地址格式不正确，请检查后重新填写（如 name@example.com）")
    local, _, domain = address.rpartition("@")
    if len(local) > 64 or local.endswith("."):
        raise ContactError("电子邮箱地址格式不正确，请检查后重新填写（如 name@example.com）")
    return f"{local}@{domain.lower()}"


def normalise(channel: str, value) -> str:
    if not isinstance(value, str):
        raise ContactError("请填写手机号码" if channel == "sms" else "请填写电子邮箱地址")
    return normalise_mobile(value) if channel == "sms" else normalise_email(value)
