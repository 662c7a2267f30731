"""Fixtures that run the real talentd binary on a real socket with a real SQLite file."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TALENTD = Path(os.environ.get("TALENTD_BIN", REPO / ".build/debug/talentd"))
TALENTCTL = Path(os.environ.get("TALENTCTL_BIN", REPO / ".build/debug/talentctl"))
OPENRPC = REPO / "Protocol/openrpc.json"


class Conn:
    """A line-based JSON-RPC connection. Every read has a timeout: a hang fails, never blocks."""

    def __init__(self, path: str, timeout: float = 10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 0

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_json(self, value) -> None:
        self.send(json.dumps(value).encode() + b"\n")

    def read_line(self) -> bytes:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("connection closed by the daemon")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def read_json(self):
        return json.loads(self.read_line())

    def call(self, method: str, params=None, id=None):
        if id is None:
            self.next_id += 1
            id = self.next_id
        request = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            request["params"] = params
        self.send_json(request)
        return self.read_json()

    def result(self, method: str, params=None):
        response = self.call(method, params)
        assert "error" not in response, response
        return response["result"]

    def every(self, method: str, params=None, limit: int = 500) -> list:
        """Every item of a list method, following next_cursor (the one page convention)."""
        params, items = {**(params or {}), "limit": limit}, []
        while True:
            page = self.result(method, params)
            [name] = [k for k, v in page.items() if isinstance(v, list)]
            items += page[name]
            if "next_cursor" not in page:
                return items
            params["cursor"] = page["next_cursor"]

    def error(self, method: str, params=None) -> dict:
        """Calls a method that must fail; returns its `error` member."""
        response = self.call(method, params)
        assert "error" in response, response
        return response["error"]

    def login(self, principal: str, secret: str) -> dict:
        return self.result("session.login", {"principal": principal, "secret": secret})

    def at_eof(self, timeout: float = 5.0) -> bool:
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


class Daemon:
    """One talentd process: `init`, then `serve` on a private socket and database."""

    def __init__(self, workdir: Path, config: dict | None = None, log_level: str = "debug"):
        self.dir = workdir
        self.db = str(workdir / "talent.db")
        self.socket = str(workdir / "talentd.sock")
        self.log_path = workdir / "talentd.log"
        self.admin_secret_file = workdir / "admin.secret"
        self.config = config
        self.log_level = log_level
        self.proc: subprocess.Popen | None = None
        run([str(TALENTD), "init", "--db", self.db, "--admin-secret-file", str(self.admin_secret_file)], check=True)
        self.admin_secret = self.admin_secret_file.read_text().strip()

    def serve_args(self) -> list[str]:
        args = [str(TALENTD), "serve", "--db", self.db, "--socket", self.socket, "--log-level", self.log_level]
        if self.config is not None:
            config_path = self.dir / "talentd.json"
            config_path.write_text(json.dumps(self.config))
            args += ["--config", str(config_path)]
        return args

    def start(self) -> "Daemon":
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.serve_args(), stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=self.log_file)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"talentd exited with {self.proc.returncode}: {self.log()}")
            try:
                Conn(self.socket, timeout=2).close()
                return self
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
        raise RuntimeError("talentd did not start listening within 15 s")

    def connect(self, timeout: float = 10.0) -> Conn:
        """A connection that has not logged in."""
        return Conn(self.socket, timeout)

    def login(self, principal: str = "admin", secret: str | None = None, timeout: float = 10.0) -> Conn:
        """A connection logged in (as admin unless told otherwise)."""
        conn = Conn(self.socket, timeout)
        conn.login(principal, self.admin_secret if secret is None else secret)
        return conn

    def rpc(self, method: str, params=None):
        """One call on a fresh connection logged in as admin."""
        conn = self.login()
        try:
            return conn.call(method, params)
        finally:
            conn.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig=signal.SIGTERM, timeout: float = 15.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"talentd did not exit within {timeout} s after {sig!r}")
        self.log_file.close()
        return code

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()
        self.log_file.close()


def run(args, check=False, env=None, input=None, timeout=60):
    return subprocess.run(args, capture_output=True, text=True, check=check, env=env, input=input, timeout=timeout)


def short_tmpdir() -> Path:
    # Unix socket paths are limited to 107 bytes: pytest's tmp_path can be longer.
    return Path(tempfile.mkdtemp(prefix="td-", dir="/tmp"))


@pytest.fixture(scope="module")
def daemon():
    """A daemon shared by a test module (for tests that do not stop or reconfigure it)."""
    d = Daemon(short_tmpdir()).start()
    yield d
    code = d.stop()
    assert code == 0, d.log()
    assert not os.path.exists(d.socket), "socket file left behind after SIGTERM"


@pytest.fixture
def make_daemon():
    """Makes daemons owned by one test; each is stopped (and checked) at the end."""
    made: list[Daemon] = []

    def make(config: dict | None = None, start: bool = True, **kwargs) -> Daemon:
        d = Daemon(short_tmpdir(), config=config, **kwargs)
        made.append(d)
        return d.start() if start else d

    yield make
    for d in made:
        if d.proc is not None and d.proc.poll() is None:
            assert d.stop() == 0, d.log()


@pytest.fixture(scope="session")
def openrpc():
    return json.loads(OPENRPC.read_text())
