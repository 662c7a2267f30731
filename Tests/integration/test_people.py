"""The people registry over the real socket: create, get, duplicates, search, update, personal data."""
import csv
import io
import json
import subprocess
import unicodedata

import pytest

from conftest import TALENTCTL, Conn, run


def create(conn: Conn, **params) -> dict:
    return conn.result("person.create", params)


def login_as(daemon, name: str, roles: list[str], org: str | None = None) -> Conn:
    admin = daemon.login()
    params = {"name": name, "kind": "human", "roles": roles, "secret": f"{name}-secret-123"}
    if org:
        params["org"] = org
    admin.result("principal.create", params)
    admin.close()
    return daemon.login(name, f"{name}-secret-123")


def test_create_and_get_store_the_name_in_nfc(daemon):
    admin = daemon.login()
    decomposed = "Nguye\u0302\u0303n Va\u0306n Tu\u031b\u0300"  # Nguyễn Văn Từ typed with combining marks
    created = create(admin, full_name=decomposed, birth_date="1980-05-17", gender="male", nationality="VN",
                     email="tu.nguyen@example.vn", phone="+84 912 345 678", national_id="001080012345",
                     fields=["bán dẫn", "AI"], highest_degree="PhD", employer="Viettel")
    person = created["person"]
    assert created["warnings"] == []
    assert person["full_name"] == unicodedata.normalize("NFC", decomposed) == "Nguyễn Văn Từ"
    assert person["version"] == 1 and person["overseas_vietnamese"] is False
    assert person["email"] == "tu.nguyen@example.vn" and person["national_id"] == "001080012345"
    assert person["fields"] == ["bán dẫn", "AI"]
    assert admin.result("person.get", {"id": person["id"]}) == person
    admin.close()


def test_create_answers_the_person_as_stored(daemon):
    # person.create answers the row it inserted without reading it back: it must be what get reads.
    admin = daemon.login()
    for params in [{"full_name": "  Hà Thị Minh Châu "},
                   {"full_name": "Lê Văn Khoa", "overseas_vietnamese": True, "residence_country": "DE", "fields": []},
                   {"full_name": "Ngô Bảo Anh", "gender": "female",
                    "birth_date": "1979-02-28", "phone": "+84  24 3825 1234"}]:
        person = create(admin, **params)["person"]
        assert admin.result("person.get", {"id": person["id"]}) == person, params
    admin.close()


def test_get_unknown_person_is_not_found(daemon):
    error = daemon.rpc("person.get", {"id": 99999999})["error"]
    assert error["data"]["reason"] == "not_found"


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-email"), ("phone", "call me"), ("nationality", "vn"), ("nationality", "VNM"),
    ("national_id", "12345"), ("gender", "unknown"), ("birth_date", "1980-02-30"), ("birth_date", "2999-01-01"),
    ("full_name", "  -  "),
])
def test_invalid_formats_are_refused_naming_the_field(daemon, field, value):
    params = {"full_name": "Lê Văn Kiểm", field: value}
    error = daemon.rpc("person.create", params)["error"]
    assert error["data"]["reason"] == "invalid_params", error
    assert error["data"]["field"] == field, error


def names(page: dict) -> list[str]:
    return [p["full_name"] for p in page["persons"]]


def search(conn: Conn, q: str, **params) -> dict:
    return conn.result("person.search", {"q": q, **params})


