"""The talentd client: JSON-RPC 2.0, one JSON value per line, over a Unix domain socket.

Connection life cycle
---------------------
A :class:`Client` connects **lazily**: creating one never touches the socket. The first call
(or :meth:`Client.connect`) connects, fetches ``rpc.discover`` once for the life of the Client
(to learn which methods are mutating), then logs in if credentials are known. After a lost
connection the next request reconnects and logs in again with the same credentials.

Retries
-------
A request is retried, on a new connection after an exponential backoff with jitter (0.1 s
doubling up to 5 s, at most ``max_tries`` attempts in a row without progress), when:

* the connection could not be made (socket missing or refused: the daemon is restarting), or
  was lost (EOF, reset, broken pipe) before the answer arrived, and the request is safe to
  repeat: a read, or a write carrying an ``idempotency_key`` (added automatically to every
  mutating method that accepts one), which the daemon executes at most once;
* the daemon answered ``unavailable`` or ``overloaded`` (the request was not executed);
* the daemon answered ``unauthenticated`` while the Client holds credentials (the session
  expired): it logs in again and retries once.

Any other error is raised (or returned, for batches and pipelines) at once, never retried.
"""
from __future__ import annotations

import errno
import json
import logging
import os
import random
import selectors
import socket
import time
import uuid
import warnings
from collections import deque
from typing import (
    Any, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union,
)

from .errors import (
    InvalidParams, Overloaded, TalentConnectionError, TalentError, TalentTimeout, Unauthenticated, Unavailable,
    error_from_response, warning_from_result_entry,
)

__all__ = ["Client", "resolve_socket_path", "DEFAULT_SOCKET", "CallSpec"]

log = logging.getLogger("talent_client")
log.addHandler(logging.NullHandler())  # retries are logged as warnings; configure logging to see them

#: The socket used when neither an argument nor ``$TALENT_SOCKET`` names one (as talentctl).
DEFAULT_SOCKET = "./var/talentd.sock"

#: One call for :meth:`Client.batch` / :meth:`Client.pipeline`: ``"method"``,
#: ``("method", {params})`` or ``{"method": "...", "params": {...}}``.
CallSpec = Union[str, Tuple[str, Optional[Mapping[str, Any]]], Mapping[str, Any]]

_PUBLIC_BEFORE_DISCOVERY = ("rpc.discover",)
_CHUNK = 1 << 18


def resolve_socket_path(socket_path: Optional[str] = None) -> str:
    """Resolve the daemon's socket like talentctl: the argument, ``$TALENT_SOCKET``, ``./var/talentd.sock``."""
    if socket_path:
        return os.fspath(socket_path)
    return os.environ.get("TALENT_SOCKET") or DEFAULT_SOCKET


class _Credentials:
    """A principal and its secret (a password or an API token). Never shown by repr or str."""

    __slots__ = ("principal", "_secret", "kind")

    def __init__(self, principal: str, secret: str, kind: str = "secret") -> None:
        self.principal = principal
        self._secret = secret
        self.kind = kind  # "secret" or "token"

    def login_params(self, methods: Optional[Mapping[str, Mapping[str, Any]]]) -> Dict[str, Any]:
        """The params of ``session.login``: a token goes in ``token`` if the daemon has that param."""
        field = "secret"
        if self.kind == "token" and methods is not None:
            names = _param_names(methods.get("session.login"))
            if "token" in names:
                field = "token"
        return {"principal": self.principal, field: self._secret}

    def __repr__(self) -> str:
        return f"_Credentials(principal={self.principal!r}, {self.kind}=***)"

    __str__ = __repr__


class _Entry:
    """One JSON-RPC request inside a line, with its outcome."""

    __slots__ = ("method", "params_json", "safe", "id", "result", "error", "done", "reauthed")

    def __init__(self, method: str, params_json: Optional[str], safe: bool) -> None:
        self.method = method
        self.params_json = params_json
        self.safe = safe  # may be sent again after a connection loss without risk of a duplicate
        self.id = 0
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.done = False
        self.reauthed = False

    def finish(self, result: Any = None, error: Optional[BaseException] = None) -> None:
        self.result, self.error, self.done = result, error, True

    def outcome(self) -> Any:
        return self.error if self.error is not None else self.result


