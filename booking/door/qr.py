"""QR codes drawn on the server as inline SVG (segno): no script, no image request."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, label: str, *, css_class: str = "door-qr-code") -> Markup:
    """The URL as a QR code: an `<svg role="img">` named `label`, scaling with its box.

    Medium error correction, black on white with a quiet zone of 4 modules, as
    phone cameras expect. The page prints the URL next to it as well (the code's
    text alternative, for those who cannot scan).
    """
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", svgclass=css_class, omitsize=True
    )
    attributes = f'role="img" aria-label="{escape(label)}" '
    return Markup(svg.replace("<svg ", f"<svg {attributes}", 1))  # noqa: S704 - segno's markup
