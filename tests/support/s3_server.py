"""A real S3-compatible server for tests: moto's standalone server on 127.0.0.1.

`s3_server` starts one per test module (about half a second); it is stopped by
its PID when the module's tests are done, by a timer after `LIFETIME` seconds
whatever happens, and by the kernel if pytest itself dies (a parent-death
signal), so no server outlives the run. `s3_bucket` gives each test a bucket
of its own and the fake credentials boto3 reads from the environment.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gunicorn_server import free_port

LIFETIME = 300.0
REGION = "us-east-1"
# What boto3 reads, in the server's environment and (monkeypatched) the tests'.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "folio-test",
    "AWS_SECRET_ACCESS_KEY": "folio-test-secret",
    "AWS_DEFAULT_REGION": REGION,
    # Never a developer's own profile or keys from ~/.aws.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the process that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class MotoServer:
    """moto's server for S3 on a free 127.0.0.1 port, for a bounded time."""

    def __init__(self, log_dir: Path, lifetime: float = LIFETIME) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"moto-{self.port}.log"
        self.lifetime = lifetime
        self.process: subprocess.Popen | None = None
        self._watchdog: threading.Timer | None = None

    def start(self, timeout: float = 20.0) -> MotoServer:
        """Start the server and wait until it answers."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env |= CREDENTIALS
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1"]
                + ["-p", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        self._watchdog = threading.Timer(self.lifetime, self.stop)
        self._watchdog.daemon = True
        self._watchdog.start()
        try:
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited:\n{self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        raise RuntimeError(f"moto did not answer in {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL if it lingers."""
        if self._watchdog is not None:
            self._watchdog.cancel()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def client(self):
        """A boto3 S3 client for this server (for tests to look inside the bucket)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


@dataclass
class Bucket:
    """A test's own bucket on the server, and how to look inside it."""

    server: MotoServer
    name: str
    client: object

    @property
    def endpoint(self) -> str:
        return self.server.url

    def storage(self, prefix: str = "folio/media") -> str:
        """FOLIO_MEDIA_STORAGE for this bucket and prefix."""
        return f"s3://{self.name}/{prefix}"

    def object_names(self) -> list[str]:
        """Every object name in the bucket, sorted."""
        answer = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in answer.get("Contents", []))


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory) -> Iterator[MotoServer]:
    """moto's S3 server for this module's tests, stopped when they are done."""
    server = MotoServer(tmp_path_factory.mktemp("moto")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server, monkeypatch) -> Bucket:
    """A new, empty bucket, with boto3's credentials set for the test."""
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    client = s3_server.client()
    name = f"folio-test-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=name)
    return Bucket(s3_server, name, client)
