"""talentctl against a real daemon: commands, output modes, exit statuses, help."""
import json
import os

import pytest

from conftest import TALENTCTL, run


def ctl(daemon, *args, env=None, input=None, login=True):
    """talentctl against `daemon`, logged in as admin through the environment unless login=False;
    JSON unless the test asks for another output (tables are the default, piped or not)."""
    if env is None:
        env = dict(os.environ)
        env.pop("TALENT_PRINCIPAL", None)
        if login:
            env.update(TALENT_PRINCIPAL="admin", TALENT_SECRET=daemon.admin_secret)
    return run([str(TALENTCTL), "--socket", daemon.socket, "-o", "json", *args], env=env, input=input, timeout=30)


def test_ping(daemon):
    result = ctl(daemon, "ping", "-o", "table")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"pong from {daemon.socket} in ")
    as_json = json.loads(ctl(daemon, "ping", "-o", "json").stdout)
    assert as_json["pong"] is True


def test_output_is_a_table_when_piped(daemon):
    env = {**os.environ, "TALENT_PRINCIPAL": "admin", "TALENT_SECRET": daemon.admin_secret}
    piped = run([str(TALENTCTL), "--socket", daemon.socket, "info"], env=env, timeout=30)
    assert piped.returncode == 0 and piped.stdout.startswith("name ") and "talentd" in piped.stdout


def test_info_table_and_json(daemon):
    table = ctl(daemon, "info", "-o", "table").stdout
    assert "schema_version" in table and "sqlite_version" in table
    info = json.loads(ctl(daemon, "info", "-o", "json").stdout)
    assert info["version"] == "0.1.0"


def test_health_exit_status_is_a_probe(daemon, make_daemon):
    ok = ctl(daemon, "health", "-o", "table")
    assert ok.returncode == 0 and "status: ok" in ok.stdout and "disk" in ok.stdout
    degraded = make_daemon(config={"health": {"disk_degraded_below_bytes": 1 << 62}})
    result = ctl(degraded, "health")
    assert result.returncode == 1 and json.loads(result.stdout)["status"] == "degraded"


def test_unreachable_daemon_exits_3_with_advice(tmp_path):
    result = run([str(TALENTCTL), "--socket", str(tmp_path / "none.sock"), "health"])
    assert result.returncode == 3
    assert "is talentd running" in result.stderr
    assert "Traceback" not in result.stderr and "Fatal" not in result.stderr


def test_methods_lists_the_contract(daemon, openrpc):
    listed = json.loads(ctl(daemon, "methods", "-o", "json").stdout)
    assert [m["name"] for m in listed] == sorted(m["name"] for m in openrpc["methods"])
    assert all(m["summary"] for m in listed)


def test_stats_shows_methods(daemon):
    ctl(daemon, "ping")
    table = ctl(daemon, "stats", "-o", "table").stdout
    assert "system.ping" in table and "p99" in table


def test_call_prints_the_result(daemon):
    result = ctl(daemon, "call", "system.ping", "{}")
    assert result.returncode == 0 and json.loads(result.stdout)["pong"] is True
    from_stdin = ctl(daemon, "call", "system.info", "-", input="{}")
    assert json.loads(from_stdin.stdout)["name"] == "talentd"


def test_call_error_prints_reason_and_exits_1(daemon):
    result = ctl(daemon, "call", "nope.nope")
    assert result.returncode == 1
    assert "method_not_found: " in result.stderr
    bad_param = ctl(daemon, "call", "system.ping", '{"x": 1}')
    assert bad_param.returncode == 1 and "invalid_params: " in bad_param.stderr and "(field: x)" in bad_param.stderr


@pytest.mark.parametrize("params", ["[1", "[1]", "nope"])
def test_call_with_bad_json_params_is_a_usage_error(daemon, params):
    result = ctl(daemon, "call", "system.ping", params)
    assert result.returncode == 64 and "PARAMS" in result.stderr


def test_socket_from_environment_and_after_the_subcommand(daemon):
    env = dict(os.environ, TALENT_SOCKET=daemon.socket)
    assert run([str(TALENTCTL), "ping", "-o", "json"], env=env).returncode == 0
    assert run([str(TALENTCTL), "ping", "--socket", daemon.socket]).returncode == 0


@pytest.mark.parametrize("command", [[], ["ping"], ["info"], ["health"], ["methods"], ["stats"], ["call"]])
def test_help_on_every_command(command):
    result = run([str(TALENTCTL), *command, "--help"])
    assert result.returncode == 0
    assert "OVERVIEW:" in result.stdout and "USAGE:" in result.stdout
    # The global options are listed once, in talentctl --help, not repeated in every command's.
    assert ("--socket" in result.stdout) == (command == [])
