"""talentctl as an HR official uses it every day (issue 16), through the real binary and socket:
each "seen" mistake as a regression test, login and contexts, completion, the man page, Vietnamese."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import OPENRPC, REPO, TALENTCTL, run

PASSWORD = "huong-password-123"


@pytest.fixture(scope="module")
def hr(daemon):
    """A national HR official with a password, and an admin connection."""
    admin = daemon.login()
    admin.result("principal.create", {"name": "hr.huong", "kind": "human", "roles": ["hr_official"], "secret": PASSWORD})
    yield admin
    admin.close()


def env_for(tmp_path: Path, principal: str | None = "admin", secret: str | None = None, daemon=None, **extra) -> dict:
    """A clean environment: no TALENT_*, English, no colour, config files under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALENT_", "LC_", "LANG", "NO_COLOR"))}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    if principal is not None:
        env.update(TALENT_PRINCIPAL=principal, TALENT_SECRET=secret if secret is not None else daemon.admin_secret)
    env.update(extra)
    return env


def ctl(daemon, tmp_path, *args, principal="admin", secret=None, input=None, **extra):
    env = env_for(tmp_path, principal, secret, daemon, **extra)
    return run([str(TALENTCTL), "--socket", daemon.socket, *args], env=env, input=input, timeout=30)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


# --- Seen, to fix ---------------------------------------------------------------------------

def test_a_date_in_dd_mm_yyyy_is_converted_and_a_wrong_one_is_a_usage_error(daemon, hr, tmp_path):
    added = json.loads(ok(ctl(daemon, tmp_path, "person", "add", "--full-name", "Lê Thị Ngày", "--birth-date", "08/03/1985", "-o", "json")).stdout)
    assert added["person"]["birth_date"] == "1985-03-08"
    for wrong in ["31/02/1985", "1985-13-01", "8 March 1985"]:
        refused = ctl(daemon, tmp_path, "person", "add", "--full-name", "Lê Sai", "--birth-date", wrong)
        assert refused.returncode == 64, refused.stderr
        assert "YYYY-MM-DD or dd/mm/yyyy" in refused.stderr


def test_the_daemon_says_formats_in_words_with_an_example(daemon, hr):
    for params, field, words in [
        ({"full_name": "X", "birth_date": "08/03/1985"}, "birth_date", "a date as YYYY-MM-DD, for example 1985-03-08"),
        ({"full_name": "X", "birth_date": "1985-02-30"}, "birth_date", "a date as YYYY-MM-DD, for example 1985-03-08"),
        ({"full_name": "X", "national_id": "123"}, "national_id", "exactly 12 digits, for example 001085012345"),
        ({"full_name": "X", "nationality": "vn"}, "nationality", "for example VN"),
    ]:
        error = hr.error("person.create", params)
        assert error["data"]["field"] == field
        assert words in error["message"] and "^" not in error["message"], error["message"]


def test_every_pattern_in_the_contract_has_words_for_people():
    schemas = json.loads(OPENRPC.read_text())["components"]["schemas"]
    for name, schema in schemas.items():
        if "pattern" in schema or "format" in schema:
            assert "for example" in schema.get("x-format-hint", ""), name


def test_org_codes_are_upper_cased(daemon, hr, tmp_path):
    shown = ok(ctl(daemon, tmp_path, "org", "show", "moha", "-o", "json"))
    assert json.loads(shown.stdout)["code"] == "MOHA"
    listed = ok(ctl(daemon, tmp_path, "appointment", "list", "--org", "moha", "-o", "json"))
    assert "appointments" in json.loads(listed.stdout)


def test_hints_name_talentctl_commands_not_methods(daemon, hr, tmp_path):
    missing = ctl(daemon, tmp_path, "org", "show", "NOWHERE")
    assert missing.returncode == 1 and "`talentctl org list`" in missing.stderr and "org.list" not in missing.stderr
    anonymous = ctl(daemon, tmp_path, "person", "show", "1", principal=None)
    assert anonymous.returncode == 1
    assert "talentctl login" in anonymous.stderr and "TALENT_PRINCIPAL" in anonymous.stderr
    assert "session.login" not in anonymous.stderr


