"""Door displays: a room's state at its door, and a kiosk of a site's rooms."""
