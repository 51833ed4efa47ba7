"""Fetching a calendar from a URL someone typed, without opening a hole into our own network (SSRF).

Only http and https. The host is resolved once, every address it resolves to must be public
(not loopback, private, link-local, multicast, reserved or unspecified), and the connection goes to
that checked address, so a DNS answer that changes between check and connect (rebinding) does not
matter; https still verifies the certificate for the host name. Redirects are followed by hand, at
most three, each checked the same way, never to another scheme. 10 s per network operation and for
the whole fetch, 2 MB at most. `ICS_IMPORT_ALLOW_PRIVATE` (tests only) allows private addresses.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from calendar_app.imports.report import ImportRefused

TIMEOUT_SECONDS = 10
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
_USER_AGENT = "calendar_app-ics-import/1.0"


def _refuse(message: str) -> ImportRefused:
    return ImportRefused(f"无法读取日历网址：{message}")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_unspecified)


def _resolve(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise _refuse(f"找不到主机 {host[:80]}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise _refuse(f"找不到主机 {host[:80]}")
    if not allow_private:
        blocked = [a for a in addresses if not _public(a)]
        if blocked:
            raise _refuse(f"不允许访问内网、本机或保留地址（{host[:80]} → {blocked[0]}）")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever DNS says now."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def check_url(url) -> str:
    """A well-formed http(s) URL without credentials, or ImportRefused."""
    if not isinstance(url, str) or not url.strip():
        raise _refuse("网址为空")
    url = url.strip()
    if len(url) > 2000 or any(ord(ch) < 33 or ch in "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff" for ch in url):
        raise _refuse("网址过长或含有空白、控制字符")
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise _refuse(f"只支持 http 或 https 网址（收到 {parts.scheme or '无协议'}）")
    if not parts.hostname:
        raise _refuse("网址缺少主机名")
    if parts.username or parts.password:
        raise _refuse("网址中不能包含用户名或密码")
    try:
        parts.port
    except ValueError:
        raise _refuse("网址的端口不正确") from None
    return url


def fetch_calendar(url: str, *, allow_private: bool = False) -> bytes:
    """The body of an iCalendar URL (≤ 2 MB), or ImportRefused with the reason in Chinese."""
    url = check_url(url)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        address = _resolve(parts.hostname, port, allow_private)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        remaining = max(0.5, deadline - time.monotonic())
        cls = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
        conn = cls(parts.hostname, port, address, timeout=min(TIMEOUT_SECONDS, remaining))
        try:
            conn.request("GET", path, headers={"User-Agent": _USER_AGENT, "Accept": "text/calendar, */*;q=0.5",
                                               "Accept-Encoding": "identity"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise _refuse(f"服务器返回跳转（{response.status}）但没有目标地址")
                target = urljoin(url, location)
                if urlsplit(target).scheme != parts.scheme and not (parts.scheme == "http"
                                                                  and urlsplit(target).scheme == "https"):
                    raise _refuse("不允许跳转到其他协议的地址")
                url = check_url(target)
                continue
            if response.status != 200:
                raise _refuse(f"服务器返回 HTTP {response.status}")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise _refuse(f"日历文件超过 {MAX_BYTES // 1024 // 1024} MB 上限")
            body = b""
            while len(body) <= MAX_BYTES:
                if time.monotonic() > deadline:
                    raise _refuse(f"读取超时（{TIMEOUT_SECONDS} 秒）")
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                body += chunk
            if len(body) > MAX_BYTES:
                raise _refuse(f"日历文件超过 {MAX_BYTES // 1024 // 1024} MB 上限")
            return body
        except ImportRefused:
            raise
        except (TimeoutError, socket.timeout):
            raise _refuse(f"连接或读取超时（{TIMEOUT_SECONDS} 秒）") from None
        except ssl.SSLError:
            raise _refuse("HTTPS 证书或加密连接有误") from None
        except (OSError, http.client.HTTPException) as exc:
            raise _refuse(f"连接失败（{type(exc).__name__}）") from None
        finally:
            conn.close()
    raise _refuse(f"跳转次数过多（超过 {MAX_REDIRECTS} 次）")
