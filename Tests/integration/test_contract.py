"""The contract: Protocol/openrpc.json is what the daemon serves, and real responses match it."""
import tempfile

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from conftest import OPENRPC


def validator_for(doc, schema):
    """A validator whose `#/components/...` references resolve against the OpenRPC document."""
    registry = Registry().with_resource("urn:openrpc", Resource(contents=doc, specification=DRAFT7))
    wrapped = {"$schema": "http://json-schema.org/draft-07/schema#", "allOf": [schema]}
    # Rewrite local refs to point into the registered document.
    def rewrite(node):
        if isinstance(node, dict):
            return {k: ("urn:openrpc" + v if k == "$ref" and v.startswith("#/") else rewrite(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node
    return jsonschema.Draft7Validator(rewrite(wrapped), registry=registry, format_checker=jsonschema.FormatChecker())


def test_document_is_openrpc_1(openrpc):
    assert openrpc["openrpc"].startswith("1.")
    assert openrpc["info"]["title"] == "talentd" and openrpc["info"]["version"]
    names = [m["name"] for m in openrpc["methods"]]
    assert len(names) == len(set(names))
    for method in openrpc["methods"]:
        assert method["summary"] and method["paramStructure"] == "by-name"
        assert "schema" in method["result"]
        for ref in method.get("errors", []):
            assert ref["$ref"].split("/")[-1] in openrpc["components"]["errors"]


def test_every_error_reason_has_a_unique_code(openrpc):
    errors = openrpc["components"]["errors"]
    codes = [e["code"] for e in errors.values()]
    assert len(codes) == len(set(codes))
    reasons = {e["data"]["properties"]["reason"]["const"] for e in errors.values()}
    assert {"parse_error", "invalid_request", "method_not_found", "invalid_params", "internal", "too_large", "overloaded"} <= reasons


def test_rpc_discover_serves_this_document(daemon, openrpc):
    assert daemon.rpc("rpc.discover")["result"] == openrpc


# Every documented method, called for real in an order where each call's prerequisites exist.
# A domain that adds methods adds its steps here; the test fails if a documented method has none.
# A step is (method, params) or (method, function of the results so far returning params), run as
# admin; a third member (principal, secret) runs it as that principal instead (e.g. for four-eyes).
CONTRACT_STEPS = [
    ("rpc.discover", {}),
    ("system.ping", {}),
    ("system.info", {}),
    ("system.health", {}),
    ("system.stats", {}),
    ("system.metrics", {}),
    ("system.backup", lambda results: {"path": tempfile.mkdtemp(prefix="td-contract-") + "/backup.db"}),
    ("session.whoami", {}),
    ("principal.create", {"name": "contract-hr", "kind": "human", "roles": ["hr_official"], "org": "MOHA",
                          "secret": "contract-secret-1", "idempotency_key": "contract-1"}),
    ("principal.get", {"name": "contract-hr"}),
    ("principal.list", {}),
    ("principal.update", {"name": "contract-hr", "roles": ["hr_official", "reviewer"]}),
    ("principal.set_secret", {"name": "contract-hr", "secret": "contract-secret-2"}),
    ("principal.disable", {"name": "contract-hr"}),
    ("principal.enable", {"name": "contract-hr"}),
    ("principal.bind_uid", {"name": "contract-hr", "uid": 4242424}),
    ("principal.unbind_uid", {"uid": 4242424}),
    ("token.create", {"principal": "contract-hr", "label": "contract", "expires_at": "2099-01-01T00:00:00Z"}),
    ("token.list", {"principal": "contract-hr"}),
    ("token.revoke", lambda r: {"id": r["token.create"]["id"]}),
    ("audit.list", {"limit": 5}),
    ("audit.verify", {}),
    ("audit.head", {}),
    ("org.list", {}),
    ("org.get", {"code": "MOHA"}),
    ("org.create", {"code": "CONTRACT-ORG", "kind": "other", "name": "Tổ công tác", "parent": "MOHA",
                    "idempotency_key": "contract-org-1"}),
    ("org.update", {"code": "CONTRACT-ORG", "name_en": "Working group", "parent": None}),
    ("person.create", {"full_name": "Nguyễn Thị Hương", "birth_date": "1985-03-08", "gender": "female",
                       "nationality": "VN", "email": "huong@example.vn", "phone": "+84 912 345 678",
                       "national_id": "001185000001", "fields": ["AI"], "idempotency_key": "contract-person-1"}),
    ("person.get", lambda r: {"id": r["person.create"]["person"]["id"]}),
    ("person.update", lambda r: {"id": r["person.create"]["person"]["id"], "version": 1, "employer": "VNPT",
                                 "phone": None}),
    ("person.search", {"q": "nguyen huong", "limit": 10}),
    ("person.list", {"missing": ["national_id"], "limit": 10}),
    # Proposed by contract-hr (MOHA), so that admin, a different principal, may approve it.
    ("appointment.propose", lambda r: {"post": "chief_engineer_sti", "person_id": r["person.create"]["person"]["id"],
                                       "term_start": "2025-07-01", "term_end": "2030-06-30",
                                       "equivalent_rank": "director_general", "decision_ref": "123/QĐ-BNV",
                                       "idempotency_key": "contract-appointment-1"}, ("contract-hr", "contract-secret-2")),
    ("appointment.approve", lambda r: {"id": r["appointment.propose"]["id"]}),
    ("appointment.get", lambda r: {"id": r["appointment.propose"]["id"]}),
    ("appointment.end", lambda r: {"id": r["appointment.propose"]["id"], "end_date": "2029-12-31", "reason": "Nghỉ hưu"}),
    ("coverage.report", {"at": "2026-01-01", "kind": "ministry"}),
    ("appointment.list", {"org": "MOHA", "at": "2026-01-01", "limit": 10}),
    ("appointment.propose", lambda r: {"org": "MOHA", "post": "chief_architect", "program": "Chính phủ số",
                                       "person_id": r["person.create"]["person"]["id"], "term_start": "2026-01-01",
                                       "equivalent_rank": "deputy_director_general"}),
    ("appointment.reject", lambda r: {"id": r["appointment.propose"]["id"], "reason": "Thiếu hồ sơ"}),
    # Remuneration: the approved chief engineer above (director_general, in office on 2026-01-01) is priced.
    ("param.define", {"name": "leadership_allowance.director_general", "unit": "coefficient",
                      "description": "Phụ cấp chức vụ tổng cục trưởng", "idempotency_key": "contract-param-1"}),
    ("param.set", {"name": "leadership_allowance.director_general", "effective_from": "2019-07-01", "value": "1.25",
                   "decision_ref": "Decree 204/2004/ND-CP", "idempotency_key": "contract-param-2"}),
    ("param.get", {"name": "base_salary", "at": "2024-07-01"}),
    ("param.list", {"limit": 10}),
    ("param.history", {"name": "leadership_allowance.director_general"}),
    ("remuneration.compute", lambda r: {"person_id": r["person.create"]["person"]["id"], "at": "2026-01-01"}),
    # Paid as known before the allowance was set: the months are unpriced then, due now.
    ("remuneration.arrears", lambda r: {"person_id": r["person.create"]["person"]["id"], "from": "2025-12-01",
                                        "to": "2026-02-28", "paid_as_of": r["param.define"]["defined_at"]}),
    ("remuneration.report", {"at": "2026-01-01"}),
    ("remuneration.simulate", {"at": "2026-01-01", "changes": [{"parameter": "base_salary", "value": 2600000}]}),
    # Recruitment: an evaluator linked to a person, a campaign run by contract-hr (MOHA) whose offer
    # admin approves (four-eyes), scored by the evaluator, then recruited.
    ("principal.create", {"name": "contract-evaluator", "kind": "human", "roles": ["evaluator"], "secret": "contract-secret-3"}),
    ("principal.link_person", lambda r: {"name": "contract-evaluator", "person_id": r["person.create"]["person"]["id"]}),
    ("campaign.create", {"code": "CONTRACT-LE", "title": "Chuyên gia đầu ngành", "tier": "leading_expert", "openings": 1,
                         "opens_on": "2025-01-01", "closes_on": "2099-12-31", "fields": ["AI"], "min_evaluators": 1,
                         "criteria": [{"key": "research", "title": "Nghiên cứu", "weight": 3, "max_score": 10, "min_score": 5},
                                      {"key": "leadership", "title": "Lãnh đạo", "weight": 1, "max_score": 10}],
                         "idempotency_key": "contract-campaign-1"}, ("contract-hr", "contract-secret-2")),
    ("campaign.open", {"code": "CONTRACT-LE"}),
    ("campaign.get", {"code": "CONTRACT-LE"}),
    ("campaign.list", {"tier": "leading_expert", "limit": 10}),
    ("campaign.assign_evaluator", {"campaign": "CONTRACT-LE", "principal": "contract-evaluator"}),
    ("person.create", {"full_name": "Lê Minh Khoa", "overseas_vietnamese": True, "residence_country": "JP"}),
    ("application.submit", lambda r: {"campaign": "CONTRACT-LE", "person_id": r["person.create"]["person"]["id"],
                                       "source": "overseas", "note": "Hồ sơ đầy đủ", "idempotency_key": "contract-application-1"}),
    ("application.advance", lambda r: {"id": r["application.submit"]["id"], "to": "evaluation", "note": "Qua vòng sơ loại"}),
    ("evaluation.list", lambda r: {"application_id": r["application.submit"]["id"]}, ("contract-evaluator", "contract-secret-3")),
    ("evaluation.submit", lambda r: {"application_id": r["application.submit"]["id"], "scores": {"research": 8, "leadership": 7},
                                     "comment": "Tốt"}, ("contract-evaluator", "contract-secret-3")),
    ("campaign.ranking", {"campaign": "CONTRACT-LE"}),
    ("application.advance", lambda r: {"id": r["application.submit"]["id"], "to": "interview"}),
    ("application.offer", lambda r: {"id": r["application.submit"]["id"], "start_on": "2026-01-01",
                                     "remuneration_note": "Chính sách đặc thù"}, ("contract-hr", "contract-secret-2")),
    ("application.approve_offer", lambda r: {"id": r["application.submit"]["id"]}),
    ("application.accept", lambda r: {"id": r["application.submit"]["id"]}),
    ("application.get", lambda r: {"id": r["application.submit"]["id"]}),
    ("application.list", {"campaign": "CONTRACT-LE"}),
    ("expert.get", lambda r: {"id": r["application.accept"]["expert_id"]}),
    ("expert.list", {"tier": "leading_expert", "at": "2026-06-01"}),
    ("recruitment.progress", {"at": "2026-06-01"}),
    ("expert.end", lambda r: {"id": r["application.accept"]["expert_id"], "end_on": "2027-12-31", "reason": "Hết hợp đồng"}),
    ("campaign.create", {"code": "CONTRACT-DRAFT", "title": "Kiến trúc sư trưởng", "org": "MOHA", "tier": "chief_architect",
                         "openings": 1, "opens_on": "2025-01-01", "closes_on": "2025-12-31",
                         "criteria": [{"key": "design", "title": "Thiết kế", "weight": 1, "max_score": 5}]}),
    ("campaign.assign_evaluator", {"campaign": "CONTRACT-DRAFT", "principal": "contract-evaluator"}),
    ("campaign.unassign_evaluator", {"campaign": "CONTRACT-DRAFT", "principal": "contract-evaluator"}),
    ("campaign.cancel", {"code": "CONTRACT-DRAFT", "reason": "Gộp vào đợt sau"}),
    ("campaign.create", {"code": "CONTRACT-W", "title": "Đợt phụ", "org": "MOHA", "tier": "expert", "openings": 2,
                         "opens_on": "2025-01-01", "closes_on": "2099-12-31",
                         "criteria": [{"key": "design", "title": "Thiết kế", "weight": 1, "max_score": 5}]}),
    ("campaign.open", {"code": "CONTRACT-W"}),
    ("application.submit", lambda r: {"campaign": "CONTRACT-W", "person_id": r["person.create"]["person"]["id"],
                                      "source": "referral", "referred_by": "GS. Trần Văn B"}),
    ("evaluation.declare_conflict", lambda r: {"application_id": r["application.submit"]["id"], "kind": "co_author",
                                               "note": "Đồng tác giả 2023"}, ("contract-evaluator", "contract-secret-3")),
    ("application.reject", lambda r: {"id": r["application.submit"]["id"], "reason_code": "not_eligible", "note": "Chưa đủ tiêu chuẩn"}),
    ("application.submit", lambda r: {"campaign": "CONTRACT-W", "person_id": r["principal.link_person"]["person_id"],
                                      "source": "domestic"}),
    ("application.withdraw", lambda r: {"id": r["application.submit"]["id"]}),
    ("campaign.close", {"code": "CONTRACT-W"}),
    # Awards: admin runs the round and nominates for MOF; contract-hr (MOHA, reviewer since principal.update) screens for
    # MOHA and reviews. The dates put today inside the round's windows.
    ("award_round.create", lambda r: {"code": "CONTRACT-AW", "title": "Giải thưởng", "year": 2026, "opens_on": "2020-01-01",
                                      "closes_on": "2099-12-31", "review_closes_on": "2099-12-31",
                                      "categories": [{"key": "ind", "title": "Cá nhân", "kind": "individual", "quota_per_org": 3}],
                                      "criteria": [{"key": "impact", "title": "Tác động", "weight": 2, "max_score": 10}],
                                      "idempotency_key": "contract-aw-1"}),
    ("award_round.open", {"code": "CONTRACT-AW"}),
    ("award_round.get", {"code": "CONTRACT-AW"}),
    ("award_round.list", {"limit": 5}),
    # Nominated, withdrawn while the round is open (which frees the person), nominated again.
    ("nomination.submit", lambda r: {"round": "CONTRACT-AW", "category": "ind", "org": "MOF", "citation": "Rút lại",
                                     "nominee": {"person_id": r["person.create"]["person"]["id"]}, "achievements": []}),
    ("nomination.withdraw", lambda r: {"id": r["nomination.submit"]["id"], "reason": "Trùng hồ sơ"}),
    ("nomination.submit", lambda r: {"round": "CONTRACT-AW", "category": "ind", "org": "MOF",
                                     "nominee": {"person_id": r["person.create"]["person"]["id"]}, "citation": "Xuất sắc",
                                     "achievements": [{"title": "VNeID", "year": 2025, "evidence_ref": "QĐ 1/2025"}]}),
    ("nomination.get", lambda r: {"id": r["nomination.submit"]["id"]}),
    ("nomination.list", {"round": "CONTRACT-AW", "limit": 5}),
    ("nomination.screen", lambda r: {"id": r["nomination.submit"]["id"], "agency": "MOHA", "outcome": "pass", "note": "Đạt"},
     ("contract-hr", "contract-secret-2")),
    ("award_round.close", {"code": "CONTRACT-AW"}),
    ("review.assign", lambda r: {"nomination_id": r["nomination.submit"]["id"], "reviewer": "contract-hr"}),
    ("review.unassign", lambda r: {"nomination_id": r["nomination.submit"]["id"], "reviewer": "contract-hr"}),
    ("award_round.assign_reviewers", {"round": "CONTRACT-AW", "per_nomination": 1}),
    ("review.submit", lambda r: {"nomination_id": r["nomination.submit"]["id"], "scores": {"impact": 8},
                                 "recommendation": "award", "confidence": 4}, ("contract-hr", "contract-secret-2")),
    ("review.amend", lambda r: {"nomination_id": r["nomination.submit"]["id"], "scores": {"impact": 9},
                                "recommendation": "award", "confidence": 5, "comment": "Rõ hơn"}, ("contract-hr", "contract-secret-2")),
    ("review.list", lambda r: {"nomination_id": r["nomination.submit"]["id"], "history": True}),
    ("award_round.ranking", {"round": "CONTRACT-AW", "normalize": "zscore"}),
    ("award_round.close_review", {"code": "CONTRACT-AW"}),
    ("nomination.screen", lambda r: {"id": r["nomination.submit"]["id"], "agency": "MOST", "outcome": "pass", "note": "Đạt"}),
    ("nomination.screen", lambda r: {"id": r["nomination.submit"]["id"], "agency": "MPS", "outcome": "pass", "note": "Đạt"}),
    ("award_round.submit_list", lambda r: {"round": "CONTRACT-AW", "nomination_ids": [r["nomination.submit"]["id"]],
                                           "note": "Đề nghị"}),
    ("award_round.list_export", {"round": "CONTRACT-AW"}),
    ("review.declare_conflict", lambda r: {"nomination_id": r["nomination.submit"]["id"], "kind": "other", "note": "Sau này biết"},
     ("contract-hr", "contract-secret-2")),
    ("award_round.decide", lambda r: {"round": "CONTRACT-AW", "decisions": [
        {"nomination_id": r["nomination.submit"]["id"], "outcome": "awarded", "decision_ref": "QĐ 1/QĐ-TTg"}]}),
    ("award_round.results", {"round": "CONTRACT-AW"}),
    # Duties: two manual ones (one completed, one cancelled), then one derived from MOF's nomination above.
    ("duty.create", {"title": "Báo cáo nhân lực số", "orgs": ["MOHA", "MOF"], "due_on": "2099-12-31", "kind": "manual",
                     "responsible": "Vụ Tổ chức cán bộ", "note": "Theo Kết luận 57", "idempotency_key": "contract-duty-1"}),
    ("duty.complete", lambda r: {"id": r["duty.create"]["duties"][0]["id"], "result": "Đã báo cáo", "evidence_ref": "CV 12/BNV"}),
    ("duty.cancel", lambda r: {"id": r["duty.create"]["duties"][1]["id"], "reason": "Giao trùng"}),
    ("duty.create", {"title": "Đề cử khen thưởng", "orgs": ["MOF"], "due_on": "2020-01-01", "kind": "nominations",
                     "target": 1, "target_round": "CONTRACT-AW"}),
    ("duty.get", lambda r: {"id": r["duty.create"]["duties"][0]["id"]}),
    ("duty.list", {"status": "done_late", "limit": 5}),
    ("kpi.report", {"org": "MOHA"}),
    ("kpi.report", {}),
    ("events.list", {"topics": ["appointment", "nomination"], "limit": 5}),
    # Nothing is written between these two, so no notification comes between their answers.
    ("events.subscribe", {"topics": ["appointment"]}),
    ("events.unsubscribe", {}),
]
LAST_STEPS = [("session.logout", {})]
# session.login is checked by the login itself, below.


def test_every_documented_method_exists_and_its_result_matches_its_schema(daemon, openrpc):
    conn = daemon.connect()
    login = conn.call("session.login", {"principal": "admin", "secret": daemon.admin_secret})
    assert "error" not in login, login
    by_name = {m["name"]: m for m in openrpc["methods"]}
    validator_for(openrpc, by_name["session.login"]["result"]["schema"]).validate(login["result"])
    results = {"session.login": login["result"]}
    others = {}
    for method, params, *as_principal in CONTRACT_STEPS + LAST_STEPS:
        assert method in by_name, f"{method} has a contract step but is not in openrpc.json"
        caller = conn
        if as_principal:
            name, secret = as_principal[0]
            if name not in others:
                others[name] = daemon.connect()
                others[name].login(name, secret)
            caller = others[name]
        response = caller.call(method, params(results) if callable(params) else params)
        assert "error" not in response, (method, response)
        validator_for(openrpc, by_name[method]["result"]["schema"]).validate(response["result"])
        results[method] = response["result"]
    missing = set(by_name) - set(results)
    assert not missing, f"documented methods without a contract step: {sorted(missing)}"
    conn.close()


def test_every_method_declares_roles_and_mutating_ones_take_an_idempotency_key(openrpc):
    roles = {"anyone", "self", "admin", "hr_official", "ministry_agent", "reviewer", "ops", "auditor", "evaluator",
             "award_secretariat"}
    for method in openrpc["methods"]:
        assert method["x-roles"] and set(method["x-roles"]) <= roles, method["name"]
        assert isinstance(method["x-mutating"], bool) and isinstance(method["x-org-scoped"], bool), method["name"]
        params = [p["name"] for p in method["params"]]
        assert ("idempotency_key" in params) == method["x-mutating"], method["name"]


def test_result_schemas_can_fail(openrpc):
    # Guard against a schema so loose that the test above could never fail.
    ping = next(m for m in openrpc["methods"] if m["name"] == "system.ping")
    with pytest.raises(jsonschema.ValidationError):
        validator_for(openrpc, ping["result"]["schema"]).validate({"pong": True, "time": "yesterday"})
    with pytest.raises(jsonschema.ValidationError):
        validator_for(openrpc, ping["result"]["schema"]).validate({"pong": True, "time": "2026-01-01T00:00:00Z", "extra": 1})


@pytest.mark.parametrize("line, reason", [
    (b"{oops\n", "parse_error"),
    (b'{"jsonrpc":"2.0","id":1}\n', "invalid_request"),
    (b'{"jsonrpc":"2.0","id":1,"method":"no.such"}\n', "method_not_found"),
    (b'{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"z":1}}\n', "invalid_params"),
])
def test_real_errors_match_the_documented_error(daemon, openrpc, line, reason):
    conn = daemon.connect()
    conn.send(line)
    error = conn.read_json()["error"]
    documented = [e for e in openrpc["components"]["errors"].values() if e["data"]["properties"]["reason"]["const"] == reason]
    assert len(documented) == 1
    assert error["code"] == documented[0]["code"]
    validator_for(openrpc, {"$ref": "#/components/schemas/ErrorData"}).validate(error["data"])
    if reason == "invalid_params":
        assert error["data"]["field"] == "z"
    conn.close()


def test_unknown_method_is_method_not_found(daemon):
    assert daemon.rpc("system.nope")["error"]["data"]["reason"] == "method_not_found"
