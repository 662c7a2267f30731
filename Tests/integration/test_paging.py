"""One page convention for every list method: `limit` and `cursor` in, `next_cursor` out (absent on
the last page), in the contract and over the real socket; talentctl --all follows it."""
import json
import subprocess

from conftest import TALENTCTL


def ctl(daemon, *args):
    return subprocess.run([str(TALENTCTL), "--socket", daemon.socket, "--principal", "admin", "--secret-file",
                           str(daemon.admin_secret_file), "-o", "json", *args], capture_output=True, text=True)


def walk(conn, method, params, limit):
    """Items page by page, checking each page's size and that the last page says it is the last."""
    items, params = [], {**params, "limit": limit}
    while True:
        page = conn.result(method, params)
        [name] = [k for k, v in page.items() if isinstance(v, list)]
        items += page[name]
        if "next_cursor" not in page:
            assert len(page[name]) <= limit
            return items
        assert len(page[name]) == limit and isinstance(page["next_cursor"], str)
        params["cursor"] = page["next_cursor"]


def test_every_list_method_takes_limit_and_cursor_and_answers_next_cursor(openrpc):
    listing = []
    for method in openrpc["methods"]:
        properties = method["result"]["schema"].get("properties", {})
        arrays = [k for k, v in properties.items() if v.get("type") == "array"]
        if method["name"].endswith((".list", ".search")) or (len(arrays) == 1 and "next_cursor" in properties):
            listing.append(method["name"])
            params = {p["name"] for p in method["params"]}
            assert {"limit", "cursor"} <= params, method["name"]
            assert "next_cursor" in properties and len(arrays) == 1, method["name"]
            assert not params & {"after_seq", "offset", "page"}, method["name"]
    assert {"org.list", "principal.list", "token.list", "audit.list", "person.search", "appointment.list"} <= set(listing)


def test_org_list_pages_in_listing_order(daemon):
    admin = daemon.login()
    everything = admin.result("org.list")["orgs"]
    assert "next_cursor" not in admin.result("org.list")  # the seed fits one default page
    assert walk(admin, "org.list", {}, 7) == everything
    provinces = admin.result("org.list", {"kind": "province"})["orgs"]
    assert walk(admin, "org.list", {"kind": "province"}, 4) == provinces and len(provinces) > 4
    assert admin.error("org.list", {"cursor": "NO-SUCH-ORG"})["data"]["field"] == "cursor"
    admin.close()


def test_principal_and_token_lists_page_with_their_filters(make_daemon):
    d = make_daemon()
    admin = d.login()
    for i in range(7):
        admin.result("principal.create", {"name": f"page.{i}", "kind": "agent", "roles": ["ops"], "org": "MOHA"})
    admin.result("principal.disable", {"name": "page.3"})
    active = walk(admin, "principal.list", {"org": "MOHA", "status": "active"}, 2)
    assert [p["name"] for p in active] == [f"page.{i}" for i in (0, 1, 2, 4, 5, 6)]
    everyone = [p["name"] for p in walk(admin, "principal.list", {}, 3)]
    assert everyone == sorted(everyone) and len(everyone) == 8  # and admin
    made = [admin.result("token.create", {"principal": "page.0", "label": f"t{i}"})["id"] for i in range(5)]
    assert [t["id"] for t in walk(admin, "token.list", {"principal": "page.0"}, 2)] == made
    admin.close()


def test_talentctl_all_follows_next_cursor_for_every_list_command(make_daemon):
    d = make_daemon()
    admin = d.login()
    for i in range(4):
        admin.result("principal.create", {"name": f"ctl.{i}", "kind": "agent", "roles": ["ops"]})
        admin.result("token.create", {"principal": "ctl.0", "label": f"t{i}"})
    expected = {
        ("org", "list"): ("orgs", admin.result("org.list")["orgs"]),
        ("principal", "list"): ("principals", admin.result("principal.list")["principals"]),
        ("token", "list", "ctl.0"): ("tokens", admin.result("token.list", {"principal": "ctl.0"})["tokens"]),
        ("audit", "list"): ("entries", admin.result("audit.list", {"limit": 1000})["entries"]),
    }
    admin.close()
    for command, (name, items) in expected.items():
        one = ctl(d, *command, "--limit", "2", "-o", "table")
        assert one.returncode == 0 and f"{' '.join(command)} --limit 2 -o table --cursor " in one.stderr, (command, one.stderr)
        first = json.loads(ctl(d, *command, "--limit", "2").stdout)
        assert len(first[name]) == 2 and "next_cursor" in first, command
        rest = json.loads(ctl(d, *command, "--limit", "2", "--cursor", first["next_cursor"], "--all").stdout)
        everything = json.loads(ctl(d, *command, "--limit", "2", "--all").stdout)
        assert "next_cursor" not in everything and "next_cursor" not in rest, command
        if name == "entries":  # talentctl's own logins are audited too: compare the shared prefix
            assert everything[name][:len(items)] == items, command
        else:
            assert everything[name] == items == first[name] + rest[name], command


def test_talentctl_next_page_hint_is_a_command_that_reads_the_next_page(make_daemon):
    d = make_daemon()
    admin = d.login()
    made = [admin.result("person.create", {"full_name": f"Nguyễn Văn Thử {i}"})["person"]["id"] for i in range(3)]
    admin.close()
    first = ctl(d, "person", "search", "nguyễn văn", "--limit", "2", "--cursor", "0", "-o", "csv")
    assert first.returncode == 0 and first.stdout.count("Thử") == 2, first.stderr
    [hint] = [line for line in first.stderr.splitlines() if line.startswith("talentctl: more: talentctl ")]
    command = hint.removeprefix("talentctl: more: talentctl ").removesuffix(" (or --all)")
    assert command.count("--cursor") == 1 and "'nguyễn văn'" in command
    following = subprocess.run(f"{TALENTCTL} {command}", shell=True, capture_output=True, text=True)
    assert following.returncode == 0, following.stderr
    assert following.stdout.count("Thử") == 1 and f"\n{made[2]}," in following.stdout
    assert "more:" not in following.stderr