@pytest.mark.parametrize("args, suggestion", [
    (["coverge"], "did you mean `talentctl coverage`?"),
    (["appointment", "aprove", "3"], "did you mean `talentctl appointment approve`?"),
    (["persn", "list"], "did you mean `talentctl person`?"),
])
def test_a_mistyped_command_gets_the_closest(daemon, tmp_path, args, suggestion):
    result = ctl(daemon, tmp_path, *args)
    assert result.returncode == 64 and suggestion in result.stderr, result.stderr


def test_help_of_a_command_that_does_not_exist_is_an_error_not_the_groups_help(daemon, tmp_path):
    result = ctl(daemon, tmp_path, "person", "update", "--help")
    assert result.returncode == 64 and result.stdout == ""
    assert "has no command `update`" in result.stderr and "edit" in result.stderr


def test_a_version_ahead_of_the_person_is_called_mistyped_not_someone_elses_change(daemon, hr, tmp_path):
    person = hr.result("person.create", {"full_name": "Phạm Phiên Bản"})["person"]
    ahead = ctl(daemon, tmp_path, "person", "edit", str(person["id"]), "--version", "2", "--employer", "MOHA")
    assert ahead.returncode == 1 and "mistyped" in ahead.stderr and "changed" not in ahead.stderr.split("mistyped")[0]
    hr.result("person.update", {"id": person["id"], "version": 1, "employer": "A"})
    hr.result("person.update", {"id": person["id"], "version": 2, "employer": "B"})
    stale = ctl(daemon, tmp_path, "person", "edit", str(person["id"]), "--version", "1", "--employer", "C")
    assert stale.returncode == 1 and "changed 2 time(s) since you read it" in stale.stderr
    help_text = ok(ctl(daemon, tmp_path, "person", "edit", "--help")).stdout
    assert help_text.split("OPTIONS:")[1].count("--version") == 1


def test_csv_and_json_read_every_page_and_the_more_line_goes_to_stderr(daemon, hr, tmp_path):
    for n in range(7):
        hr.result("person.create", {"full_name": f"Trang Nhiều {n}", "employer": "Paging Co"})
    every = ok(ctl(daemon, tmp_path, "person", "list", "--employer", "paging co", "-o", "csv"))
    assert len(list(csv.reader(io.StringIO(every.stdout)))) == 1 + 7 and every.stderr == ""
    as_json = json.loads(ok(ctl(daemon, tmp_path, "person", "list", "--employer", "Paging Co", "-o", "json")).stdout)
    assert len(as_json["persons"]) == 7 and "next_cursor" not in as_json
    one_page = ok(ctl(daemon, tmp_path, "person", "list", "--employer", "Paging Co", "--limit", "3", "-o", "json"))
    assert len(json.loads(one_page.stdout)["persons"]) == 3 and "more: talentctl" in one_page.stderr
    table = ok(ctl(daemon, tmp_path, "person", "list", "--employer", "Paging Co", "--limit", "3"))
    assert "--cursor" not in table.stdout and "--cursor" in table.stderr


def test_tables_stay_tables_when_piped(daemon, hr, tmp_path):
    piped = ok(ctl(daemon, tmp_path, "org", "list", "--all"))
    lines = piped.stdout.splitlines()
    assert lines[0].split() == ["code", "kind", "name", "name_en"] and set(lines[1]) <= {"-", " "}
    moha = [line for line in lines if line.startswith("MOHA ")]
    assert len(moha) == 1 and "Bộ Nội vụ" in moha[0]   # `| grep MOHA` finds one line
    assert "\x1b[" not in piped.stdout                   # no colour into a pipe


def test_person_list_filters_by_employer_and_missing_fields(daemon, hr, tmp_path):
    hr.result("person.create", {"full_name": "Có Căn Cước", "employer": "Lọc Co", "national_id": "001085099999"})
    hr.result("person.create", {"full_name": "Chưa Căn Cước", "employer": "Lọc Co"})
    listed = json.loads(ok(ctl(daemon, tmp_path, "person", "list", "--org", "lọc co", "--missing", "national_id", "-o", "json")).stdout)
    assert [p["full_name"] for p in listed["persons"]] == ["Chưa Căn Cước"]
    searched = json.loads(ok(ctl(daemon, tmp_path, "person", "search", "", "--employer", "Lọc Co", "-o", "json")).stdout)
    assert sorted(p["full_name"] for p in searched["persons"]) == ["Chưa Căn Cước", "Có Căn Cước"]
    assert ctl(daemon, tmp_path, "person", "search", "").returncode == 64


