"""The statistics pages in a real browser: charts drawn without JavaScript, exports served."""

from __future__ import annotations

from tests.browser.conftest import log_in, screenshot


def test_a_manager_reads_the_statistics_and_downloads_the_table(page) -> None:
    log_in(page, "gestionnaire@example.org")
    page.goto("/")
    page.get_by_role("link", name="Statistiques").click()
    assert page.get_by_role("heading", name="Statistiques", level=1).is_visible()
    assert page.locator("svg.chart-svg").count() == 3
    assert page.locator("figure.chart").first.is_visible()
    page.select_option("#period", "year")
    page.get_by_role("button", name="Afficher").click()
    assert "period=year" in page.url
    rows = page.locator("table.stats-table").first.locator("tbody tr")
    assert rows.count() >= 1
    screenshot(page, "stats")
    href = page.get_by_role("link", name="Tableau par ressource (CSV)").get_attribute("href")
    response = page.request.get(href)
    assert response.ok
    assert response.text().startswith("resource,site,kind,open_hours,booked_hours,occupancy")


def test_the_yearly_report_prints_without_the_menus(page) -> None:
    log_in(page, "admin@example.org")
    page.goto("/stats/report")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".yearly-report h1").is_visible()
    assert page.locator("svg.chart-svg").count() == 3


def test_anyone_finds_the_open_data_from_the_footer(page) -> None:
    page.goto("/")
    page.locator(".site-footer").get_by_role("link", name="Données ouvertes").click()
    assert page.get_by_role("heading", name="Données ouvertes", level=1).is_visible()
    href = page.get_by_role("link", name="lieux-mediation-numerique.csv").get_attribute("href")
    response = page.request.get(href)
    assert response.ok
    assert response.text().startswith("id,pivot,nom,commune,code_postal")
    spaceapi = page.locator("a[href*='/open-data/spaceapi/']")
    assert spaceapi.count() >= 1
    status = page.request.get(spaceapi.first.get_attribute("href")).json()
    assert isinstance(status["state"]["open"], bool)
