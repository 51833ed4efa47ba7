"""Where poster files live, behind a small interface so production can swap in object storage.

`LocalStorage` keeps them in a directory (`MEDIA_ROOT`, default `instance/media`); an object-storage
class (OSS, COS, S3) would implement the same four methods and return its own (CDN) URL from `url`.
Names are content-addressed and never rewritten, so `save` of an existing name does nothing.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app


class PosterStorage(Protocol):
    def exists(self, name: str) -> bool: ...

    def save(self, name: str, data: bytes) -> None: ...

    def path(self, name: str) -> Path | None:
        """A local file to send, or None when the storage serves files itself (then `url` points there)."""

    def url(self, name: str) -> str: ...


class LocalStorage:
    """Files in one directory; written through a temporary file and an atomic rename."""

    def __init__(self, root: str | os.PathLike, url_prefix: str = "/media/posters/"):
        self.root = Path(root)
        self.url_prefix = url_prefix

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def save(self, name: str, data: bytes) -> None:
        target = self.root / name
        if target.is_file():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def path(self, name: str) -> Path | None:
        return self.root / name

    def url(self, name: str) -> str:
        return self.url_prefix + name


def init_app(app: Flask) -> None:
    app.extensions["poster_storage"] = LocalStorage(app.config["MEDIA_ROOT"])


def storage() -> PosterStorage:
    return current_app.extensions["poster_storage"]
