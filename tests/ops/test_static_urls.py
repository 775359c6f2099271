"""Static URLs carry a hash of the file: a new version has a new URL (kept a year by nginx)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def test_static_urls_are_fingerprinted_with_the_content_hash(client, db):
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'href="/static/css/site\.css\?v=([0-9a-f]{12})"', page)
    assert found
    css = Path(client.application.static_folder, "css/site.css").read_bytes()
    assert found.group(1) == hashlib.sha256(css).hexdigest()[:12]
    response = client.get(f"/static/css/site.css?v={found.group(1)}")
    response.close()
    assert response.status_code == 200
