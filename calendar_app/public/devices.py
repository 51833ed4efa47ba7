"""Which kind of device a visitor is on, from the User-Agent, to show the subscribe method that works there.

Pure: no Flask. The kinds are what decides the advice, not brands: Apple devices subscribe through a
webcal:// link; Android system calendars (Xiaomi, Huawei, OPPO, vivo) and Google Calendar take the https
address; inside WeChat's browser (`MicroMessenger`, also on iPhone and Android) no calendar link works
until the page is opened in the system browser.
"""
from __future__ import annotations

import re

WECHAT, APPLE, ANDROID, OTHER = "wechat", "apple", "android", "other"
DEVICES = (WECHAT, APPLE, ANDROID, OTHER)

_APPLE = re.compile(r"iPhone|iPad|iPod|Macintosh|Mac OS X", re.IGNORECASE)
_ANDROID = re.compile(r"Android|HarmonyOS|OpenHarmony", re.IGNORECASE)


def device_of(user_agent: str | None) -> str:
    """wechat, apple, android or other. WeChat comes first: its browser blocks webcal links on every platform."""
    ua = user_agent or ""
    if "MicroMessenger" in ua:
        return WECHAT
    if _ANDROID.search(ua):  # before Apple: some Android browsers say "like Mac OS X"
        return ANDROID
    if _APPLE.search(ua):
        return APPLE
    return OTHER
