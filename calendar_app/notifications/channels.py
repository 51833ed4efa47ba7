"""Where messages go: SMTP email, an HTTP SMS gateway, a file (development) or nowhere (benchmarks).

Every channel gets the message's idempotency key: the SMS gateway as `id`, email as the Message-ID,
so a message sent twice (a dispatcher killed between sending and recording) can be recognised
downstream. A WeChat subscribe-message channel would be one more class with `send`.
"""
from __future__ import annotations

import json
import os
import smtplib
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path


@dataclass
class OutMessage:
    #: Idempotency key: the same for every attempt at this message.
    id: str
    channel: str
    to: str
    text: str
    subject: str = ""
    html: str | None = None
    headers: dict = field(default_factory=dict)


class SendError(Exception):
    """A message that did not go out; `permanent` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class Channel:
    name = "base"

    def send(self, message: OutMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class NullChannel(Channel):
    """Accepts everything and keeps nothing (benchmarks)."""

    name = "null"

    def send(self, message: OutMessage) -> None:
        pass


class FileChannel(Channel):
    """Appends each message as one JSON line to a file (development: read what would have been sent)."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, message: OutMessage) -> None:
        line = json.dumps(message.__dict__, ensure_ascii=False)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class SmtpChannel(Channel):
    """Email over SMTP (MAIL_* settings); one connection per batch, reopened after an error."""

    name = "smtp"

    def __init__(self, config: dict):
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.use_tls = config.get("MAIL_USE_TLS")
        self.sender = config["MAIL_DEFAULT_SENDER"]
        self.timeout = float(config.get("MAIL_TIMEOUT", 10))
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    def build(self, message: OutMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        domain = self.sender.rpartition("@")[2].strip(">") or "localhost"
        # RFC 5322 msg-id: no ":" (some relays truncate there), the same on every retry.
        mail["Message-ID"] = f"<{message.id}@{domain}>"
        for name, value in message.headers.items():
            mail[name] = value
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, message: OutMessage) -> None:
        mail = self.build(message)
        try:
            refused = self._connection().send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            code, reply = next(iter(exc.recipients.values()))
            raise SendError(f"SMTP {code} {_text(reply)}", permanent=500 <= code < 600) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendError(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
                            permanent=500 <= exc.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out: try again later
            self.close()
            raise SendError(f"SMTP 连接失败：{type(exc).__name__} {exc}", permanent=False) from None
        if refused:
            code, reply = next(iter(refused.values()))
            raise SendError(f"SMTP {code} {_text(reply)}", permanent=500 <= code < 600)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


class HttpSmsChannel(Channel):
    """SMS through an HTTP gateway: POST SMS_GATEWAY_URL {"mobile", "text", "id"} with a bearer key.

    2xx: accepted. 4xx: permanent failure (the number or text is refused), except 408 and 429, which
    say "later". 5xx, a timeout or a refused connection: retried with backoff.
    """

    name = "http"

    def __init__(self, config: dict):
        self.url = config.get("SMS_GATEWAY_URL")
        self.key = config.get("SMS_API_KEY") or ""
        self.timeout = float(config.get("SMS_TIMEOUT", 10))

    def send(self, message: OutMessage) -> None:
        if not self.url:
            raise SendError("未配置短信网关 SMS_GATEWAY_URL", permanent=False)
        body = json.dumps({"mobile": message.to, "text": message.text, "id": message.id}, ensure_ascii=False)
        request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(4096)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SendError(f"短信网关 HTTP {exc.code} {detail}", permanent=permanent) from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, OSError) as exc:
            raise SendError(f"短信网关不可达：{getattr(exc, 'reason', exc)}", permanent=False) from None


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def open_channels(config: dict) -> dict[str, Channel]:
    """The email and SMS channels the settings ask for (MAIL_BACKEND smtp|file|null, SMS_BACKEND http|file|null)."""
    out_dir = config.get("NOTIFICATIONS_FILE_DIR") or os.path.join("instance", "outbox")
    mail = {"smtp": lambda: SmtpChannel(config), "file": lambda: FileChannel(os.path.join(out_dir, "mail.jsonl")),
            "null": NullChannel}
    sms = {"http": lambda: HttpSmsChannel(config), "file": lambda: FileChannel(os.path.join(out_dir, "sms.jsonl")),
           "null": NullChannel}
    try:
        return {"email": mail[config.get("MAIL_BACKEND", "smtp")](), "sms": sms[config.get("SMS_BACKEND", "http")]()}
    except KeyError as exc:
        raise RuntimeError(f"未知的通知通道 {exc}；MAIL_BACKEND 可选 smtp/file/null，SMS_BACKEND 可选 http/file/null") from None