def test_person_list_hides_which_personal_data_is_missing_from_reviewers(daemon, hr):
    token = hr.result("principal.create", {"name": "rev.list", "kind": "human", "roles": ["reviewer"]}) and \
        hr.result("token.create", {"principal": "rev.list", "label": "t"})["token"]
    reviewer = daemon.login("rev.list", token)
    assert reviewer.error("person.list", {"missing": ["national_id"]})["data"]["field"] == "missing"
    assert "persons" in reviewer.result("person.list", {"missing": ["employer"]})
    reviewer.close()


def test_csv_for_excel_starts_with_a_byte_order_mark(daemon, hr, tmp_path):
    plain = ctl(daemon, tmp_path, "org", "list", "-o", "csv")
    excel = subprocess.run([str(TALENTCTL), "--socket", daemon.socket, "org", "list", "-o", "csv", "--excel"],
                           capture_output=True, env=env_for(tmp_path, daemon=daemon), timeout=30)
    assert excel.returncode == 0 and excel.stdout.startswith("\ufeffcode,kind".encode())
    assert excel.stdout[3:].decode() == plain.stdout.replace("\n", "\r\n").replace("\r\r\n", "\r\n")


def help_of(*command, columns=80):
    return run([str(TALENTCTL), *command, "--help"], env={**os.environ, "COLUMNS": str(columns)}).stdout


def every_command(command=()):
    """Every command path, from talentctl's own help."""
    text = help_of(*command, columns=1000)
    if "SUBCOMMANDS:" not in text:
        return [command]
    names = re.findall(r"^  ([a-z-]+)\s", text.split("SUBCOMMANDS:")[1], re.M)
    found = [command]
    for name in names:
        if name != "help":
            found += every_command((*command, name))
    return found


def test_help_examples_are_never_wrapped_and_global_options_are_listed_once():
    commands = every_command()
    assert ("person", "list") in commands and ("context", "use") in commands
    for command in commands:
        narrow, wide = help_of(*command), help_of(*command, columns=1000)
        examples = [line for line in wide.splitlines()
                    if line.lstrip().startswith(("talentctl ", "Example: talentctl")) or line.endswith("\\")]
        for line in examples:
            assert line in narrow.splitlines(), f"{command}: wrapped at 80 columns: {line}"
        if command:
            assert "--secret-file <" not in narrow, command
        assert "(default: -). (default: -)" not in narrow
    assert "--secret-file" in help_of()


def test_allowed_values_in_help_are_the_contracts_enums():
    schemas = json.loads(OPENRPC.read_text())["components"]["schemas"]
    for command, option, schema in [(("org", "list"), "--kind", "OrgKind"), (("appointment", "list"), "--status", "AppointmentStatus"),
                                    (("appointment", "propose"), "--post", "AppointmentPost"),
                                    (("appointment", "propose"), "--equivalent-rank", "EquivalentRank")]:
        text = " ".join(help_of(*command, columns=1000).split("OPTIONS:")[1].split())
        listed = re.search(re.escape(option) + r" <[a-z-]+> .*?\(values: ([a-z_, ]+)\)", text).group(1)
        assert listed.split(", ") == schemas[schema]["enum"], (command, option)


# --- login, logout, contexts ------------------------------------------------------------------

