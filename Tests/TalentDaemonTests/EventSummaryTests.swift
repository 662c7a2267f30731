import TalentProtocol
import XCTest
@testable import TalentDaemon

/// The quick look in front of the summary members' set must never turn a member away.
final class EventSummaryTests: XCTestCase {
    func testTheQuickLookAgreesWithTheSet() {
        for name in EventDraft.summaryMembers {
            XCTAssertTrue(EventDraft.isSummaryMember(name), name)
        }
        // Same length and first letter as a member, other letters, other cases and scripts.
        let others = ["", "i", "ix", "idx", "is", "cod", "codes", "Code", "ID", "version_", "versiom", "full_name",
                      "national_id", "birth_date", "email", "phone", "created_at", "đ", "état", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
                      "person_ids", "term_star", "term_ends"]
        for name in others {
            XCTAssertEqual(EventDraft.isSummaryMember(name), EventDraft.summaryMembers.contains(name), name)
            XCTAssertFalse(EventDraft.isSummaryMember(name), name)
        }
    }

    func testASummaryKeepsIdsAndStatesAndLeavesPersonalDataOut() throws {
        let result: JSONValue = ["person": ["id": 7, "version": 1, "full_name": "Trần Văn Đức", "email": "d@example.vn"],
                                 "created": true]
        let draft = try XCTUnwrap(EventDraft(method: "person.create", target: AuditTarget(type: "person", id: "7"),
                                             params: ["full_name": "Trần Văn Đức", "code": "X", "id": 99, "state": ["nested": 1]],
                                             result: result, actorOrg: "MOHA"))
        let summary = try JSONParser.parse(draft.summaryText)
        guard case .object(let members) = summary else { return XCTFail("summary is not an object") }
        XCTAssertEqual(Set(members.keys), ["id", "version", "code", "text"])
        XCTAssertEqual(members["id"], 7, "the record's member wins over the param's")
        XCTAssertEqual(members["text"], "person.created: person 7 (MOHA)")
        XCTAssertEqual(draft.summaryText, JSONWriter.string(summary), "canonical: members in the writer's order")
        XCTAssertEqual(draft.org, "MOHA")
    }
}
