"""Organizations over the real socket: the seed, ordering, create/update, conflicts and cycles."""
import csv
import io
import json
import subprocess
import unicodedata

from conftest import TALENTCTL

KIND_ORDER = ["ministry", "ministerial_agency", "central_city", "province", "government_agency", "other"]


def login_as(daemon, name: str, roles: list[str]):
    admin = daemon.login()
    admin.result("principal.create", {"name": name, "kind": "human", "roles": roles, "secret": f"{name}-secret-123"})
    admin.close()
    return daemon.login(name, f"{name}-secret-123")


def test_seed_has_51_orgs_by_kind_in_order_with_nfc_vietnamese_names(daemon):
    ops = login_as(daemon, "org-ops", ["ops"])  # reading orgs is for every logged-in principal
    orgs = ops.result("org.list")["orgs"]
    assert len(orgs) == 51
    counts = {k: sum(1 for o in orgs if o["kind"] == k) for k in KIND_ORDER}
    assert counts == {"ministry": 14, "ministerial_agency": 3, "central_city": 6, "province": 28,
                      "government_agency": 0, "other": 0}
    keys = [(KIND_ORDER.index(o["kind"]), o["code"]) for o in orgs]
    assert keys == sorted(keys)
    for org in orgs:
        assert unicodedata.is_normalized("NFC", org["name"]), org
        assert set(org) <= {"code", "kind", "name", "name_en", "parent"}
    moha = ops.result("org.get", {"code": "MOHA"})
    assert moha == {"code": "MOHA", "kind": "ministry", "name": "Bộ Nội vụ", "name_en": "Ministry of Home Affairs"}
    assert [o["code"] for o in ops.result("org.list", {"kind": "central_city"})["orgs"]] == \
        [o["code"] for o in orgs if o["kind"] == "central_city"]
    assert "HA-NOI" in [o["code"] for o in orgs if o["kind"] == "central_city"]
    ops.close()


def test_get_unknown_org_is_not_found(daemon):
    assert daemon.rpc("org.get", {"code": "NOPE"})["error"]["data"]["reason"] == "not_found"


def test_create_update_conflict_and_cycles(daemon):
    admin = daemon.login()
    created = admin.result("org.create", {"code": "NIC", "kind": "government_agency",
                                          "name": "Trung tâm Đổi mới sáng tạo Quốc gia", "parent": "MOST"})
    assert created == {"code": "NIC", "kind": "government_agency", "name": "Trung tâm Đổi mới sáng tạo Quốc gia",
                       "parent": "MOST"}
    taken = admin.error("org.create", {"code": "NIC", "kind": "other", "name": "x"})
    assert taken["data"]["reason"] == "conflict" and taken["data"]["code"] == "NIC"
    missing = admin.error("org.create", {"code": "NIC-2", "kind": "other", "name": "x", "parent": "NOPE"})
    assert (missing["data"]["reason"], missing["data"]["field"]) == ("invalid_params", "parent")

    admin.result("org.create", {"code": "NIC-LAB", "kind": "other", "name": "Phòng thí nghiệm", "parent": "NIC"})
    cycle = admin.error("org.update", {"code": "NIC", "parent": "NIC-LAB"})
    assert (cycle["data"]["reason"], cycle["data"]["field"]) == ("invalid_params", "parent")
    assert "NIC -> NIC-LAB -> NIC" in cycle["message"]
    itself = admin.error("org.update", {"code": "NIC", "parent": "NIC"})
    assert itself["data"]["field"] == "parent"

    decomposed = unicodedata.normalize("NFD", "Trung tâm Đổi mới sáng tạo")
    updated = admin.result("org.update", {"code": "NIC", "name": decomposed, "name_en": "National Innovation Center",
                                          "parent": None})
    assert updated == {"code": "NIC", "kind": "government_agency", "name": "Trung tâm Đổi mới sáng tạo",
                       "name_en": "National Innovation Center"}
    assert admin.result("org.get", {"code": "NIC"}) == updated
    assert admin.error("org.update", {"code": "NOPE", "name": "x"})["data"]["reason"] == "not_found"
    admin.close()


def test_only_admin_changes_orgs(daemon):
    hr = login_as(daemon, "org-hr", ["hr_official"])
    assert hr.error("org.create", {"code": "ZZ", "kind": "other", "name": "x"})["data"]["reason"] == "forbidden"
    assert hr.error("org.update", {"code": "MOHA", "name": "x"})["data"]["reason"] == "forbidden"
    assert hr.result("org.get", {"code": "MOHA"})["name"] == "Bộ Nội vụ"
    hr.close()


def test_talentctl_org_list_show_csv_and_help(daemon):
    def ctl(*args):
        return subprocess.run([str(TALENTCTL), "--socket", daemon.socket, "--principal", "admin", "--secret-file",
                               str(daemon.admin_secret_file), *args], capture_output=True)
    listed = ctl("org", "list", "--kind", "central_city", "-o", "csv")
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.reader(io.StringIO(listed.stdout.decode(), newline="")))
    assert rows[0] == ["code", "kind", "name", "name_en"] and len(rows) == 7
    assert ["HA-NOI", "central_city", "Thành phố Hà Nội", "Hanoi City"] in rows
    table = ctl("org", "list", "-o", "table").stdout.decode().splitlines()
    assert len(table) == 2 + len(daemon.rpc("org.list")["result"]["orgs"])  # header and rule, then one line per org
    shown = json.loads(ctl("org", "show", "MOHA", "-o", "json").stdout)
    assert shown["name"] == "Bộ Nội vụ"
    missing = ctl("org", "show", "NOPE")
    assert missing.returncode == 1 and b"not_found" in missing.stderr
    for sub in ["list", "show"]:
        helped = subprocess.run([str(TALENTCTL), "org", sub, "--help"], capture_output=True, text=True)
        assert helped.returncode == 0 and f"talentctl org {sub}" in helped.stdout