def test_login_once_then_commands_use_the_saved_token(daemon, hr, tmp_path):
    env = env_for(tmp_path, principal=None)
    login = run([str(TALENTCTL), "--socket", daemon.socket, "login", "--principal", "hr.huong"],
                env={**env, "TALENT_SECRET": PASSWORD}, timeout=30)
    assert login.returncode == 0, login.stderr
    assert "logged in as hr.huong" in login.stderr and PASSWORD not in login.stderr
    saved = tmp_path / "config" / "talentctl" / "logins.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert PASSWORD not in saved.read_text()

    seq = hr.result("audit.list", {"limit": 1000})["entries"][-1]["seq"]
    for _ in range(3):
        whoami = json.loads(ok(run([str(TALENTCTL), "--socket", daemon.socket, "whoami", "-o", "json"], env=env)).stdout)
        assert whoami["principal"] == "hr.huong" and whoami["via"] == "token"
    after = hr.result("audit.list", {"cursor": str(seq)})["entries"]
    assert [e["method"] for e in after if e["method"] == "session.login"] == []   # no login noise

    # The token is short-lived and the daemon bounds what a non-admin may ask for.
    tokens = hr.result("token.list", {"principal": "hr.huong"})["tokens"]
    assert tokens and all("expires_at" in t for t in tokens)
    me = daemon.login("hr.huong", PASSWORD)
    assert me.error("token.create", {"principal": "hr.huong", "label": "forever"})["data"]["field"] == "expires_at"
    assert me.error("token.create", {"principal": "admin", "label": "x", "expires_at": "2099-01-01T00:00:00Z"})["data"]["reason"] == "forbidden"
    me.close()

    # Flags and environment still win over the saved login.
    as_admin = json.loads(ok(run([str(TALENTCTL), "--socket", daemon.socket, "whoami", "-o", "json"],
                                 env={**env, "TALENT_PRINCIPAL": "admin", "TALENT_SECRET": daemon.admin_secret})).stdout)
    assert as_admin["principal"] == "admin"

    token = json.loads(saved.read_text())
    [login] = token.values()
    logout = ok(run([str(TALENTCTL), "--socket", daemon.socket, "logout"], env=env))
    assert "hr.huong" in logout.stderr and "hr.huong" not in saved.read_text()
    revoked = [t for t in hr.result("token.list", {"principal": "hr.huong"})["tokens"] if t["id"] == login["id"]]
    assert revoked[0]["status"] == "revoked"                                        # a copy of the file is worthless
    me = daemon.login("hr.huong", PASSWORD)
    other = hr.result("token.create", {"principal": "admin", "label": "not hers"})["id"]
    assert me.error("token.revoke", {"id": other, "principal": "hr.huong"})["data"]["reason"] == "not_found"
    assert me.error("token.revoke", {"id": other})["data"]["reason"] == "forbidden"
    me.close()
    anonymous = run([str(TALENTCTL), "--socket", daemon.socket, "whoami"], env=env)
    assert anonymous.returncode == 1 and "talentctl login" in anonymous.stderr


def test_an_empty_secret_variable_counts_as_unset(daemon, hr, tmp_path):
    env = env_for(tmp_path, principal="admin", secret="", TALENT_TOKEN="")
    result = run([str(TALENTCTL), "--socket", daemon.socket, "whoami"], env=env, timeout=30)
    assert result.returncode == 64 and "at least 12 characters" not in result.stderr
    assert "no secret for admin" in result.stderr


def test_contexts_name_a_socket_and_a_principal(daemon, hr, tmp_path):
    env = env_for(tmp_path, principal=None)
    ok(run([str(TALENTCTL), "context", "use", "moha", "--socket", daemon.socket, "--principal", "hr.huong"], env=env))
    ok(run([str(TALENTCTL), "login"], env={**env, "TALENT_SECRET": PASSWORD}, timeout=30))
    whoami = json.loads(ok(run([str(TALENTCTL), "whoami", "-o", "json"], env=env)).stdout)
    assert whoami["principal"] == "hr.huong"
    listed = ok(run([str(TALENTCTL), "context", "list"], env=env)).stdout.splitlines()
    assert [line.split()[:2] for line in listed[2:]] == [["*", "moha"]]
    shown = ok(run([str(TALENTCTL), "context", "show"], env=env)).stdout
    assert daemon.socket in shown and "hr.huong until" in shown
    assert stat.S_IMODE((tmp_path / "config" / "talentctl" / "contexts.json").stat().st_mode) == 0o600
    assert run([str(TALENTCTL), "context", "use", "nowhere"], env=env).returncode == 64


# --- completion, man page -----------------------------------------------------------------------

