"""What every operation of the description says without each view repeating it.

An apispec plugin, run as flask-smorest documents each route, so that the
published description lints clean (`tests/api/test_openapi_lint.py`, Redocly's
recommended rules) and tells clients what they will meet:

- `operationId`: the view function's name (unique: one function per route);
- `security`: the bearer token where the view asks for one, none (`[]`) on the
  anonymous reads, said explicitly rather than left to the reader;
- the 4xx answers every operation may give: 429 (the rate limit, with
  `Retry-After`), 401/403 with a token, 404 where the path names something.
"""

from __future__ import annotations

from apispec import BasePlugin

# The anonymous reads publish the open data's places, rooms and public events: under
# the same licence as the open-data files (booking/stats/opendata.py).
LICENCE = {
    "name": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer"},
}


class ConventionsPlugin(BasePlugin):
    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if not operations or rule is None:
            return
        name = rule.endpoint.rsplit(".", 1)[-1]
        several = len([m for m in operations if m != "parameters"]) > 1
        for method, operation in operations.items():
            if method == "parameters":
                continue
            operation.setdefault("operationId", f"{name}_{method}" if several else name)
            operation.setdefault("security", [])
            responses = operation.setdefault("responses", {})
            responses.setdefault("429", "TOO_MANY_REQUESTS")
            if operation["security"]:
                responses.setdefault("401", "UNAUTHORIZED")
                responses.setdefault("403", "FORBIDDEN")
            if rule.arguments:
                responses.setdefault("404", "NOT_FOUND")
