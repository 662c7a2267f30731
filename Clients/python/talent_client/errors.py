"""Exceptions raised by the talentd client.

Two families, deliberately distinct:

* :class:`TalentError` and its subclasses: the daemon *answered* with a JSON-RPC error. Branch on
  the class, or on ``.reason`` / ``.code`` (never on ``.message``, which is meant for people).
* :class:`TalentConnectionError` (a :class:`ConnectionError`): the daemon could not be reached,
  or the connection was lost and the client could not (or must not) retry.

And one family of Python *warnings*: :class:`TalentWarning` and its subclasses, issued with
:func:`warnings.warn` for each entry of a successful result's ``warnings`` member (for example
``person.create``'s ``possible_duplicate``). The result keeps its ``warnings`` member as well.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "TalentError",
    "ParseError",
    "InvalidRequest",
    "MethodNotFound",
    "InvalidParams",
    "InternalError",
    "TooLarge",
    "Overloaded",
    "Unavailable",
    "NotFound",
    "Conflict",
    "InvalidState",
    "Unauthenticated",
    "Forbidden",
    "RateLimited",
    "IdempotencyMismatch",
    "TalentConnectionError",
    "TalentTimeout",
    "error_from_response",
    "TalentWarning",
    "PossibleDuplicateWarning",
    "warning_from_result_entry",
]


class TalentError(Exception):
    """An error answered by the daemon.

    Attributes:
        code: the JSON-RPC error code, e.g. ``-32602``.
        reason: the stable snake_case reason from ``error.data.reason``, e.g. ``"invalid_params"``.
        message: the human-readable message (may change between versions: do not parse it).
        data: the whole ``error.data`` object (always a dict; other members add detail).
        method: the method of the request that failed, when known.
    """

    #: The reason this class stands for (``None`` on the base class).
    REASON: Optional[str] = None
    #: The JSON-RPC code this class stands for (``None`` on the base class).
    CODE: Optional[int] = None

    def __init__(
        self,
        message: str,
        code: Optional[int] = None,
        reason: Optional[str] = None,
        data: Optional[Mapping[str, Any]] = None,
        method: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        self.code: Optional[int] = code if code is not None else self.CODE
        self.reason: Optional[str] = reason if reason is not None else self.REASON
        self.data: Dict[str, Any] = dict(data or {})
        self.method: Optional[str] = method

    def __str__(self) -> str:
        return f"{self.reason or 'error'}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, reason={self.reason!r}, message={self.message!r})"


class ParseError(TalentError):
    """The line sent was not valid JSON (a client bug). Not retried."""

    REASON, CODE = "parse_error", -32700


class InvalidRequest(TalentError):
    """Valid JSON but not a valid JSON-RPC request (a client bug). Not retried."""

    REASON, CODE = "invalid_request", -32600


class MethodNotFound(TalentError):
    """No method of that name; the daemon may be older than the script. Not retried."""

    REASON, CODE = "method_not_found", -32601


class InvalidParams(TalentError):
    """A param is missing, unknown or malformed. ``.field`` is its JSON path (``members[2].name``)."""

    REASON, CODE = "invalid_params", -32602

    @property
    def field(self) -> Optional[str]:
        """The JSON path of the offending param, from ``error.data.field``."""
        value = self.data.get("field")
        return value if isinstance(value, str) else None

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} (field: {self.field})" if self.field else text


class InternalError(TalentError):
    """The daemon failed unexpectedly (details are in its log). Not retried automatically."""

    REASON, CODE = "internal", -32603


class TooLarge(TalentError):
    """The line or the batch is over the daemon's limits: send smaller ones."""

    REASON, CODE = "too_large", -32000


class Overloaded(TalentError):
    """The daemon serves its maximum of connections. Retried automatically on a new connection."""

    REASON, CODE = "overloaded", -32001


class Unavailable(TalentError):
    """The daemon is shutting down. Retried automatically once it is back."""

    REASON, CODE = "unavailable", -32002


class NotFound(TalentError):
    """The record named does not exist."""

    REASON, CODE = "not_found", -32004


class Conflict(TalentError):
    """The change clashes with existing data or a newer version; ``.data`` names the clash."""

    REASON, CODE = "conflict", -32005


class InvalidState(TalentError):
    """The record's current state does not allow this operation."""

    REASON, CODE = "invalid_state", -32006


