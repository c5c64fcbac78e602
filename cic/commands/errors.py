"""The one error type the ``cic`` command prints without a traceback."""


class CommandError(RuntimeError):
    """A command could not do what was asked; the message says why, in Polish."""
