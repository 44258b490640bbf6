"""The raw archive (every payload kept byte for byte, addressed by its SHA-256) and the work
area (partial results of shards, and the antennas' pointing files), each under an fsspec
root, written atomically.

The root is an fsspec URL: a local folder by default (``/path`` or ``file:///path``),
``s3://bucket/prefix`` or similar in a distributed deployment (with the matching
fsspec driver installed). Layout: ``<root>/<group>/<sha256[:2]>/<sha256>.<ext>``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping

import fsspec
import numpy as np


def write_atomically(fs, path: str, data) -> None:
    """Write the bytes ``data`` to ``path`` on filesystem ``fs`` (making its folder): written
    aside as ``<path>.partial``, then moved into place, so a reader never sees half a file."""
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(f"{path}.partial", "wb") as file:
        file.write(data)
    fs.mv(f"{path}.partial", path)


class RawArchive:
    """A content-addressed store of raw GP payloads under one fsspec root URL."""

    def __init__(self, root_url: str):
        self.root_url = root_url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.root_url)

    def put(self, payload: bytes, constellation_id: str, extension: str) -> tuple[str, str]:
        """Store ``payload`` unless an identical one is stored; return (sha256 hex, URI)."""
        sha256 = hashlib.sha256(payload).hexdigest()
        path = f"{self.root}/{constellation_id}/{sha256[:2]}/{sha256}.{extension}"
        if not self.fs.exists(path):
            write_atomically(self.fs, path, payload)
        return sha256, self.fs.unstrip_protocol(path)

    def get(self, uri: str) -> bytes:
        """Return the bytes stored at ``uri`` (as returned by :meth:`put`)."""
        with fsspec.open(uri, "rb") as file:
            return file.read()


class WorkArea:
    """Partial results of sharded tasks under one fsspec root URL that every worker reaches
    (a shared volume, or ``s3://bucket/prefix`` with the matching fsspec driver)."""

    def __init__(self, root_url: str):
        self.root_url = root_url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.root_url)

    def put(self, name: str, arrays: Mapping[str, np.ndarray]) -> str:
        """Store ``arrays`` as ``<root>/<name>.npz`` (written aside, then moved into place, so
        a reader never sees half a file); return its URI."""
        path = f"{self.root}/{name}.npz"
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        write_atomically(self.fs, path, buffer.getbuffer())
        return self.fs.unstrip_protocol(path)

    def put_file(self, name: str, data: bytes) -> str:
        """Store ``data`` as ``<root>/<name>`` (written aside, then moved into place); return its URI."""
        path = f"{self.root}/{name}"
        write_atomically(self.fs, path, data)
        return self.fs.unstrip_protocol(path)

    def read_file(self, name: str) -> bytes:
        """Return the bytes stored as ``<root>/<name>``; FileNotFoundError when there are none."""
        with self.fs.open(f"{self.root}/{name}", "rb") as file:
            return file.read()

    def list_files(self, prefix: str) -> list[str]:
        """Return the names (relative to the root) of the files under ``<root>/<prefix>``, sorted."""
        path = f"{self.root}/{prefix}"
        if not self.fs.exists(path):
            return []
        return sorted(p[len(self.root) + 1:] for p in self.fs.find(path) if not p.endswith(".partial"))

    def get(self, uri: str) -> dict[str, np.ndarray]:
        """Return the arrays stored at ``uri`` (as returned by :meth:`put`)."""
        with fsspec.open(uri, "rb") as file, np.load(io.BytesIO(file.read()), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}

    def discard(self, prefix: str) -> None:
        """Delete everything stored under ``<root>/<prefix>``, if anything is."""
        path = f"{self.root}/{prefix}"
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)