def test_search_ignores_case_and_diacritics_and_matches_word_prefixes_in_any_order(make_daemon):
    d = make_daemon()
    admin = d.login()
    ids = {}
    for name in ["Nguyễn Thị Hương", "Đặng Văn Đức", "ĐẶNG THỊ MAI", "Nguye\u0302\u0303n Hu\u031bng", "Trần Nguyên Hưng",
                 "Lê Hương Giang"]:
        ids[name] = create(admin, full_name=name)["person"]["id"]
    assert names(search(admin, "nguyen thi huong")) == ["Nguyễn Thị Hương"]
    assert names(search(admin, "NGUYỄN THỊ HƯƠNG")) == ["Nguyễn Thị Hương"]
    assert names(search(admin, "huong nguyen")) == ["Nguyễn Thị Hương"]          # any order
    assert names(search(admin, "ng h")) == ["Nguyễn Thị Hương", "Nguyễn Hưng", "Trần Nguyên Hưng"]  # prefixes, id order
    assert names(search(admin, "dang")) == ["Đặng Văn Đức", "ĐẶNG THỊ MAI"]     # đ matches d, case ignored
    assert names(search(admin, "đặng đức")) == ["Đặng Văn Đức"]
    assert names(search(admin, "duc")) == ["Đặng Văn Đức"]
    # Typed with combining marks: stored in NFC, found both ways.
    assert names(search(admin, "Nguye\u0302\u0303n Hu\u031bng")) == ["Nguyễn Hưng", "Trần Nguyên Hưng"]
    assert names(search(admin, "nguyen hung tran")) == ["Trần Nguyên Hưng"]
    assert names(search(admin, "huongx")) == []
    assert names(search(admin, "thi van")) == []                                 # every word must match
    # Not FTS syntax: quotes, operators and stars are separators.
    assert names(search(admin, '"nguyen" OR *')) == []
    assert names(search(admin, 'nguyen" "thi* (huong)')) == ["Nguyễn Thị Hương"]
    error = admin.error("person.search", {"q": " - ' "})
    assert (error["data"]["reason"], error["data"]["field"]) == ("invalid_params", "q")
    for bad in [{"q": "x", "limit": 0}, {"q": "x", "limit": 501}, {"q": "x", "cursor": "abc"}]:
        assert admin.error("person.search", bad)["data"]["reason"] == "invalid_params", bad
    admin.close()


def test_pagination_has_no_gaps_or_duplicates_and_a_stable_order(make_daemon):
    d = make_daemon()
    admin = d.login()
    created = []
    for i in range(120):
        created.append(create(admin, full_name=f"Phạm Minh Tuấn {i}" if i % 2 else f"Phạm Thu Trang {i}")["person"]["id"])
    create(admin, full_name="Vũ Văn Khác")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": "pham", "limit": 50}
        if cursor:
            params["cursor"] = cursor
        page = admin.result("person.search", params)
        pages += 1
        seen += [p["id"] for p in page["persons"]]
        cursor = page.get("next_cursor")
        if cursor is None:
            break
    assert pages == 3 and seen == created
    # The same query answers the same order again; a default page is 50.
    assert [p["id"] for p in search(admin, "pham")["persons"]] == created[:50]
    assert [p["id"] for p in search(admin, "pham tuan", limit=500)["persons"]] == created[1::2]
    # A page that ends exactly at the last match has no next_cursor.
    assert "next_cursor" not in search(admin, "pham", limit=120)
    admin.close()


def create_in_batch(conn: Conn, names: list[str]) -> list[int]:
    """Creates persons with one JSON-RPC batch (as the bulk loaders do); their ids in order."""
    conn.send_json([{"jsonrpc": "2.0", "id": i, "method": "person.create", "params": {"full_name": name}}
                    for i, name in enumerate(names)])
    answers = sorted(conn.read_json(), key=lambda a: a["id"])
    assert all("result" in a for a in answers), [a for a in answers if "error" in a][:1]
    return [a["result"]["person"]["id"] for a in answers]


