"""booking/formhtml.py writes exactly what WTForms' own `html_params` writes."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core

from booking import formhtml
from booking.reservations.forms import reservation_form
from tests import factories

CASES = [
    {},
    {"name": "title", "id": "title", "class_": "wide", "for_": "x"},
    {"checked": True, "readonly": False, "required": True, "value": "y"},
    {"data_repeat_part": "weekly monthly", "aria_describedby": "a-help a-error"},
    {"aria_invalid": "true", "data_x": 'say "hi" & <bye>'},
    {"value": Markup('<b title="t">&amp;</b>'), "min": 1, "max": 12, "step": 0.5},
    {"value": None, "placeholder": "l'été", "title": "« Réunion » — 14:00–16:00"},
    {"label": lazy_gettext("Date"), "value": lazy_gettext('Give "it" a title')},
    {"z": "last", "a": "first", "m_": "middle"},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_same_attributes_as_wtforms(app, kwargs) -> None:
    with app.test_request_context():
        ours, theirs = formhtml.html_params(**kwargs), formhtml.ORIGINAL(**kwargs)
    assert str(ours) == str(theirs)
    assert isinstance(ours, Markup)


def test_installed_wherever_wtforms_looks_it_up(app) -> None:
    assert core.html_params is formhtml.html_params
    assert widgets.html_params is formhtml.html_params
    assert core.Input.html_params is formhtml.html_params
    assert core.Button.html_params is formhtml.html_params


def test_the_reservation_form_renders_the_same_html(app, db) -> None:
    site = factories.make_site()
    room = factories.make_resource(site)
    with app.test_request_context():
        form = reservation_form(room)
        form.association.choices = [("1", "Les Amis du Vélo"), ("2", 'Le "Club"')]
        form.attendees.render_kw = {"min": 1, "max": room.capacity}
        form.title.errors = ["An error"]
        fields = list(form)
        ours = [str(f(**{"aria_invalid": "true", "class_": "x"})) + str(f.label()) for f in fields]
        formhtml.uninstall()
        try:
            theirs = [
                str(f(**{"aria_invalid": "true", "class_": "x"})) + str(f.label()) for f in fields
            ]
        finally:
            formhtml.install()
    assert ours == theirs
