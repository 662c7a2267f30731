"""CSV output a spreadsheet cannot run: cells starting with =, +, -, @, tab or CR get a leading ',
as OWASP's CSV-injection guidance says, in talentctl -o csv and the Python coverage export.
Plain numbers (-5, +3.25) are data and stay as they are."""
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from conftest import TALENTCTL, run

CLIENT_DIR = Path(__file__).resolve().parents[2] / "Clients/python"

# name as stored -> the cell a spreadsheet must get
CELLS = {
    "=HYPERLINK(\"http://evil.example/\",\"Bấm vào\")": "'=HYPERLINK(\"http://evil.example/\",\"Bấm vào\")",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "+84 thuê bao": "'+84 thuê bao",
    "-2+3 Sở": "'-2+3 Sở",
    "-5": "-5",          # a plain number: data, left alone
    "+3.25": "+3.25",
    "Sở Khoa học": "Sở Khoa học",
}


def ctl(daemon, *args):
    return subprocess.run([str(TALENTCTL), "--socket", daemon.socket, "--principal", "admin", "--secret-file",
                           str(daemon.admin_secret_file), *args], capture_output=True, text=True)


def make_orgs(daemon) -> dict:
    """One org per name of CELLS; returns code -> name."""
    admin = daemon.login()
    codes = {}
    for n, name in enumerate(CELLS):
        code = f"CSV-{n}"
        admin.result("org.create", {"code": code, "kind": "other", "name": name, "name_en": name})
        codes[code] = name
    admin.close()
    return codes


def csv_rows(text: str) -> list:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_talentctl_org_list_csv_neutralizes_formulas_and_keeps_numbers(make_daemon):
    d = make_daemon()
    codes = make_orgs(d)
    listed = ctl(d, "org", "list", "--kind", "other", "--all", "-o", "csv")
    assert listed.returncode == 0, listed.stderr
    rows = {r[0]: r for r in csv_rows(listed.stdout)[1:]}
    for code, name in codes.items():
        assert rows[code][2] == CELLS[name] and rows[code][3] == CELLS[name], rows[code]
    # JSON and table output carry the name as it is stored.
    shown = ctl(d, "org", "show", "CSV-0", "-o", "json")
    assert '"=HYPERLINK' in shown.stdout


def test_talentctl_person_search_csv_neutralizes_names(make_daemon):
    d = make_daemon()
    admin = d.login()
    for name in ("=Nguyễn Formula", "@Trần Formula", "+Lê Formula"):
        admin.result("person.create", {"full_name": name})
    admin.close()
    found = ctl(d, "person", "search", "formula", "--all", "-o", "csv")
    assert found.returncode == 0, found.stderr
    names = sorted(r[1] for r in csv_rows(found.stdout)[1:])
    assert names == ["'+Lê Formula", "'=Nguyễn Formula", "'@Trần Formula"]


def test_export_coverage_neutralizes_formulas_and_keeps_numbers(make_daemon, tmp_path):
    d = make_daemon()
    codes = make_orgs(d)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env["PYTHONPATH"] = str(CLIENT_DIR)
    env["TALENT_PRINCIPAL"], env["TALENT_SECRET"] = "admin", d.admin_secret
    out = tmp_path / "coverage.csv"
    exported = run([sys.executable, str(CLIENT_DIR / "examples/export_coverage.py"), "--socket", d.socket,
                    "--kind", "other", "-o", str(out)], env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    rows = {r["code"]: r for r in csv.DictReader(open(out, encoding="utf-8", newline=""))}
    for code, name in codes.items():
        assert rows[code]["name"] == CELLS[name], rows[code]