class _Unit:
    """One line on the wire: a single request or a batch."""

    __slots__ = ("seq", "entries", "is_batch")

    def __init__(self, entries: List[_Entry], is_batch: bool) -> None:
        self.seq = 0
        self.entries = entries
        self.is_batch = is_batch

    def remaining(self) -> List[_Entry]:
        return [e for e in self.entries if not e.done]


class _Retry(Exception):
    """Internal: a retryable failure (connection lost, or an unavailable/overloaded answer)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _param_names(spec: Optional[Mapping[str, Any]]) -> List[str]:
    if not spec:
        return []
    return [p.get("name") for p in spec.get("params", []) if isinstance(p, dict)]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class Client:
    """A connection to talentd for scripts.

    >>> with Client() as c:                       # ./var/talentd.sock, or $TALENT_SOCKET
    ...     c.call("system.ping")["pong"]
    True

    Args:
        socket_path: the daemon's socket; default ``$TALENT_SOCKET``, then ``./var/talentd.sock``.
        timeout: seconds to wait for any progress (connect, write or answer) before giving up
            with :class:`TalentTimeout`. A timed-out request is not retried.
        max_tries: attempts in a row without progress before a retryable failure is raised.
        backoff_initial: first delay between attempts, in seconds; it doubles each time...
        backoff_max: ...up to this many seconds.
        principal, secret, token: credentials to log in with on every (re)connect. When none are
            given, ``$TALENT_PRINCIPAL`` with ``$TALENT_SECRET`` (or ``$TALENT_TOKEN``) are used;
            with nothing at all, the daemon's peer-credential login (the Unix uid of this
            process bound to a principal) applies. :meth:`login` replaces them.

    The Client is lazy (see the module docs), not thread-safe (use one per thread), and a
    context manager that closes its socket. Secrets are never logged, printed or repr'd.
    """

    def __init__(
        self,
        socket_path: Optional[str] = None,
        timeout: float = 30.0,
        *,
        max_tries: int = 8,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
        principal: Optional[str] = None,
        secret: Optional[str] = None,
        token: Optional[str] = None,
    ) -> None:
        if max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        self.socket_path: str = resolve_socket_path(socket_path)
        self.timeout: float = timeout
        self.max_tries: int = max_tries
        self.backoff_initial: float = backoff_initial
        self.backoff_max: float = backoff_max
        self._creds: Optional[_Credentials] = None
        self._creds_origin = "the credentials given to Client()"
        #: The refusal of these credentials: later calls raise it again without asking the daemon.
        self._refused: Optional[TalentError] = None
        if principal is not None and (secret is not None or token is not None):
            self._creds = _Credentials(principal, secret if secret is not None else token or "",
                                       "secret" if secret is not None else "token")
        elif principal is None and secret is None and token is None:
            # An empty variable counts as unset: `TALENT_SECRET= python job.py` is a slip, and
            # must not hide $TALENT_TOKEN behind a login that can only fail.
            env_principal = os.environ.get("TALENT_PRINCIPAL")
            if env_principal:
                if os.environ.get("TALENT_SECRET"):
                    self._creds = _Credentials(env_principal, os.environ["TALENT_SECRET"], "secret")
                    self._creds_origin = "$TALENT_PRINCIPAL and $TALENT_SECRET"
                elif os.environ.get("TALENT_TOKEN"):
                    self._creds = _Credentials(env_principal, os.environ["TALENT_TOKEN"], "token")
                    self._creds_origin = "$TALENT_PRINCIPAL and $TALENT_TOKEN"
        else:
            raise ValueError("give principal together with secret or token")
        self._sock: Optional[socket.socket] = None
        self._rbuf = bytearray()
        self._next_id = 0
        self._methods: Optional[Dict[str, Dict[str, Any]]] = None
        self._busy = False
        self.login_result: Optional[Any] = None  #: the last ``session.login`` result, if any

    # ----------------------------------------------------------------- public API

    @property
    def principal(self) -> Optional[str]:
        """The principal this Client logs in as (``None``: peer credentials or anonymous)."""
        return self._creds.principal if self._creds else None

    @property
    def connected(self) -> bool:
        """Whether a socket is currently open."""
        return self._sock is not None

    def __repr__(self) -> str:
        return f"Client(socket_path={self.socket_path!r}, principal={self.principal!r}, connected={self.connected})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        """Close the socket. The Client stays usable: the next call reconnects."""
        sock, self._sock = self._sock, None
        self._rbuf = bytearray()
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def connect(self) -> "Client":
        """Connect now (retrying while the daemon restarts), fetch ``rpc.discover`` and log in."""
        self._check_idle()
        if self._sock is None:
            failures = 0
            while True:
                try:
                    self._connect()
                    break
                except _Retry as retry:
                    failures += 1
                    if failures >= self.max_tries:
                        raise retry.error from None
                    self._sleep(failures, retry.error)
        return self

    def login(self, principal: str, secret: str) -> Any:
        """Log in with ``session.login``; the credentials are reused on every reconnect.

        Returns the ``session.login`` result (``{principal, roles, org?}``). Raises
        :class:`~talent_client.Unauthenticated` when the daemon refuses them, in which case the
        Client keeps its previous credentials.
        """
        creds = _Credentials(principal, secret, "secret")
        if self._sock is None:  # connect without logging in with the credentials being replaced
            previous, self._creds = self._creds, None
            try:
                self.connect()
            finally:
                self._creds = previous
        result = self._call_entry(self._entry("session.login", creds.login_params(self._methods), safe=True))
        self._creds, self._creds_origin, self._refused = creds, "the credentials given to login()", None
        self.login_result = result
        return result

    def logout(self) -> Any:
        """Call ``session.logout`` and forget the credentials (reconnects will not log in)."""
        result = self.call("session.logout")
        self._creds = None
        self.login_result = None
        return result

    def whoami(self) -> Any:
        """``session.whoami``: who this connection is logged in as."""
        return self.call("session.whoami")

    def ping(self) -> Any:
        """``system.ping``: liveness, answered from the daemon's event loop."""
        return self.call("system.ping")

    def call(self, method: str, _params: Optional[Mapping[str, Any]] = None, /, **params: Any) -> Any:
        """Call ``method`` and return its result, or raise its :class:`TalentError`.

        Params go by keyword (``call("person.get", id=7)``) or as a dict for names that are not
        Python identifiers (``call("x.y", {"from": 1})``); both may be combined. A mutating method
        gets ``idempotency_key`` automatically unless given.
        """
        merged: Dict[str, Any] = dict(_params or {})
        merged.update(params)
        return _warned(method, self._call_entry(self._prepare(method, merged)))

    def batch(self, calls: Sequence[CallSpec]) -> List[Any]:
        """Send ``calls`` as one JSON-RPC batch (one line) and return their outcomes in order.

        Each outcome is the result, or the :class:`TalentError` instance the daemon answered for
        that entry (returned, not raised). The entries of a batch may run concurrently on the
        daemon; a batch is not a transaction. At most ``max_batch`` (default 1000) entries.
        """
        entries = [self._prepare(*_split_call(c)) for c in calls]
        if not entries:
            return []
        units = list(self._drive(iter([_Unit(entries, True)]), 1))
        outcomes = []
        for entry in units[0].entries:  # a loop, not a comprehension: warnings point at the caller
            outcomes.append(_warned(entry.method, entry.outcome()))
        return outcomes

    def pipeline(self, calls: Iterable[CallSpec], window: int = 1000, return_exceptions: bool = True) -> Iterator[Any]:
        """Send many requests without waiting for each answer; yield the outcomes in order.

        The fast path for bulk loads. Requests are written while answers are read (non-blocking
        I/O, at most ``window`` unanswered at a time), so the daemon's backpressure can never
        deadlock. ``calls`` may be a lazy iterator. With ``return_exceptions`` (the default) a
        failed request yields its :class:`TalentError` and the rest go on; otherwise the first
        error is raised and the pipeline stops. After a lost connection the unanswered requests
        are sent again on a new one, so a retried request may run after a later one.

        Do not use the same Client for other calls while iterating; use a second Client.
        """
        if window < 1:
            raise ValueError("window must be at least 1")
        self._ensure_methods()
        units = (_Unit([self._prepare(*_split_call(c))], False) for c in calls)
        drive = self._drive(units, window)
        try:
            for unit in drive:
                entry = unit.entries[0]
                if entry.error is not None and not return_exceptions:
                    raise entry.error
                yield _warned(entry.method, entry.outcome())
        finally:
            drive.close()

    def iterate(self, method: str, _params: Optional[Mapping[str, Any]] = None, /, **params: Any) -> Iterator[Any]:
        """Walk any list method and yield its items, page after page.

        Every list method takes ``limit`` and ``cursor`` and answers an object with exactly one
        array member (``persons``, ``entries``, ``orgs``, ...) and ``next_cursor`` (absent on the
        last page), which is passed back as the ``cursor`` param. No method is special-cased.
        """
        merged: Dict[str, Any] = dict(_params or {})
        merged.update(params)
        seen = set()
        while True:
            page = self.call(method, merged)
            if not isinstance(page, dict):
                raise TypeError(f"{method} did not answer an object; it is not a list method")
            arrays = [k for k, v in page.items() if isinstance(v, list)]
            if len(arrays) != 1:
                raise TypeError(f"{method} answered {len(arrays)} array members ({', '.join(arrays) or 'none'}); expected exactly one")
            yield from page[arrays[0]]
            cursor = page.get("next_cursor")
            if cursor is None:
                return
            if cursor in seen:
                raise TalentError(f"{method} returned the cursor {cursor!r} twice", method=method)
            seen.add(cursor)
            merged["cursor"] = cursor

    def events(self, after_seq: Optional[int] = None, topics: Optional[Sequence[str]] = None) -> Iterator[Dict[str, Any]]:
        """Follow committed changes: yield each event this principal may see, in seq order, forever.

        >>> for event in client.events(after_seq=1200, topics=["appointment"]):
        ...     print(event["seq"], event["type"], event["summary"]["text"])

        Each event is ``{seq, at, type, topic, org, target, summary}``. With ``after_seq`` the
        events after it come first (replayed by the daemon), then live ones; without it, only those
        committed from now on. The subscription runs on a connection of its own (this Client stays
        free for calls), logged in with the same credentials. When that connection is lost (the
        daemon restarts, or closes it after ``event.overflow`` because events went unread) it
        reconnects, logs in again and resubscribes after the last seq yielded: nothing is missed,
        nothing is yielded twice. Connection failures are retried as :meth:`connect` does; other
        errors (``invalid_params`` for an unknown topic) are raised.
        """
        last = after_seq
        while True:
            stream = self._sibling()
            try:
                stream.connect()
                assert stream._sock is not None
                stream._sock.settimeout(self.timeout)
                params: Dict[str, Any] = {"topics": list(topics)} if topics else {}
                if last is not None:
                    params["after_seq"] = last
                subscription = stream._raw_call("events.subscribe", params)
                if last is None:
                    last = subscription["head_seq"]
                stream._sock.settimeout(None)  # events may be minutes apart
                for message in stream._notifications():
                    if message.get("method") == "event":
                        event = message["params"]
                        last = event["seq"]
                        yield event
                log.warning("the event stream from %s ended; resubscribing after seq %s", self.socket_path, last)
            except _Retry as retry:
                log.warning("%s; resubscribing after seq %s", retry.error, last)
            finally:
                stream.close()
            time.sleep(self.backoff_initial)

    def _sibling(self) -> "Client":
        """A new Client for the same daemon and principal (a connection of its own)."""
        sibling = Client(self.socket_path, self.timeout, max_tries=self.max_tries,
                         backoff_initial=self.backoff_initial, backoff_max=self.backoff_max)
        sibling._creds, sibling._creds_origin, sibling._methods = self._creds, self._creds_origin, self._methods
        return sibling

    def _notifications(self) -> Iterator[Dict[str, Any]]:
        """The lines the daemon sends unasked, until it closes the connection."""
        assert self._sock is not None
        while True:
            while b"\n" not in self._rbuf:
                try:
                    chunk = self._sock.recv(_CHUNK)
                except OSError:
                    return
                if not chunk:
                    return
                self._rbuf += chunk
            index = self._rbuf.index(b"\n")
            line = bytes(self._rbuf[:index])
            del self._rbuf[: index + 1]
            message = json.loads(line) if line.strip() else None
            if isinstance(message, dict) and "id" not in message:
                yield message

    def methods(self) -> Dict[str, Dict[str, Any]]:
        """The daemon's methods by name, from ``rpc.discover`` (fetched once, then cached)."""
        self._ensure_methods()
        assert self._methods is not None
        return self._methods

    def is_mutating(self, method: str) -> bool:
        """Whether ``method`` changes state: its ``x-mutating`` flag, else whether it takes ``idempotency_key``."""
        return _is_mutating(self.methods().get(method))

    # ----------------------------------------------------------------- preparation

    def _check_idle(self) -> None:
        if self._busy:
            raise RuntimeError("this Client is busy with a pipeline; use a second Client for other calls meanwhile")

    def _ensure_methods(self) -> None:
        if self._methods is None:
            self.connect()

    def _entry(self, method: str, params: Optional[Mapping[str, Any]], safe: bool) -> _Entry:
        if not isinstance(method, str) or not method:
            raise TypeError("method must be a non-empty string")
        params_json = _dumps(dict(params)) if params else None
        return _Entry(method, params_json, safe)

    def _prepare(self, method: str, params: Optional[Mapping[str, Any]] = None) -> _Entry:
        """Add an idempotency key to a mutating call, and decide whether it is safe to resend."""
        params = dict(params or {})
        if method in _PUBLIC_BEFORE_DISCOVERY:
            return self._entry(method, params, safe=True)
        self._ensure_methods()
        assert self._methods is not None
        spec = self._methods.get(method)
        if spec is None:
            # Unknown to this daemon: it will answer method_not_found. Never resend it blindly.
            return self._entry(method, params, safe=False)
        if _is_mutating(spec):
            if "idempotency_key" not in params and "idempotency_key" in _param_names(spec):
                params["idempotency_key"] = uuid.uuid4().hex
            return self._entry(method, params, safe="idempotency_key" in params)
        return self._entry(method, params, safe=True)

    def _call_entry(self, entry: _Entry) -> Any:
        units = list(self._drive(iter([_Unit([entry], False)]), 1))
        entry = units[0].entries[0]
        if entry.error is not None:
            raise entry.error
        return entry.result

    # ----------------------------------------------------------------- connection

    def _conn_error(self, what: str, exc: Optional[BaseException] = None) -> TalentConnectionError:
        detail = f": {exc.strerror or exc}" if isinstance(exc, OSError) and exc.strerror else (f": {exc}" if exc else "")
        return TalentConnectionError(f"{what} {self.socket_path}{detail}", self.socket_path)

    def _connect(self) -> None:
        """Open the socket, fetch discovery (once), log in. Raises _Retry for transient failures."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError) as exc:
            sock.close()
            hint = "; is talentd running?"
            raise _Retry(TalentConnectionError(f"cannot connect to {self.socket_path}: {exc.strerror or exc}{hint}", self.socket_path)) from None
        except socket.timeout:
            sock.close()
            raise TalentTimeout(f"timed out connecting to {self.socket_path}", self.socket_path) from None
        except OSError as exc:
            sock.close()
            if exc.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EINTR):
                raise _Retry(self._conn_error("cannot connect to", exc)) from None
            raise TalentConnectionError(f"cannot connect to {self.socket_path}: {exc.strerror or exc}", self.socket_path) from None
        self._sock = sock
        self._rbuf = bytearray()
        log.debug("connected to %s", self.socket_path)
        try:
            if self._methods is None:
                document = self._raw_call("rpc.discover", None)
                methods = document.get("methods", []) if isinstance(document, dict) else []
                self._methods = {m["name"]: m for m in methods if isinstance(m, dict) and isinstance(m.get("name"), str)}
            if self._creds is not None:
                if self._refused is not None:
                    raise self._refused
                try:
                    self.login_result = self._raw_call("session.login", self._creds.login_params(self._methods))
                except (Unauthenticated, InvalidParams) as refused:
                    # Once, clearly: every later call would log in again and fail the same way
                    # (and count against the login throttle).
                    refused.message = (f"logging in as {self._creds.principal} with {self._creds_origin} was refused: "
                                       f"{refused.message}; this Client will not try these credentials again")
                    refused.args = (refused.message,)
                    self._refused = refused
                    raise
                log.debug("logged in as %s", self._creds.principal)
            sock.setblocking(False)
        except BaseException:
            self.close()
            raise

    def _drop_if_stale(self) -> None:
        """Close an idle connection the daemon has closed (idle timeout, restart) before reusing it.

        Nothing is owed on an idle connection, so anything readable (EOF, or a stray line) means
        it cannot be used; reconnecting now keeps a write without an idempotency key safe.
        """
        if self._sock is None:
            return
        try:
            data = self._sock.recv(1, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            return  # nothing to read: alive
        except OSError:
            data = b""
        log.debug("the idle connection was closed by the daemon%s; reconnecting", "" if not data else " (stray data)")
        self.close()

    def _raw_call(self, method: str, params: Optional[Dict[str, Any]]) -> Any:
        """A blocking request on the fresh socket, during the connection handshake."""
        assert self._sock is not None
        self._next_id += 1
        request: Dict[str, Any] = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params:
            request["params"] = params
        send_error: Optional[OSError] = None
        try:
            self._sock.sendall(_dumps(request).encode("utf-8") + b"\n")
        except OSError as exc:
            # The daemon may have refused the connection with one line (overloaded) and closed it
            # before our request arrived: read that line rather than report a bare broken pipe.
            send_error = exc
        try:
            while True:
                while b"\n" not in self._rbuf:
                    chunk = self._sock.recv(_CHUNK)
                    if not chunk:
                        raise _Retry(self._conn_error("connection lost at", send_error) if send_error
                                     else self._conn_error("the daemon closed the connection at"))
                    self._rbuf += chunk
                index = self._rbuf.index(b"\n")
                line = bytes(self._rbuf[:index])
                del self._rbuf[: index + 1]
                if line.strip():
                    break
        except socket.timeout:
            raise TalentTimeout(f"no answer to {method} within {self.timeout} s from {self.socket_path}", self.socket_path) from None
        except OSError as exc:
            raise _Retry(self._conn_error("connection lost at", exc)) from None
        try:
            response = json.loads(line)
        except ValueError:
            raise TalentConnectionError(f"undecodable answer from {self.socket_path}", self.socket_path) from None
        if not isinstance(response, dict):
            raise TalentConnectionError(f"unexpected answer from {self.socket_path}", self.socket_path)
        if "error" in response:
            error = error_from_response(response["error"], method)
            if isinstance(error, (Unavailable, Overloaded)):
                raise _Retry(error)
            raise error
        return response.get("result")

    def _sleep(self, failures: int, error: BaseException) -> None:
        delay = min(self.backoff_max, self.backoff_initial * (2 ** (failures - 1)))
        delay = random.uniform(delay / 2, delay)
        log.warning("%s; retrying in %.2f s (attempt %d of %d)", error, delay, failures + 1, self.max_tries)
        time.sleep(delay)

    # ----------------------------------------------------------------- the engine

    def _encode(self, unit: _Unit) -> bytes:
        parts = []
        for entry in unit.remaining():
            self._next_id += 1
            entry.id = self._next_id
            text = '{"jsonrpc":"2.0","id":%d,"method":%s' % (entry.id, _dumps(entry.method))
            parts.append(text + (',"params":%s}' % entry.params_json if entry.params_json else "}"))
        line = "[" + ",".join(parts) + "]" if unit.is_batch else parts[0]
        return line.encode("utf-8") + b"\n"

    def _retryable_answer(self, entry: _Entry, error: TalentError) -> bool:
        """Whether an answered error means 'not executed, try again on a new connection'."""
        if isinstance(error, (Unavailable, Overloaded)):
            return True
        if isinstance(error, Unauthenticated) and self._creds is not None and entry.method != "session.login" and not entry.reauthed:
            entry.reauthed = True
            return True
        return False

    def _apply(self, unit: _Unit, line: bytes) -> Tuple[bool, Optional[TalentError]]:
        """Record the answer line for ``unit``. Returns (progress, retryable error if any)."""
        try:
            message = json.loads(line)
        except ValueError:
            raise TalentConnectionError(f"undecodable answer from {self.socket_path}", self.socket_path) from None
        remaining = unit.remaining()
        answers: Dict[int, Any] = {}
        if isinstance(message, dict) and message.get("id") is None and "error" in message:
            for entry in remaining:  # one error for the whole line (too_large, overloaded, ...)
                answers[entry.id] = message
        elif unit.is_batch and isinstance(message, list):
            for item in message:
                if isinstance(item, dict) and isinstance(item.get("id"), int):
                    answers[item["id"]] = item
        elif not unit.is_batch and isinstance(message, dict) and message.get("id") == remaining[0].id:
            answers[remaining[0].id] = message
        else:
            raise TalentConnectionError(f"answer out of step with the requests from {self.socket_path}", self.socket_path)
        progress, retry = False, None
        for entry in remaining:
            answer = answers.get(entry.id)
            if answer is None:
                entry.finish(error=TalentError("the daemon's batch answer has no response for this request", method=entry.method))
                progress = True
            elif "error" in answer:
                error = error_from_response(answer["error"], entry.method)
                if self._retryable_answer(entry, error):
                    retry = error
                else:
                    entry.finish(error=error)
                    progress = True
            else:
                entry.finish(result=answer.get("result"))
                progress = True
        return progress, retry

    def _drive(self, source: Iterator[_Unit], window: int) -> Iterator[_Unit]:
        """Send units from ``source`` and yield each once all its entries are done, in order."""
        self._check_idle()
        self._drop_if_stale()
        self._busy = True
        pending: Deque[_Unit] = deque()  # to send, in seq order
        inflight: Deque[Tuple[_Unit, int]] = deque()  # sent on this connection: (unit, first byte offset)
        held: List[_Unit] = []  # answered "retry" on this connection
        done: Dict[int, _Unit] = {}
        next_seq = pulled = 0
        exhausted = draining = False
        failures = 0
        held_error: Optional[BaseException] = None  # the last retryable answer on this connection
        wbuf = bytearray()
        queued = written = 0
        write_dead = False  # a write failed on this connection: only reading remains
        selector = selectors.DefaultSelector()
        registered: Optional[socket.socket] = None

        def lost(error: BaseException) -> None:
            """Tear the connection down; requeue what may be resent; back off or give up."""
            nonlocal failures, draining, queued, written, registered, held_error, write_dead
            if registered is not None:
                selector.unregister(registered)
                registered = None
            self.close()
            requeue = list(held)
            for unit, start in inflight:
                if start < written:  # at least partly sent: it may have run
                    for entry in unit.remaining():
                        if not entry.safe:
                            entry.finish(error=TalentConnectionError(
                                f"connection to {self.socket_path} lost while {entry.method} was in flight; "
                                "it may or may not have taken effect (no idempotency key): re-read before repeating it",
                                self.socket_path))
                if unit.remaining():
                    requeue.append(unit)
                else:
                    done[unit.seq] = unit
            requeue.sort(key=lambda u: u.seq)
            pending.extendleft(reversed(requeue))
            inflight.clear()
            held.clear()
            held_error = None
            wbuf.clear()
            queued = written = 0
            draining = write_dead = False
            failures += 1
            if failures >= self.max_tries and pending:
                raise error
            if pending:
                self._sleep(failures, error)

        try:
            while True:
                while next_seq in done:
                    unit = done.pop(next_seq)
                    next_seq += 1
                    yield unit  # still busy: the caller must not use this Client meanwhile
                while not exhausted and not draining and len(pending) + len(inflight) < window:
                    try:
                        unit = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    unit.seq = pulled
                    pulled += 1
                    pending.append(unit)
                if not pending and not inflight and not held:
                    if exhausted:
                        return
                    continue
                if self._sock is None:
                    try:
                        self._connect()
                    except _Retry as retry:
                        failures += 1
                        if failures >= self.max_tries:
                            raise retry.error from None
                        self._sleep(failures, retry.error)
                        continue
                    draining = False
                if registered is not self._sock:
                    if registered is not None:
                        selector.unregister(registered)
                    registered = self._sock
                    selector.register(registered, selectors.EVENT_READ)
                sock = self._sock
                assert sock is not None
                while pending and not draining and len(inflight) < window:
                    unit = pending.popleft()
                    line = self._encode(unit)
                    inflight.append((unit, queued))
                    wbuf += line
                    queued += len(line)
                if not inflight:
                    # Draining after retryable answers and everything else is answered: reconnect.
                    lost(held_error or self._conn_error("reconnecting to"))
                    continue
                selector.modify(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if wbuf and not write_dead else 0))
                events = selector.select(self.timeout)
                if not events:
                    selector.unregister(sock)
                    registered = None
                    self.close()
                    raise TalentTimeout(f"no progress within {self.timeout} s on {self.socket_path}", self.socket_path)
                mask = events[0][1]
                try:
                    if mask & selectors.EVENT_WRITE and wbuf and not write_dead:
                        try:
                            sent = sock.send(wbuf[:_CHUNK])
                            del wbuf[:sent]
                            written += sent
                        except (BlockingIOError, InterruptedError):
                            pass
                        except OSError:
                            # The daemon closed its side; answers it sent before are still
                            # readable: collect them, then EOF counts as the loss.
                            write_dead = True
                    if mask & selectors.EVENT_READ:
                        try:
                            chunk = sock.recv(_CHUNK)
                        except (BlockingIOError, InterruptedError):
                            chunk = None
                        if chunk == b"":
                            raise _Retry(self._conn_error("the daemon closed the connection at"))
                        if chunk:
                            self._rbuf += chunk
                            while True:
                                index = self._rbuf.find(b"\n")
                                if index < 0:
                                    break
                                line = bytes(self._rbuf[:index])
                                del self._rbuf[: index + 1]
                                if not line.strip():
                                    continue
                                if not inflight:
                                    log.debug("ignoring an unexpected line from the daemon")
                                    continue
                                unit, _ = inflight.popleft()
                                progress, retry_error = self._apply(unit, line)
                                if progress and retry_error is None:
                                    failures = 0
                                if unit.remaining():
                                    held.append(unit)
                                    held_error = retry_error
                                    draining = True
                                else:
                                    done[unit.seq] = unit
                except _Retry as retry:
                    lost(retry.error)
                except OSError as exc:
                    lost(self._conn_error("connection lost at", exc))
        finally:
            if inflight or held or wbuf:
                self.close()  # answers still owed on this connection: drop it
            selector.close()
            self._busy = False


def _warned(method: str, outcome: Any) -> Any:
    """``outcome``, after issuing each entry of its ``warnings`` member (kept in the result) as a
    :class:`TalentWarning` with :func:`warnings.warn`, so that a script cannot drop them unseen."""
    if isinstance(outcome, dict) and isinstance(outcome.get("warnings"), list):
        for entry in outcome["warnings"]:
            if isinstance(entry, dict):
                warnings.warn(warning_from_result_entry(method, entry), stacklevel=3)
    return outcome


def _split_call(call: CallSpec) -> Tuple[str, Optional[Mapping[str, Any]]]:
    """Normalize the accepted call forms to (method, params)."""
    if isinstance(call, str):
        return call, None
    if isinstance(call, Mapping):
        unknown = set(call) - {"method", "params"}
        if unknown or "method" not in call:
            raise TypeError(f"a call dict has 'method' and optionally 'params', not {sorted(unknown) or 'no method'}")
        return call["method"], call.get("params")
    if isinstance(call, (tuple, list)) and 1 <= len(call) <= 2:
        return call[0], (call[1] if len(call) == 2 else None)
    raise TypeError(f"cannot make a call of {call!r}: use 'method', (method, params) or {{'method':..., 'params':...}}")


def _is_mutating(spec: Optional[Mapping[str, Any]]) -> bool:
    if not spec:
        return False
    flag = spec.get("x-mutating")
    if isinstance(flag, bool):
        return flag
    return "idempotency_key" in _param_names(spec)
