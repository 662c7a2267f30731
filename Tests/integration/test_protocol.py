"""JSON-RPC 2.0 over the socket: the specification's examples (section 7), with talentd's methods."""
import json

import pytest

PING = {"jsonrpc": "2.0", "method": "system.ping"}


def req(id, method="system.ping", **extra):
    r = {"jsonrpc": "2.0", "id": id, "method": method}
    r.update(extra)
    return r


def assert_error(response, code, reason, id=None):
    assert response["jsonrpc"] == "2.0"
    assert response["id"] == id
    assert "result" not in response
    error = response["error"]
    assert error["code"] == code, response
    assert error["data"]["reason"] == reason, response
    assert isinstance(error["message"], str) and error["message"]


@pytest.fixture
def conn(daemon):
    c = daemon.connect()
    yield c
    c.close()


def test_call_with_named_params_answers_result_with_same_id(conn):
    response = conn.call("system.ping", {}, id=1)
    assert response["jsonrpc"] == "2.0" and response["id"] == 1
    assert response["result"]["pong"] is True


@pytest.mark.parametrize("id", [0, 42, -7, "abc", "Nguyễn", "", None])
def test_ids_are_echoed_exactly(conn, id):
    conn.send_json({"jsonrpc": "2.0", "id": id, "method": "system.ping"})
    response = conn.read_json()
    assert response["id"] == id and response["result"]["pong"] is True


def test_notification_gets_no_response(conn):
    conn.send_json(PING)
    conn.send_json({"jsonrpc": "2.0", "method": "no.such.method"})
    conn.send_json({"jsonrpc": "2.0", "method": "system.ping", "params": {"bogus": 1}})
    # The first line back must be the answer to this request, not to any notification.
    assert conn.call("system.ping", id="after")["id"] == "after"


def test_nonexistent_method(conn):
    assert_error(conn.call("foobar", id="1"), -32601, "method_not_found", id="1")


def test_invalid_json_is_parse_error_with_null_id(conn):
    conn.send(b'{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]\n')
    assert_error(conn.read_json(), -32700, "parse_error")
    assert conn.call("system.ping", id=2)["result"]["pong"] is True


def test_invalid_request_object(conn):
    conn.send_json({"jsonrpc": "2.0", "method": 1, "params": "bar"})
    assert_error(conn.read_json(), -32600, "invalid_request")


@pytest.mark.parametrize("request_obj", [
    {"jsonrpc": "1.0", "id": 1, "method": "system.ping"},
    {"id": 1, "method": "system.ping"},
    {"jsonrpc": "2.0", "id": 1},
    {"jsonrpc": "2.0", "id": 1, "method": "system.ping", "params": "x"},
    {"jsonrpc": "2.0", "id": 1, "method": "system.ping", "extra": True},
])
def test_invalid_request_keeps_a_readable_id(conn, request_obj):
    conn.send_json(request_obj)
    assert_error(conn.read_json(), -32600, "invalid_request", id=1)


@pytest.mark.parametrize("bad_id", [{"a": 1}, [1], True, 1.5])
def test_invalid_id_type_answers_null_id(conn, bad_id):
    conn.send_json({"jsonrpc": "2.0", "id": bad_id, "method": "system.ping"})
    assert_error(conn.read_json(), -32600, "invalid_request")


def test_batch_with_invalid_json_is_single_parse_error(conn):
    conn.send(b'[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]\n')
    assert_error(conn.read_json(), -32700, "parse_error")


def test_empty_array_is_single_invalid_request(conn):
    conn.send(b"[]\n")
    assert_error(conn.read_json(), -32600, "invalid_request")


def test_batch_of_one_invalid_entry(conn):
    conn.send(b"[1]\n")
    response = conn.read_json()
    assert isinstance(response, list) and len(response) == 1
    assert_error(response[0], -32600, "invalid_request")


def test_batch_of_three_invalid_entries(conn):
    conn.send(b"[1,2,3]\n")
    response = conn.read_json()
    assert len(response) == 3
    for entry in response:
        assert_error(entry, -32600, "invalid_request")


def test_mixed_batch(conn):
    conn.send_json([
        req("1"),
        PING,  # notification
        req("2", params={"nope": 1}),
        {"foo": "boo"},
        req("5", method="foo.get"),
        req("9", method="system.info"),
    ])
    response = conn.read_json()
    by_id = {entry["id"]: entry for entry in response}
    assert len(response) == 5  # the notification gets nothing
    assert [entry["id"] for entry in response] == ["1", "2", None, "5", "9"]  # request order
    assert by_id["1"]["result"]["pong"] is True
    assert_error(by_id["2"], -32602, "invalid_params", id="2")
    assert by_id["2"]["error"]["data"]["field"] == "nope"
    assert_error(by_id[None], -32600, "invalid_request")
    assert_error(by_id["5"], -32601, "method_not_found", id="5")
    # system.info needs a login: refused inside the batch like any other error.
    assert_error(by_id["9"], -32010, "unauthenticated", id="9")


def test_batch_of_only_notifications_gets_no_response_at_all(conn):
    conn.send_json([PING, {"jsonrpc": "2.0", "method": "system.info"}, {"jsonrpc": "2.0", "method": "nope"}])
    assert conn.call("system.ping", id="next")["id"] == "next"


def test_unknown_param_names_the_field(conn):
    response = conn.call("system.ping", {"x": 1}, id=3)
    assert_error(response, -32602, "invalid_params", id=3)
    assert response["error"]["data"]["field"] == "x"


def test_positional_params_are_refused_with_field(conn):
    response = conn.call("system.ping", [1, 2], id=4)
    assert_error(response, -32602, "invalid_params", id=4)
    assert response["error"]["data"]["field"] == "params"


def test_empty_positional_params_mean_none(conn):
    assert conn.call("system.ping", [], id=5)["result"]["pong"] is True


def test_crlf_and_blank_lines(conn):
    conn.send(b"\r\n\n   \n" + json.dumps(req(1)).encode() + b"\r\n\r\n" + json.dumps(req(2)).encode() + b"\n")
    assert conn.read_json()["id"] == 1
    assert conn.read_json()["id"] == 2


def test_last_line_without_newline_is_answered_after_half_close(daemon):
    import socket
    conn = daemon.connect()
    conn.send(json.dumps(req(1)).encode() + b"\n" + json.dumps(req(2)).encode())
    conn.sock.shutdown(socket.SHUT_WR)
    assert conn.read_json()["id"] == 1
    assert conn.read_json()["id"] == 2
    assert conn.at_eof()
    conn.close()


def test_unicode_ids_and_escapes_round_trip(conn):
    conn.send(b'{"jsonrpc":"2.0","id":"\\u0110\\u1eb7ng V\\u0103n \\u0110\\u1ee9c \\ud83d\\ude00","method":"system.ping"}\n')
    assert conn.read_json()["id"] == "Đặng Văn Đức 😀"


def test_integer_ids_stay_exact(conn):
    big = 9223372036854775807
    conn.send(b'{"jsonrpc":"2.0","id":9223372036854775807,"method":"system.ping"}\n')
    assert conn.read_json()["id"] == big
