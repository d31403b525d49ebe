"""The twin's one error type, shared by the twin and its runtime without either importing the other."""


class TwinError(RuntimeError):
    """The twin could not be started or reached; str() is one line."""
