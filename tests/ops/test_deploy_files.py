"""The deployment files are valid: systemd units verify, the nginx site renders and parses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from render import render  # noqa: E402


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
def test_systemd_units_and_timers_verify(tmp_path):
    for unit in (ROOT / "deploy/systemd").iterdir():
        text = unit.read_text().replace("/srv/salles-ouvertes", str(ROOT))
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "salles-ouvertes" not in done.stderr, done.stderr


def test_the_nginx_template_refuses_a_missing_setting():
    with pytest.raises(SystemExit, match="TLS_CERTIFICATE"):
        render((ROOT / "deploy/nginx/salles-ouvertes.conf.in").read_text(), {"SERVER_NAME": "x"})


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_the_rendered_nginx_site_parses(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=t", "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = render(
        (ROOT / "deploy/nginx/salles-ouvertes.conf.in").read_text(),
        {
            "SERVER_NAME": "salles.test",
            "HTTP_LISTEN": "127.0.0.1:18080",
            "HTTPS_LISTEN": "127.0.0.1:18443",
            "TLS_CERTIFICATE": str(tmp_path / "c.pem"),
            "TLS_CERTIFICATE_KEY": str(tmp_path / "k.pem"),
            "APP_SERVERS": "server 127.0.0.1:8001;",
            "STATIC_ROOT": str(ROOT / "booking/static"),
        },
    )
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"{user} pid {tmp_path}/n.pid; error_log {tmp_path}/e.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; {site} }}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "e.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