class Unauthenticated(TalentError):
    """Not logged in (or the session expired), or the login was refused."""

    REASON, CODE = "unauthenticated", -32010


class Forbidden(TalentError):
    """The caller's role does not allow this operation."""

    REASON, CODE = "forbidden", -32011


class RateLimited(TalentError):
    """The caller exceeded its quota. ``.retry_after`` (seconds) says when to try again."""

    REASON, CODE = "rate_limited", -32012

    @property
    def retry_after(self) -> Optional[float]:
        """Seconds to wait before retrying, from ``error.data.retry_after_ms`` (``None`` if absent)."""
        value = self.data.get("retry_after_ms")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value / 1000.0
        return None


class IdempotencyMismatch(TalentError):
    """An idempotency key was reused with different params. Use a new key for a new request."""

    REASON, CODE = "idempotency_mismatch", -32013


class TalentConnectionError(ConnectionError):
    """The daemon could not be reached, or the connection was lost (after any retries).

    This is *not* a :class:`TalentError`: the daemon did not answer. ``.socket_path`` is the
    socket tried. When a write without an idempotency key was in flight, the message says that
    it may or may not have taken effect.
    """

    def __init__(self, message: str, socket_path: Optional[str] = None) -> None:
        super().__init__(message)
        self.socket_path = socket_path


class TalentTimeout(TalentConnectionError, TimeoutError):
    """No answer arrived within the client's timeout. The connection is closed; not retried."""


_BY_REASON: Dict[str, Type[TalentError]] = {
    cls.REASON: cls
    for cls in (
        ParseError, InvalidRequest, MethodNotFound, InvalidParams, InternalError, TooLarge,
        Overloaded, Unavailable, NotFound, Conflict, InvalidState, Unauthenticated, Forbidden,
        RateLimited, IdempotencyMismatch,
    )
    if cls.REASON is not None
}
_BY_CODE: Dict[int, Type[TalentError]] = {cls.CODE: cls for cls in _BY_REASON.values() if cls.CODE is not None}


def error_from_response(error: Any, method: Optional[str] = None) -> TalentError:
    """Build the exception for a JSON-RPC ``error`` object.

    The class is chosen by ``data.reason``; an unknown reason falls back to the ``code``
    (protocol §11: treat an unknown reason according to its code), then to :class:`TalentError`.
    """
    if not isinstance(error, dict):
        return TalentError(f"malformed error object: {error!r}", method=method)
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = error.get("message")
    message = message if isinstance(message, str) else ""
    data = error.get("data")
    data = data if isinstance(data, dict) else {}
    reason = data.get("reason")
    reason = reason if isinstance(reason, str) else None
    cls = _BY_REASON.get(reason or "") or (_BY_CODE.get(code) if code is not None else None) or TalentError
    return cls(message, code=code, reason=reason, data=data, method=method)


class TalentWarning(UserWarning):
    """A warning the daemon put in a successful result's ``warnings``: the call did its work, but a
    person should look at something.

    Attributes:
        method: the method whose result carried it.
        code: the warning's ``code`` (e.g. ``"possible_duplicate"``); branch on it or on the class.
        message: the daemon's message, meant for people.
        data: the whole warning object as the daemon sent it.
    """

    code_name: Optional[str] = None  # the code this subclass stands for

    def __init__(self, method: str, data: Mapping[str, Any]) -> None:
        self.method = method
        self.data: Dict[str, Any] = dict(data)
        self.code: Optional[str] = self.data.get("code")
        self.message: str = str(self.data.get("message", ""))
        super().__init__(f"{method}: {self.code}: {self.message}")


class PossibleDuplicateWarning(TalentWarning):
    """``possible_duplicate``: another person has the same name and birth date, or the same email.
    ``person_id`` is that person's id."""

    code_name = "possible_duplicate"

    @property
    def person_id(self) -> Optional[int]:
        return self.data.get("person_id")


_WARNINGS_BY_CODE: Dict[str, Type[TalentWarning]] = {
    cls.code_name: cls for cls in (PossibleDuplicateWarning,) if cls.code_name
}


def warning_from_result_entry(method: str, data: Mapping[str, Any]) -> TalentWarning:
    """The :class:`TalentWarning` (most specific subclass for its code) for one ``warnings`` entry."""
    return _WARNINGS_BY_CODE.get(str(data.get("code")), TalentWarning)(method, data)
