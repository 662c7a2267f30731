"""The people registry over the real socket: create, get, duplicates, search, update, personal data."""
import subprocess
import unicodedata

import pytest

from conftest import Conn


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
