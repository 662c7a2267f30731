"""talent_client: the Python client for talentd, for ministries' scripts.

Quick use::

    from talent_client import Client, TalentError

    with Client() as c:                      # $TALENT_SOCKET, else ./var/talentd.sock
        print(c.call("system.info"))

See :class:`Client` for connection, login, retries and idempotency keys.
"""
from .client import DEFAULT_SOCKET, CallSpec, Client, resolve_socket_path
from .errors import (
    Conflict, Forbidden, IdempotencyMismatch, InternalError, InvalidParams, InvalidRequest,
    InvalidState, MethodNotFound, NotFound, Overloaded, ParseError, RateLimited, TalentConnectionError,
    TalentError, TalentTimeout, TooLarge, Unauthenticated, Unavailable, error_from_response,
    PossibleDuplicateWarning, TalentWarning,
)

__version__ = "0.1.0"

__all__ = [
    "Client", "CallSpec", "DEFAULT_SOCKET", "resolve_socket_path", "error_from_response",
    "TalentError", "ParseError", "InvalidRequest", "MethodNotFound", "InvalidParams", "InternalError",
    "TooLarge", "Overloaded", "Unavailable", "NotFound", "Conflict", "InvalidState", "Unauthenticated",
    "Forbidden", "RateLimited", "IdempotencyMismatch", "TalentConnectionError", "TalentTimeout",
    "TalentWarning", "PossibleDuplicateWarning",
]
