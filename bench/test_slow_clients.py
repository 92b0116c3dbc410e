"""The shipped nginx site: valid for Debian's nginx, and it shields workers from slow clients."""

from __future__ import annotations

import shutil
import subprocess

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
