"""systemd: readiness and watchdog over a real NOTIFY_SOCKET datagram socket, socket activation
with a listening socket passed as fd 3, and the unit files checked by systemd-analyze."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, TALENTD, Conn, Daemon, short_tmpdir


def receive_until(sock, wanted, timeout=15.0):
    """Every datagram until one holds `wanted`."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            break
        if any(wanted in line.split("\n") for line in got):
            return got
    raise AssertionError(f"no {wanted!r} among {got}")


def test_ready_status_watchdog_and_stopping_reach_notify_socket():
    d = Daemon(short_tmpdir())
    notify_path = str(d.dir / "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="200000")
    proc = subprocess.Popen(d.serve_args(), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = receive_until(notify, "READY=1")
        # READY=1 comes once listening: a connection works at once.
        assert Conn(d.socket, timeout=5).call("system.ping")["result"]["pong"] is True
        assert any(line.startswith("STATUS=serving on ") for message in ready for line in message.split("\n"))
        receive_until(notify, "WATCHDOG=1", timeout=2)
        proc.send_signal(signal.SIGTERM)
        stopping = receive_until(notify, "STOPPING=1")
        assert any("STATUS=draining after SIGTERM" in message for message in stopping)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        notify.close()


def test_no_watchdog_pings_unless_asked():
    d = Daemon(short_tmpdir())
    notify_path = str(d.dir / "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    proc = subprocess.Popen(d.serve_args(), env=dict(os.environ, NOTIFY_SOCKET=notify_path),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        receive_until(notify, "READY=1")
        notify.settimeout(0.6)
        with pytest.raises(socket.timeout):
            notify.recv(4096)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        notify.close()


def test_serves_a_listening_socket_passed_as_fd_3_and_leaves_its_file():
    d = Daemon(short_tmpdir())
    activated_path = str(d.dir / "activated.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(activated_path)
    listener.listen(16)
    fd = listener.fileno()
    # As systemd does: the socket at fd 3, LISTEN_PID the daemon's own pid (bash execs into it; dash reads only one-digit fds).
    command = f'exec 3<&{fd} {fd}<&-; LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"'
    proc = subprocess.Popen(["bash", "-c", command, "bash", *d.serve_args()], pass_fds=(fd,),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    listener.close()  # the daemon holds its own copy now
    try:
        conn = Conn(activated_path, timeout=10)
        conn.login("admin", d.admin_secret)
        assert conn.result("session.whoami")["principal"] == "admin"
        conn.close()
        assert not os.path.exists(d.socket), "with a passed socket the daemon makes none of its own"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=15)
        stderr = proc.stderr.read().decode()
        proc.stderr.close()
    assert code == 0, stderr
    assert "the socket systemd passed (fd 3)" in stderr
    assert os.path.exists(activated_path), "the socket file belongs to systemd: the daemon leaves it"


def test_a_listen_pid_for_another_process_is_ignored():
    d = Daemon(short_tmpdir())
    env = dict(os.environ, LISTEN_PID="1", LISTEN_FDS="1")
    proc = subprocess.Popen(d.serve_args(), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The socket file exists from bind, a moment before listen: wait for an answer instead.
        deadline = time.monotonic() + 15
        while True:
            try:
                conn = Conn(d.socket, timeout=5)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                assert time.monotonic() < deadline, "talentd did not listen on its own socket within 15 s"
                time.sleep(0.05)
        assert conn.call("system.ping")["result"]["pong"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing: `make deps` installs systemd")
def test_units_pass_systemd_analyze_verify(tmp_path):
    # The units name /usr/local/bin/talentd; point them at this build so the check can find it.
    for unit in ("talentd.service", "talentd.socket"):
        text = (REPO / "Ops/systemd" / unit).read_text().replace("/usr/local/bin/talentd", str(TALENTD))
        (tmp_path / unit).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "talentd.socket"),
                             str(tmp_path / "talentd.service")], capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "talentd" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr
