"""Errors of the backup domain; each says in Polish what went wrong and what to do."""

from __future__ import annotations

from cic.errors import CicError


class BackupError(CicError):
    """A backup could not be made (the disk is full, the database cannot be read, ...)."""

    status = 500
    error_id = "backup_failed"
    default_message = "Nie udało się wykonać kopii zapasowej."


class ArchiveRefused(BackupError):
    """An archive that will not be restored: damaged, changed, cut short, or holding a
    member cic never writes (an absolute path, ``..``, a link). Nothing was written."""

    status = 400
    error_id = "archive_refused"
    default_message = "Archiwum kopii zapasowej jest uszkodzone; nic nie odtworzono."


class TargetNotEmpty(BackupError):
    """The instance to restore into already holds data (without ``--force``)."""

    status = 409
    error_id = "restore_target_not_empty"
    default_message = "Docelowa instancja nie jest pusta; nic nie odtworzono."


class ControllerRunning(BackupError):
    """The controller is running: a restore under it would mix two states."""

    status = 409
    error_id = "controller_running"
    default_message = "Kontroler cic działa; zatrzymaj go przed odtwarzaniem."
