"""Refusals of the public web form: clear Polish messages with stable ids (400 and 429)."""

from __future__ import annotations

from cic.errors import CicError


class FormRefused(CicError):
    """The message cannot be accepted as sent (the message says what to change)."""

    status = 400
    error_id = "invalid_form"
    default_message = "Nie można przyjąć formularza."


class FormTokenInvalid(FormRefused):
    """The form's token is missing, altered or not this office's."""

    error_id = "form_token_invalid"
    default_message = "Formularz jest nieważny. Odśwież stronę i wyślij wiadomość ponownie."


class FormTooFast(FormRefused):
    """Sent sooner after the form was shown than a person can fill it in."""

    error_id = "form_too_fast"
    default_message = (
        "Formularz wysłano zbyt szybko po jego otwarciu. Odczekaj chwilę i wyślij ponownie."
    )


class FormExpired(FormRefused):
    """The form was shown too long ago."""

    error_id = "form_expired"
    default_message = (
        "Formularz był otwarty zbyt długo. Odśwież stronę (treść wiadomości zostanie)"
        " i wyślij ponownie."
    )


class FormTokenUsed(FormRefused):
    """This form (its token) has been sent already."""

    error_id = "form_token_used"
    default_message = (
        "Ta wiadomość została już wysłana. Aby napisać kolejną, odśwież stronę formularza."
    )


class ConsentMissing(FormRefused):
    """The resident did not accept the consent text."""

    error_id = "form_consent_missing"
    default_message = (
        "Bez zgody na przetwarzanie danych nie możemy przyjąć wiadomości."
        " Zaznacz zgodę i wyślij ponownie."
    )


class FormRateLimited(CicError):
    """Too many messages from this client address this hour; ``retry_after`` seconds until
    the next one is taken."""

    status = 429
    error_id = "form_rate_limited"
    source = "z tego adresu"

    def __init__(self, retry_after: int) -> None:
        """The message names the wait in minutes and the other ways to reach the office."""
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"Wysłano zbyt wiele wiadomości {self.source} w ciągu godziny. Spróbuj ponownie"
            f" za {minutes} min albo zadzwoń lub napisz e-mail do urzędu."
        )
        self.retry_after = retry_after


class FormBusy(FormRateLimited):
    """The form's overall hourly cap is reached (a flood from many addresses)."""

    error_id = "form_busy"
    source = "przez formularz"
