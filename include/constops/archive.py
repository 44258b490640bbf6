"""The raw archive: every payload kept byte for byte, addressed by its SHA-256.

The root is an fsspec URL: a local folder by default (``/path`` or ``file:///path``),
``s3://bucket/prefix`` or similar in a distributed deployment (with the matching
fsspec driver installed). Layout: ``<root>/<group>/<sha256[:2]>/<sha256>.<ext>``.
"""

from __future__ import annotations

import hashlib

import fsspec


class RawArchive:
    """A content-addressed store of raw GP payloads under one fsspec root URL."""

    def __init__(self, root_url: str):
        self.root_url = root_url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.root_url)

    def put(self, payload: bytes, group: str, extension: str) -> tuple[str, str]:
        """Store ``payload`` unless an identical one is stored; return (sha256 hex, URI)."""
        sha256 = hashlib.sha256(payload).hexdigest()
        path = f"{self.root}/{group}/{sha256[:2]}/{sha256}.{extension}"
        if not self.fs.exists(path):
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            partial = f"{path}.partial"
            with self.fs.open(partial, "wb") as file:
                file.write(payload)
            self.fs.mv(partial, path)
        return sha256, self.fs.unstrip_protocol(path)

    def get(self, uri: str) -> bytes:
        """Return the bytes stored at ``uri`` (as returned by :meth:`put`)."""
        with fsspec.open(uri, "rb") as file:
            return file.read()
