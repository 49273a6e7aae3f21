"""The one base class of the errors a user may read.

A service refuses a request by raising a subclass of ``DomainError`` (AuditError,
ModerationError, ReportError, ...) with a message written for the person who asked; views turn
it into a message beside the form, commands into an error line. Anything else that escapes a
service is a bug.
"""


class DomainError(Exception):
    """A request the rules refuse; the message is written for the user.

    ``field`` names the form field (or command argument) the message belongs beside, where
    there is one.
    """

    def __init__(self, message: str = "", *, field: str | None = None):
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""
