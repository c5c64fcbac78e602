"""Refusals of consultations: Polish messages with stable ids and HTTP statuses."""

from __future__ import annotations

from cic.errors import CicError


class ConsultationError(CicError):
    """A consultation request cannot be served as sent (the message says what to change)."""

    status = 400
    error_id = "consultation_invalid"
    default_message = "Nie można przyjąć formularza konsultacji."


class ConsultationNotFound(ConsultationError):
    """No such consultation, document, comment or report (or not published)."""

    status = 404
    error_id = "consultation_not_found"
    default_message = "Nie ma takiej konsultacji."


class ConsultationClosed(ConsultationError):
    """A comment sent before the consultation starts or after it ends."""

    status = 409
    error_id = "consultation_closed"
    default_message = "Ta konsultacja nie przyjmuje teraz uwag."


class ConsultationConflict(ConsultationError):
    """A change that does not fit the consultation's state (a slug taken, a report too early)."""

    status = 409
    error_id = "consultation_conflict"
    default_message = "Tej zmiany nie można teraz wprowadzić."


class DocumentRefused(ConsultationError):
    """An uploaded file of a kind not accepted, empty or too big."""

    error_id = "consultation_document_refused"
    default_message = "Nie można przyjąć tego pliku."


class DocumentTooBig(DocumentRefused):
    """The upload is over the size limit."""

    status = 413
    error_id = "consultation_document_too_big"
    default_message = "Plik jest za duży."


class FieldErrors(ConsultationError):
    """A form with fields that do not fit: ``fields`` maps each field to its Polish message."""

    error_id = "consultation_form_invalid"
    default_message = "Popraw zaznaczone pola formularza."

    def __init__(self, fields: dict[str, str]) -> None:
        """``fields``: field name -> what is wrong with it (shown by the field)."""
        super().__init__()
        self.fields = fields