def test_paging_through_a_common_surname_returns_each_person_once_in_id_order(make_daemon):
    d = make_daemon()
    admin = d.login()
    # A third Nguyễn, typed composed, decomposed, in capitals and without marks, among other surnames.
    forms = ["Nguyễn Văn An", "Nguye\u0302\u0303n Thị Bình", "NGUYỄN Đức Cường", "Nguyen Thi Dung",
             "Trần Văn An", "Lê Thị Bình", "Phạm Nguyên Hải", "Hoàng Văn Nguyện", "Trần Thị Dung"]
    names = [forms[i % len(forms)] for i in range(450)]
    ids = create_in_batch(admin, names)
    # A batch's entries run concurrently, so ids follow commit order: expected lists are sorted.
    nguyen = [i for i, name in zip(ids, names) if NameKey(name).startswith("nguyen ")]
    # "nguyen" is also the start of Nguyên and Nguyện (middle and given names): they match too.
    every_nguyen = sorted(i for i, name in zip(ids, names) if any(w.startswith("nguyen") for w in NameKey(name).split()))
    assert len(nguyen) == 200 and len(every_nguyen) == 300

    def pages(q: str, limit: int) -> list[list[int]]:
        out, params = [], {"q": q, "limit": limit}
        while True:
            page = search(admin, **params)
            out.append([p["id"] for p in page["persons"]])
            if "next_cursor" not in page:
                return out
            params["cursor"] = page["next_cursor"]

    for q in ["nguyen", "Nguyễn", "NGUYEN", "Nguye\u0302\u0303n"]:
        walked = pages(q, 50)
        assert [i for page in walked for i in page] == every_nguyen, q   # each once, in id order
        assert len(walked) == 6 and all(len(page) == 50 for page in walked), q
    # Pages of two queries interleaved on one connection do not disturb each other.
    first_nguyen, first_tran = search(admin, "nguyen", limit=7), search(admin, "tran van", limit=7)
    second_nguyen = search(admin, "nguyen", limit=7, cursor=first_nguyen["next_cursor"])
    second_tran = search(admin, "tran van", limit=7, cursor=first_tran["next_cursor"])
    trans = sorted(i for i, name in zip(ids, names) if name == "Trần Văn An")
    assert [p["id"] for p in first_tran["persons"] + second_tran["persons"]] == trans[:14]
    assert [p["id"] for p in first_nguyen["persons"] + second_nguyen["persons"]] == every_nguyen[:14]
    assert [p["id"] for p in search(admin, "nguyen thi binh", limit=500)["persons"]] == \
        sorted(i for i, name in zip(ids, names) if name == "Nguye\u0302\u0303n Thị Bình")
    admin.close()


def NameKey(name: str) -> str:
    """The folded name the daemon compares (lowercase, no diacritics, đ -> d)."""
    decomposed = unicodedata.normalize("NFD", name).lower().replace("đ", "d")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def test_duplicate_warnings_for_same_name_and_birth_date_or_same_email(make_daemon):
    d = make_daemon()
    admin = d.login()
    first = create(admin, full_name="Hoàng Minh Châu", birth_date="1979-11-02", email="Chau.Hoang@Example.vn")["person"]
    same = create(admin, full_name="  HOANG minh chau ", birth_date="1979-11-02")
    assert same["person"]["full_name"] == "HOANG minh chau"
    assert [(w["code"], w["person_id"]) for w in same["warnings"]] == [("possible_duplicate", first["id"])]
    assert "same name and birth date" in same["warnings"][0]["message"]
    other_birthday = create(admin, full_name="Hoàng Minh Châu", birth_date="1980-01-01")
    assert other_birthday["warnings"] == []
    by_email = create(admin, full_name="Someone Else", email="chau.hoang@example.VN")
    assert [(w["code"], w["person_id"]) for w in by_email["warnings"]] == [("possible_duplicate", first["id"])]
    assert "same email" in by_email["warnings"][0]["message"]
    # A CCCD belongs to one person.
    create(admin, full_name="Phan Văn Một", national_id="079090000001")
    taken = admin.error("person.create", {"full_name": "Phan Văn Hai", "national_id": "079090000001"})
    assert (taken["data"]["reason"], taken["data"]["field"]) == ("conflict", "national_id")
    admin.close()


def test_update_with_optimistic_concurrency_and_null_clears(make_daemon):
    d = make_daemon()
    admin = d.login()
    person = create(admin, full_name="Bùi Quang Vinh", email="vinh@example.vn", phone="+84 90 000 0000",
                    employer="FPT")["person"]
    updated = admin.result("person.update", {"id": person["id"], "version": 1, "employer": "VNPT", "email": None,
                                             "full_name": "Bùi Quang Khải"})["person"]
    assert updated["version"] == 2 and updated["employer"] == "VNPT" and "email" not in updated
    assert updated["phone"] == "+84 90 000 0000" and updated["full_name"] == "Bùi Quang Khải"
    assert updated["updated_at"] >= person["updated_at"] and updated["created_at"] == person["created_at"]
    stale = admin.error("person.update", {"id": person["id"], "version": 1, "employer": "Viettel"})
    assert stale["data"]["reason"] == "conflict" and stale["data"]["current_version"] == 2
    assert admin.result("person.get", {"id": person["id"]}) == updated  # nothing changed
    # The renamed person is found by the new name only: "Vinh" and "Khải" fold to different search
    # keys, so a stale index would still answer "vinh" and miss "khai".
    assert search(admin, "vinh")["persons"] == []
    assert [p["full_name"] for p in search(admin, "khai")["persons"]] == ["Bùi Quang Khải"]
    assert [p["id"] for p in search(admin, "bui quang")["persons"]] == [person["id"]]
    assert admin.error("person.update", {"id": person["id"], "version": 2, "full_name": None})["data"]["reason"] \
        == "invalid_params"
    assert admin.error("person.update", {"id": 999999, "version": 1, "employer": "x"})["data"]["reason"] == "not_found"
    admin.close()


