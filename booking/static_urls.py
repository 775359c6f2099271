"""Fingerprinted static URLs: `/static/css/site.css?v=<content hash>`.

A proxy (deploy/nginx) or a browser may then keep static files for a year: a new version
of a file has a new URL. The hash is computed once per file and process.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask


@cache
def _fingerprint(folder: str, filename: str) -> str | None:
    path = Path(folder, filename)
    try:
        content = path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(content).hexdigest()[:12]


def init_static_urls(app: Flask) -> None:
    folder = app.static_folder

    @app.url_defaults
    def _static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and folder and "v" not in values:
            version = _fingerprint(folder, values.get("filename", ""))
            if version:
                values["v"] = version
