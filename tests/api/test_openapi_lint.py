"""The published OpenAPI description lints clean with Redocly CLI (recommended rules,
warnings as errors: operationIds, security, 4xx answers, licence, unused components…).

Redocly CLI is a Node.js tool (tests/js, `npm ci`); where Node.js or the package is
missing the test is skipped, unless REQUIRE_NODE=1 (CI), which makes it a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js"
REDOCLY = JS_DIR / "node_modules" / "@redocly" / "cli" / "bin" / "cli.js"


@pytest.fixture
def redocly() -> list[str]:
    if shutil.which("node") is None or not REDOCLY.exists():
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail("REQUIRE_NODE=1 but node or tests/js/node_modules/@redocly/cli is missing")
        pytest.skip("Node.js or Redocly CLI (tests/js: npm ci) is missing")
    return ["node", str(REDOCLY)]


def _lint(redocly: list[str], path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*redocly, "lint", "--config", str(JS_DIR / "redocly.yaml"), "--format", "stylish", path],
        capture_output=True,
        text=True,
        cwd=JS_DIR,
        timeout=120,
        # No telemetry, no update check: the test needs no network.
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )


def test_the_description_lints_clean(client, redocly, tmp_path):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    path = tmp_path / "openapi.json"
    path.write_bytes(response.data)
    result = _lint(redocly, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_does_fail_on_a_flawed_description(client, redocly, tmp_path):
    """The same run catches what it is there for: an operation without an operationId."""
    spec = client.get("/api/v1/openapi.json").json
    del spec["paths"]["/api/v1/sites"]["get"]["operationId"]
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(spec))
    result = _lint(redocly, path)
    assert result.returncode != 0
    assert "operation-operationId" in result.stdout + result.stderr