def test_personal_data_only_for_admin_hr_and_auditor_and_ops_sees_no_person(make_daemon):
    d = make_daemon()
    admin = d.login()
    person = create(admin, full_name="Tạ Thu Hà", email="ha@example.vn", phone="0912345678",
                    national_id="001190000123")["person"]
    personal = {"email", "phone", "national_id"}
    agent = login_as(d, "agent", ["ministry_agent"], org="MOHA")
    reviewer = login_as(d, "reviewer", ["reviewer"])
    auditor = login_as(d, "auditor", ["auditor"])
    hr = login_as(d, "hr", ["hr_official"])
    ops = login_as(d, "ops", ["ops"])
    for conn in (agent, reviewer):
        got = conn.result("person.get", {"id": person["id"]})
        assert personal.isdisjoint(got) and got["full_name"] == "Tạ Thu Hà"
        found = conn.result("person.search", {"q": "ta thu ha"})["persons"]
        assert [p["id"] for p in found] == [person["id"]] and personal.isdisjoint(found[0])
    made = agent.result("person.create", {"full_name": "Tạ Thu Hằng", "email": "hang@example.vn"})
    assert "email" not in made["person"]
    assert reviewer.error("person.create", {"full_name": "X"})["data"]["reason"] == "forbidden"
    assert agent.error("person.update", {"id": person["id"], "version": 1, "employer": "x"})["data"]["reason"] == "forbidden"
    for conn in (auditor, hr):
        got = conn.result("person.get", {"id": person["id"]})
        assert {k: got[k] for k in personal} == {"email": "ha@example.vn", "phone": "0912345678",
                                                   "national_id": "001190000123"}
    assert auditor.error("person.update", {"id": person["id"], "version": 1, "employer": "x"})["data"]["reason"] == "forbidden"
    for method, params in [("person.get", {"id": person["id"]}), ("person.search", {"q": "ta"}),
                           ("person.create", {"full_name": "X"}), ("person.update", {"id": person["id"], "version": 1})]:
        assert ops.error(method, params)["data"]["reason"] == "forbidden", method
    admin.close()


def ctl(d, *args):
    return run([str(TALENTCTL), "--socket", d.socket, "--principal", "admin", "--secret-file",
                str(d.admin_secret_file), *args])


