"""What the Python benchmarks in Ops/bench share: a JSON-RPC connection with batched bulk loads,
a private daemon on a fresh database, agents logged in with API tokens, and talent-bench runs."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TALENTD = str(REPO / ".build/release/talentd")
TALENT_BENCH = str(REPO / ".build/release/talent-bench")


class Conn:
    """One JSON-RPC connection; errors raise RuntimeError (a benchmark must not count failures)."""

    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 0

    def _line(self) -> bytes:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("daemon closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def call(self, method: str, params: dict | None = None):
        self.next_id += 1
        self.sock.sendall(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}},
                                     ensure_ascii=False).encode() + b"\n")
        answer = json.loads(self._line())
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def batches(self, method: str, params_list: list[dict], size: int = 1000, window: int = 4) -> list:
        """Sends batches of `size`, keeping `window` batch lines in flight; returns results in order."""
        lines = []
        for start in range(0, len(params_list), size):
            batch = []
            for params in params_list[start:start + size]:
                self.next_id += 1
                batch.append({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
            lines.append(json.dumps(batch, ensure_ascii=False).encode() + b"\n")
        results, sent, received = [], 0, 0
        while received < len(lines):
            while sent < len(lines) and sent - received < window:
                self.sock.sendall(lines[sent])
                sent += 1
            for answer in sorted(json.loads(self._line()), key=lambda a: a["id"]):
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                results.append(answer["result"])
            received += 1
        return results


def wait_for_socket(path: str, seconds: float = 15) -> None:
    """Returns once `path` exists (a server has bound its socket), or after `seconds`."""
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


class BenchDaemon:
    """A talentd on a fresh database in a temporary directory, stopped (and removed) on exit."""

    def __init__(self, talentd: str = TALENTD, prefix: str = "bench-", keep: bool = False, config: dict | None = None):
        self.talentd, self.keep, self.config = talentd, keep, config
        self.dir = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        self.db, self.socket = str(self.dir / "talent.db"), str(self.dir / "talentd.sock")

    def __enter__(self) -> "BenchDaemon":
        secret_file = self.dir / "admin.secret"
        subprocess.run([self.talentd, "init", "--db", self.db, "--admin-secret-file", str(secret_file)],
                       check=True, capture_output=True)
        self.log = open(self.dir / "talentd.log", "wb")
        config = []
        if self.config:
            (self.dir / "talentd.json").write_text(json.dumps(self.config))
            config = ["--config", str(self.dir / "talentd.json")]
        self.proc = subprocess.Popen([self.talentd, "serve", "--db", self.db, "--socket", self.socket,
                                      "--log-level", "warning", *config], stdout=self.log, stderr=self.log)
        wait_for_socket(self.socket)
        self.admin = Conn(self.socket)
        self.admin.call("session.login", {"principal": "admin", "secret": secret_file.read_text().strip()})
        return self

    def agent(self, name: str, roles: list[str]) -> tuple[Conn, str]:
        """A new principal with an API token: a connection logged in as it, and its token file."""
        self.admin.call("principal.create", {"name": name, "kind": "agent", "roles": roles})
        token = self.admin.call("token.create", {"principal": name, "label": "bench"})["token"]
        token_file = self.dir / f"{name}.token"
        token_file.write_text(token + "\n")
        conn = Conn(self.socket)
        conn.call("session.login", {"principal": name, "secret": token})
        return conn, str(token_file)

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()
        if not self.keep:
            subprocess.run(["rm", "-rf", str(self.dir)])
        else:
            print(f"kept {self.dir}")


def talent_bench(sock: str, principal: str | None, secret_file: str | None, method: str, params: dict, connections: int,
                 duration: float, pipeline: int = 1, bench_bin: str = TALENT_BENCH, warmup: float = 1) -> dict:
    """One talent-bench run, logged in as `principal` unless it is None; refuses results that include errors."""
    login = ["--login-principal", principal, "--login-secret-file", secret_file] if principal else []
    out = subprocess.run([bench_bin, "--socket", sock, "--method", method, "--params", json.dumps(params, ensure_ascii=False),
                          "--connections", str(connections), "--pipeline", str(pipeline), "--duration", str(duration),
                          "--warmup", str(warmup), *login, "-o", "json"],
                         capture_output=True, text=True, timeout=duration + warmup + 120)
    if out.returncode != 0:
        raise RuntimeError(f"talent-bench failed: {out.stderr}")
    result = json.loads(out.stdout)
    if result.get("errors") or result.get("first_error"):
        raise RuntimeError(f"{method} answered errors under load: {result.get('first_error')}")
    return result


def sqlite_baseline(directory: str, rows: int, name: str = "baseline.db") -> dict:
    """Rows per second: one synced commit per row, then all rows in one transaction (in a new file, `name`)."""
    path = Path(directory) / name
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, created_at TEXT)")
    started = time.monotonic()
    for i in range(rows):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t(name, created_at) VALUES (?, ?)", (f"Nguyễn Văn {i}", "2026-11-25T00:00:00.000Z"))
        conn.execute("COMMIT")
    single = rows / (time.monotonic() - started)
    started = time.monotonic()
    conn.execute("BEGIN IMMEDIATE")
    for i in range(rows * 10):
        conn.execute("INSERT INTO t(name, created_at) VALUES (?, ?)", (f"Trần Thị {i}", "2026-11-25T00:00:00.000Z"))
    conn.execute("COMMIT")
    batched = rows * 10 / (time.monotonic() - started)
    conn.close()
    return {"single_row_commits_per_s": round(single), "rows_per_s_in_one_transaction": round(batched)}
