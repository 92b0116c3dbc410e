"""Where image files live: one small interface, a folder or S3-compatible storage.

Keys are relative names such as ``ab/ab12…ef-960.webp``; the files are
written once and never changed (the name holds the content's hash), so a key
that exists is complete. ``FOLIO_MEDIA_STORAGE`` chooses the backend.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import Flask
from flask import current_app

# What a key may look like: folders and a file name of safe characters, no
# dot-segments. Every key Folio makes fits; a request for another is a 404.
KEY = re.compile(r"^(?:[a-z0-9]{2}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class MediaStoreError(Exception):
    """The storage could not be read or written (disk full, S3 unreachable)."""


class MediaStore(Protocol):
    """The operations Folio needs from a place that keeps files."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, keys: Iterable[str]) -> None: ...

    def keys(self) -> Iterator[str]: ...

    def modified_at(self, key: str) -> datetime | None: ...

    def local_path(self, key: str) -> Path | None: ...

    def describe(self) -> str: ...


def valid_key(key: str) -> bool:
    """True when key is a name Folio could have made (no traversal, no oddities)."""
    return bool(KEY.fullmatch(key)) and ".." not in key


# A file's mode says who may read it. An upload waiting for its sizes is the
# original file, metadata and all: Folio's user alone. A size is what /media/
# serves to anyone: Folio's group too, so a web server put in that group can
# serve the folder itself (docs/deployment.md). Other accounts: neither.
UPLOAD_MODE = 0o600
SIZE_MODE = 0o640
FOLDER_MODE = 0o750


class LocalMediaStore:
    """Files in a folder (instance/media by default), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not valid_key(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            self.root.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            path.parent.mkdir(mode=FOLDER_MODE, exist_ok=True)
            # A hidden temporary name (keys() skips it), renamed when complete:
            # a key that exists is always a whole file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, UPLOAD_MODE if key.endswith(".upload") else SIZE_MODE)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise MediaStoreError(f"cannot write {key}: {exc.strerror}") from exc

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise MediaStoreError(f"cannot read {key}: {exc.strerror}") from exc

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            try:
                self._path(key).unlink(missing_ok=True)
            except OSError as exc:
                raise MediaStoreError(f"cannot delete {key}: {exc.strerror}") from exc

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()

    def modified_at(self, key: str) -> datetime | None:
        try:
            mtime = self._path(key).stat().st_mtime
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise MediaStoreError(f"cannot read {key}: {exc.strerror}") from exc
        return datetime.fromtimestamp(mtime, UTC)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def describe(self) -> str:
        return str(self.root)


class S3MediaStore:
    """Objects in an S3-compatible bucket, under a prefix, through boto3."""

    def __init__(
        self, bucket: str, prefix: str, endpoint_url: str = "", region: str = ""
    ) -> None:
        import boto3  # only sites that store on S3 pay for importing it
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _name(self, key: str) -> str:
        if not valid_key(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.prefix + key

    def _call(self, action: str, key: str, method, **kwargs):
        from botocore.exceptions import BotoCoreError
        from botocore.exceptions import ClientError

        try:
            return method(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise MediaStoreError(f"cannot {action} {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise MediaStoreError(f"cannot {action} {key}: {exc}") from exc

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._call(
            "write",
            key,
            self.client.put_object,
            Key=self._name(key),
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable",
        )

    def get(self, key: str) -> bytes | None:
        answer = self._call("read", key, self.client.get_object, Key=self._name(key))
        return None if answer is None else answer["Body"].read()

    def delete(self, keys: Iterable[str]) -> None:
        names = [{"Key": self._name(key)} for key in keys]
        for start in range(0, len(names), 1000):
            self._call(
                "delete",
                "objects",
                self.client.delete_objects,
                Delete={"Objects": names[start : start + 1000], "Quiet": True},
            )

    def keys(self) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError
        from botocore.exceptions import ClientError

        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreError(f"cannot list {self.describe()}: {exc}") from exc

    def modified_at(self, key: str) -> datetime | None:
        answer = self._call("read", key, self.client.head_object, Key=self._name(key))
        return None if answer is None else answer["LastModified"]

    def local_path(self, key: str) -> Path | None:
        return None

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def store_from_config(app: Flask) -> MediaStore:
    """The store FOLIO_MEDIA_STORAGE names (a folder under instance/ when unset)."""
    where = (app.config.get("MEDIA_STORAGE") or "").strip()
    if not where:
        return LocalMediaStore(Path(app.instance_path) / "media")
    if where.startswith("s3://"):
        bucket, _, prefix = where[len("s3://") :].partition("/")
        if not bucket:
            raise SystemExit("folio: FOLIO_MEDIA_STORAGE=s3://… needs a bucket name")
        return S3MediaStore(
            bucket,
            prefix,
            app.config.get("MEDIA_S3_ENDPOINT_URL", ""),
            app.config.get("MEDIA_S3_REGION", ""),
        )
    if where.startswith("/"):
        return LocalMediaStore(Path(where))
    raise SystemExit(
        "folio: FOLIO_MEDIA_STORAGE must be empty, an absolute folder or "
        f"s3://bucket/prefix, got {where!r}"
    )


def init_app(app: Flask) -> None:
    """Make the app's media store (one per app, shared by its threads)."""
    app.extensions["folio_media_store"] = store_from_config(app)


def media_store() -> MediaStore:
    """The current app's media store."""
    return current_app.extensions["folio_media_store"]