def display_width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_talentctl_person_commands_tables_json_and_csv(make_daemon):
    d = make_daemon()
    added = ctl(d, "person", "add", "--full-name", "Nguyễn Thị Hương", "--birth-date", "1985-03-08", "--gender", "female",
                "--email", "huong@example.vn", "--field", "bán dẫn", "--field", "AI", "-o", "json")
    assert added.returncode == 0, added.stderr
    person = json.loads(added.stdout)["person"]
    assert person["fields"] == ["bán dẫn", "AI"]
    again = ctl(d, "person", "add", "--full-name", "Nguyen Thi Huong", "--birth-date", "1985-03-08", "-o", "json")
    assert f"possible_duplicate: person {person['id']}" in again.stderr
    for name in ["Đặng Văn Đức", "Lý A", "Trương Nguyễn Thị Thanh Hương"]:
        assert ctl(d, "person", "add", "--full-name", name).returncode == 0

    table = ctl(d, "person", "search", "huong", "-o", "table")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.rstrip("\n").split("\n")
    assert len(lines) == 2 + 3
    # Every row is as wide as the header up to the last column (display width, not bytes).
    last = lines[0].index("employer")
    for line in lines[2:]:
        assert display_width(line[:len(line)]) >= last
        prefix = line.rsplit("  ", 1)[0]
        assert display_width(prefix) + 2 == display_width(lines[0][:last]) or line.endswith("-"), lines
    assert "Trương Nguyễn Thị Thanh Hương" in table.stdout

    csv_out = subprocess.run([str(TALENTCTL), "--socket", d.socket, "--principal", "admin", "--secret-file",
                              str(d.admin_secret_file), "person", "search", "huong", "-o", "csv"], capture_output=True)
    assert csv_out.stdout.endswith(b"\r\n") and csv_out.stdout.count(b"\r\n") == 4
    rows = list(csv.reader(io.StringIO(csv_out.stdout.decode())))
    assert rows[0] == ["id", "full_name", "birth_date", "gender", "nationality", "employer"]
    assert rows[1] == [str(person["id"]), "Nguyễn Thị Hương", "1985-03-08", "female", "", ""]

    paged = ctl(d, "person", "search", "n", "--limit", "1", "--all", "-o", "json")
    assert [p["full_name"] for p in json.loads(paged.stdout)["persons"]] == \
        ["Nguyễn Thị Hương", "Nguyen Thi Huong", "Trương Nguyễn Thị Thanh Hương"]

    shown = ctl(d, "person", "show", str(person["id"]), "-o", "json")
    assert json.loads(shown.stdout) == person
    edited = ctl(d, "person", "edit", str(person["id"]), "--version", "1", "--employer", "Viettel", "--clear", "email",
                 "-o", "json")
    assert edited.returncode == 0, edited.stderr
    assert json.loads(edited.stdout)["person"]["employer"] == "Viettel" and "email" not in json.loads(edited.stdout)["person"]
    stale = ctl(d, "person", "edit", str(person["id"]), "--version", "1", "--employer", "X")
    assert stale.returncode == 1 and "conflict" in stale.stderr
    for sub in ["add", "show", "search", "edit"]:
        helped = run([str(TALENTCTL), "person", sub, "--help"])
        assert helped.returncode == 0 and "talentctl person " + sub in helped.stdout, sub


def test_if_duplicate_warns_refuses_or_returns_the_existing_person(make_daemon):
    d = make_daemon()
    admin = d.login()
    first = create(admin, full_name="Đặng Văn Đức", birth_date="1980-02-03")
    assert first["created"] is True and first["warnings"] == []
    same = {"full_name": "Dang Van Duc", "birth_date": "1980-02-03"}
    refused = admin.error("person.create", {**same, "if_duplicate": "refuse"})
    assert refused["data"]["reason"] == "conflict" and refused["data"]["person_id"] == first["person"]["id"]
    returned = admin.result("person.create", {**same, "if_duplicate": "return_existing"})
    assert returned["created"] is False and returned["person"] == first["person"]
    assert [w["person_id"] for w in returned["warnings"]] == [first["person"]["id"]]
    assert search(admin, "dang van duc")["persons"] == [first["person"]]  # nothing was created twice
    warned = admin.result("person.create", {**same, "if_duplicate": "warn"})
    assert warned["created"] is True and [w["person_id"] for w in warned["warnings"]] == [first["person"]["id"]]
    admin.close()


def test_update_warns_when_the_change_makes_a_possible_duplicate(make_daemon):
    d = make_daemon()
    admin = d.login()
    first = create(admin, full_name="Lê Thị Hoa", email="hoa@example.vn")["person"]
    other = create(admin, full_name="Phạm Minh Tuấn")["person"]
    result = admin.result("person.update", {"id": other["id"], "version": 1, "email": "HOA@example.vn"})
    assert [(w["code"], w["person_id"]) for w in result["warnings"]] == [("possible_duplicate", first["id"])]
    assert admin.result("person.update", {"id": first["id"], "version": 1, "employer": "VNPT"})["warnings"] == [
        {"code": "possible_duplicate", "person_id": other["id"],
         "message": f"person {other['id']} has the same email; check before using this record"}]
    admin.close()
