"""Account forms. Every validator carries a message a non-technical person understands."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from booking.auth.services import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    AccountError,
    normalize_registration_number,
)

LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def no_control_characters(_form: FlaskForm, field: Field) -> None:
    """Tabs, line breaks and NUL bytes have no place in a name (PostgreSQL refuses NUL)."""
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_l("Use letters, digits and punctuation only, on one line."))


class _StrictChoice:
    """A choice outside the list gets our clear message instead of WTForms' generic one."""

    invalid_message: object = _l("Choose one of the options.")

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.invalid_message)


class LanguageField(_StrictChoice, SelectField):
    invalid_message = _l("Choose French or English.")


class ChoiceRadioField(_StrictChoice, RadioField):
    pass


def _email_field(label: object, **kwargs: object) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(_l("Enter an email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
        **kwargs,
    )


def _new_password_field(label: object) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l(
                    "Choose a password of %(min)d to %(max)d characters.",
                    min=PASSWORD_MIN_LENGTH,
                    max=PASSWORD_MAX_LENGTH,
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field(label: object, other: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Type the password a second time.")),
            EqualTo(other, _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _name_field(label: object, max_length: int, autocomplete: str = "name") -> StringField:
    """A name; `autocomplete` tells browsers what it is (WCAG 1.3.5, RGAA 11.13)."""
    return StringField(
        label,
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(
                max=max_length,
                message=_l("Use at most %(max)d characters.", max=max_length),
            ),
            no_control_characters,
        ],
        filters=[_strip],
        render_kw={"autocomplete": autocomplete},
    )


def _language_field() -> SelectField:
    return LanguageField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        validators=[InputRequired(_l("Choose a language."))],
        default="fr",
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=_l("A password has at most %(max)d characters.", max=PASSWORD_MAX_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this computer"))


class AccountFields(FlaskForm):
    """The person: shared by the sign-up forms."""

    display_name = _name_field(_l("Your name"), 120)
    email = _email_field(_l("Email address"))
    password = _new_password_field(_l("Password"))
    password_confirm = _confirm_field(_l("Password again"), "password")
    locale = _language_field()


class AssociationForm(FlaskForm):
    """Declare a new association (validated later by an administrator)."""

    association_name = StringField(
        _l("Association name"),
        validators=[
            Length(max=200, message=_l("Use at most %(max)d characters.", max=200)),
            no_control_characters,
        ],
        filters=[_strip],
        render_kw={"autocomplete": "organization"},
    )
    registration_number = StringField(
        _l("RNA or SIRET number (optional)"),
        validators=[Length(max=30, message=_l("Use at most %(max)d characters.", max=30))],
    )
    contact_email = EmailField(
        _l("Association's contact email"),
        validators=[Length(max=254, message=_l("An email address has at most 254 characters."))],
        filters=[_strip],
    )

    def declares_association(self) -> bool:
        return True

    def validate_association_name(self, field: StringField) -> None:
        if self.declares_association() and not field.data:
            raise ValidationError(_l("Enter the association's name."))

    def validate_registration_number(self, field: StringField) -> None:
        if not self.declares_association():
            return
        try:
            field.data = normalize_registration_number(field.data)
        except AccountError as error:
            raise ValidationError(str(error.message)) from error

    def validate_contact_email(self, field: EmailField) -> None:
        if not self.declares_association():
            return
        if not field.data:
            raise ValidationError(_l("Enter the association's contact email."))
        Email(_l("Enter a valid email address, like name@example.org."))(self, field)


class SignupForm(AccountFields, AssociationForm):
    """Sign up and, unless invited, either declare an association or wait for an invitation."""

    association_choice = ChoiceRadioField(
        _l("Your association"),
        choices=[
            SelectChoice("new", _l("I declare a new association")),
            SelectChoice("invited", _l("I will join an association that invites me")),
        ],
        default="new",
        validators=[InputRequired(_l("Choose how you join an association."))],
    )

    def declares_association(self) -> bool:
        return self.association_choice.data == "new"


class InvitedSignupForm(AccountFields):
    """Sign up from an invitation link: the association is already known."""


class ForgotPasswordForm(FlaskForm):
    email = _email_field(_l("Email address"))


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    password_confirm = _confirm_field(_l("New password again"), "password")


def current_password_field(label: object, missing: object) -> PasswordField:
    """The password the person types to confirm who they are (change, deletion...)."""
    return PasswordField(
        label,
        validators=[
            DataRequired(missing),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=_l("A password has at most %(max)d characters.", max=PASSWORD_MAX_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field(
        _l("Current password"), _l("Enter your current password.")
    )
    new_password = _new_password_field(_l("New password"))
    new_password_confirm = _confirm_field(_l("New password again"), "new_password")


class ProfileForm(FlaskForm):
    display_name = _name_field(_l("Your name"), 120)
    locale = _language_field()
    notify_reminders = BooleanField(_l("Remind me by email before my bookings"))
    notify_comments = BooleanField(_l("Email me when someone comments on my bookings"))


class InviteForm(FlaskForm):
    email = _email_field(_l("Email address of the person to invite"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
