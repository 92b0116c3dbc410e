"""The shipped nginx site: valid for Debian's nginx, and it shields workers from slow clients."""

from __future__ import annotations

import http.client
import http.server
import shutil
import subprocess
import threading

import pytest

from bench import slow_clients

pytestmark = pytest.mark.skipif(
    slow_clients.nginx_binary() is None, reason="nginx is not installed"
)


def test_the_shipped_site_passes_nginx_t(tmp_path):
    """The whole file, TLS included, with a throwaway certificate in place of Let's Encrypt's."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=blog.example.com", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = slow_clients.SITE_CONF.read_text()
    site = site.replace(
        "/etc/letsencrypt/live/blog.example.com/fullchain.pem", str(cert)
    )
    site = site.replace("/etc/letsencrypt/live/blog.example.com/privkey.pem", str(key))
    conf = tmp_path / "nginx.conf"
    conf.write_text(slow_clients.main_config(tmp_path, site))
    result = subprocess.run(
        [slow_clients.nginx_binary(), "-t", "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_a_slowloris_stops_gunicorn_alone_but_not_the_site_behind_nginx():
    alone, behind = slow_clients.run(connections=196, seconds=4, workers=4)
    # The harness really attacks: the same slow clients starve the bare workers...
    assert len(alone.latencies) < alone.asked / 2
    # ...and nginx keeps every one of them away from the workers.
    assert behind.failures == 0 and len(behind.latencies) >= 5


class _Folio(http.server.BaseHTTPRequestHandler):
    """Stands in for Folio behind nginx: every request it sees gets 404."""

    def do_GET(self) -> None:
        body = b"404 from folio"
        self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def nginx_with_media(tmp_path):
    """The shipped site in nginx, its media folder in tmp_path, Folio a 404 stub."""
    sha = "ab" * 32
    folder = tmp_path / "site" / "media" / "ab"
    folder.mkdir(parents=True)
    files = {
        f"ab/{sha}-480.webp": b"RIFF\x00\x00\x00\x00WEBPsize",
        f"ab/{sha}-960.jpg": b"\xff\xd8\xff\xe0jpeg size",
        f"ab/{sha}.upload": b"the original, GPS and all",
        "ab/notes.txt": b"private notes",
    }
    for key, data in files.items():
        (tmp_path / "site" / "media" / key).write_bytes(data)
    folio = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Folio)
    thread = threading.Thread(target=folio.serve_forever, daemon=True)
    thread.start()
    nginx = slow_clients.Nginx(
        tmp_path, slow_clients.free_port(), folio.server_port, tmp_path / "site"
    ).start()
    try:
        yield nginx.port, sha
    finally:
        nginx.stop()
        folio.shutdown()
        folio.server_close()
        thread.join(timeout=5)


def _ask(port: int, path: str, method: str = "GET", **headers: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, headers={"Host": "blog.example.com", **headers})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_shipped_site_serves_the_sizes_from_the_media_folder(nginx_with_media):
    port, sha = nginx_with_media
    for name, content_type in (("480.webp", "image/webp"), ("960.jpg", "image/jpeg")):
        status, headers, body = _ask(port, f"/media/ab/{sha}-{name}")
        assert status == 200, name
        assert headers["Content-Type"] == content_type
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Disposition"] == "inline"
        assert body.endswith(b"size")
        again, _, empty = _ask(
            port, f"/media/ab/{sha}-{name}", **{"If-None-Match": headers["ETag"]}
        )
        assert (again, empty) == (304, b"")
        head, head_headers, nothing = _ask(port, f"/media/ab/{sha}-{name}", "HEAD")
        assert (head, nothing) == (200, b"")
        assert head_headers["Content-Length"] == str(len(body))


@pytest.mark.parametrize(
    "path",
    [
        "/media/ab/{sha}.upload",
        "/media/ab/notes.txt",
        "/media/ab/{sha}-480.webp.upload",
        "/media/ab/%2e%2e/ab/{sha}.upload",
        "/media/ab/../media/ab/notes.txt",
        "/media/AB/{sha}-480.webp",
        "/media/42",
    ],
)
def test_the_shipped_site_leaves_every_other_media_name_to_folio(
    nginx_with_media, path
):
    port, sha = nginx_with_media
    status, headers, body = _ask(port, path.format(sha=sha))
    assert (status, body) == (404, b"404 from folio")
    assert "Cache-Control" not in headers


def test_the_shipped_site_does_not_keep_a_missing_size_a_year(nginx_with_media):
    port, _ = nginx_with_media
    status, headers, _ = _ask(port, f"/media/cd/{'cd' * 32}-480.webp")
    assert status == 404
    assert "Cache-Control" not in headers
