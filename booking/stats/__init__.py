"""Usage statistics and open data: aggregate queries, SVG charts, CSV and open-data exports."""