def test_bash_completion_loads_and_completes_org_codes(daemon, hr, tmp_path):
    script = tmp_path / "talentctl.bash"
    script.write_text(ok(run([str(TALENTCTL), "--generate-completion-script", "bash"])).stdout)
    assert run(["bash", "-n", str(script)]).returncode == 0
    env = env_for(tmp_path, principal="admin", daemon=daemon, TALENT_SOCKET=daemon.socket, PATH=f"{TALENTCTL.parent}:{os.environ['PATH']}")
    probe = f"""
    source {script}
    COMP_WORDS=(talentctl org show M); COMP_CWORD=3; COMP_LINE="talentctl org show M"; COMP_POINT=${{#COMP_LINE}}
    _talentctl
    printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    completed = run(["bash", "-c", probe], env=env, timeout=60)
    assert "MOHA" in completed.stdout.split() and "HA-NOI" not in completed.stdout.split(), completed.stderr
    for shell in ["zsh", "fish"]:
        assert "talentctl" in ok(run([str(TALENTCTL), "--generate-completion-script", shell])).stdout


def test_the_man_page_renders():
    page = REPO / "Ops" / "man" / "talentctl.1"
    assert page.exists()
    rendered = run(["man", "-l", str(page)], env={**os.environ, "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"})
    assert rendered.returncode == 0, rendered.stderr
    assert "talentctl" in rendered.stdout and "coverage" in rendered.stdout and "login" in rendered.stdout


def test_the_man_page_is_generated_from_the_commands_as_they_are(tmp_path):
    generator = TALENTCTL.parent / "generate-manual"
    if not generator.exists():
        pytest.skip("make man builds the generator")
    ok(run([str(generator), str(TALENTCTL), "--output-directory", str(tmp_path), "--section", "1"]))
    fresh = (tmp_path / "talentctl.1").read_text().replace("\n\n", "\n.Pp\n")
    def body(text):
        return [line for line in re.sub(r"^$", ".Pp", text, flags=re.M).splitlines() if not line.startswith(".Dd")]
    assert body(fresh) == body((REPO / "Ops" / "man" / "talentctl.1").read_text()), "run make man"


# --- Vietnamese -----------------------------------------------------------------------------------

def test_vietnamese_under_lang_vi(daemon, hr, tmp_path):
    vi = {"LANG": "vi_VN.UTF-8"}
    table = ok(ctl(daemon, tmp_path, "coverage", "--kind", "ministry", **vi)).stdout
    assert "tổng công trình sư KH-CN" in table and "cơ quan ngày" in table
    not_found = ctl(daemon, tmp_path, "org", "show", "NOWHERE", **vi)
    assert not_found.returncode == 1 and "không tìm thấy [not_found]" in not_found.stderr
    bad_date = ctl(daemon, tmp_path, "person", "add", "--full-name", "X", "--birth-date", "32/01/1985", **vi)
    assert bad_date.returncode == 64 and "không phải là ngày" in bad_date.stderr
    typo = ctl(daemon, tmp_path, "coverge", **vi)
    assert typo.returncode == 64 and "có phải ý bạn là `talentctl coverage`?" in typo.stderr
    english = ctl(daemon, tmp_path, "org", "show", "NOWHERE", "--lang", "en", **vi)
    assert english.stderr.startswith("talentctl: not_found:")


# --- watch, colour -------------------------------------------------------------------------------

def test_watch_redraws_only_when_something_changes(daemon, hr, tmp_path):
    env = env_for(tmp_path, daemon=daemon)
    watcher = subprocess.Popen([str(TALENTCTL), "--socket", daemon.socket, "coverage", "--kind", "ministry", "--watch", "--interval", "0.2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        import time
        time.sleep(2.5)                                   # about ten reads, nothing changed
    finally:
        watcher.terminate()
        out, _ = watcher.communicate(timeout=10)
    assert out.count("every 0.2 s") == 1 and out.count("MOHA ") == 1, out


def test_colour_on_a_terminal_only_and_never_with_no_color(daemon, tmp_path):
    import pty
    def on_terminal(*args, **extra):
        env = env_for(tmp_path, daemon=daemon, **extra)
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(str(TALENTCTL), [str(TALENTCTL), "--socket", daemon.socket, *(args or ("org", "show", "NOWHERE"))], env)
        chunks = []
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.waitpid(pid, 0)
        return b"".join(chunks).decode()
    assert "\x1b[31m" in on_terminal()
    assert "\x1b[" not in on_terminal(NO_COLOR="1")
    assert "\x1b[" not in ctl(daemon, tmp_path, "org", "show", "NOWHERE").stderr
    # -o json: indented for a person at a terminal, one line into a pipe.
    assert '{\r\n  "code": "MOHA",' in on_terminal("org", "show", "MOHA", "-o", "json")
    assert ctl(daemon, tmp_path, "org", "show", "MOHA", "-o", "json").stdout.count("\n") == 1
