#!/usr/bin/env python3
"""Fill a deploy template's ${NAME} settings from the environment; refuse a missing one.

    SERVER_NAME=salles.brest.fr TLS_CERTIFICATE=... python3 deploy/render.py \
        deploy/nginx/salles-ouvertes.conf.in > /etc/nginx/sites-available/salles-ouvertes
"""

from __future__ import annotations

import os
import string
import sys


def render(template: str, settings: dict[str, str]) -> str:
    names = {
        m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(template)
    }
    missing = sorted(n for n in names if n and n not in settings)
    if missing:
        raise SystemExit("missing settings: " + ", ".join(missing))
    return string.Template(template).substitute(settings)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as handle:
        sys.stdout.write(render(handle.read(), dict(os.environ)))
