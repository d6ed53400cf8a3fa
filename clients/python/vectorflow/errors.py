"""What the client raises."""

from typing import Optional


class VectorFlowError(Exception):
    """A request the server refused or could not answer.

    ``status`` is the HTTP status (None when no answer came: the server could not be reached or
    the call timed out); ``message`` is the server's own message, naming the field at fault.
    """

    def __init__(self, status: Optional[int], message: str, retry_after: Optional[float] = None):
        super().__init__(f"{status}: {message}" if status is not None else message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
