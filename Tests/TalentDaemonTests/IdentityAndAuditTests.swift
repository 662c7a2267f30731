import GRDB
import XCTest
@testable import TalentDaemon
import TalentProtocol

final class AuditHashTests: XCTestCase {
    /// The chain's hashing rule, computed independently (Python: sha256 of
    /// json.dumps(entry, sort_keys=True, separators=(",", ":"))): a change to it would break every
    /// existing trail's audit.verify.
    func testAnEntryHashesItsCanonicalJSON() {
        let genesis = AuditEntry.genesisHash
        XCTAssertEqual(AuditEntry.hash(seq: 1, at: "2026-01-02T03:04:05.006Z", principal: "admin", method: "token.revoke",
                                       target: AuditTarget(type: "token", id: "7"), paramsText: #"{"id":7}"#,
                                       outcome: "ok", prevHash: genesis),
                       "620d99e1976d112a46acf19d7a59ec2129102565a47bed42cc9c090da4af1dd6")
        XCTAssertEqual(AuditEntry.hash(seq: 1, at: "2026-01-02T03:04:05.006Z", principal: "admin", method: "token.revoke",
                                       target: nil, paramsText: #"{"id":7}"#, outcome: "ok", prevHash: genesis),
                       "fa4254d93b74c439ba7e91ce3e540a10bca5e4f87988d6efe6dbc9fe2be0198b")
        // Escapes and letters beyond ASCII in every text member.
        XCTAssertEqual(AuditEntry.hash(seq: 1234567, at: "2026-12-05T06:00:00.000Z", principal: "hr.bộ-nội-vụ", method: "person.create",
                                       target: AuditTarget(type: "person", id: "42"),
                                       paramsText: #"{"full_name":"Trần \"Út\" Đức\n"}"#, outcome: "error: \"x\"\t",
                                       prevHash: genesis),
                       "fd60a3dca9b73534193877a1b422f89d23aa6864ff9481b6791e1833b529c585")
        // A write hashes its preamble before the shared commit and ends it there: one preamble,
        // ended more than once, gives each ending's hash (ending does not consume it).
        let preamble = AuditPreamble(at: "2026-01-02T03:04:05.006Z", method: "token.revoke", outcome: "ok", paramsText: #"{"id":7}"#)
        for _ in 0..<2 {
            XCTAssertEqual(preamble.hash(prevHash: genesis, principal: "admin", seq: 1, target: nil),
                           "fa4254d93b74c439ba7e91ce3e540a10bca5e4f87988d6efe6dbc9fe2be0198b")
            XCTAssertEqual(preamble.hash(prevHash: genesis, principal: "admin", seq: 1, target: AuditTarget(type: "token", id: "7")),
                           "620d99e1976d112a46acf19d7a59ec2129102565a47bed42cc9c090da4af1dd6")
        }
        // The same bytes as JSONWriter's sorted object, which the hashes were first written from.
        for target in [AuditTarget(type: "person", id: "42"), nil] {
            let targetJSON: JSONValue = target.map { ["type": .string($0.type), "id": .string($0.id)] } ?? .null
            let entry: [String: JSONValue] = [
                "seq": .int(9), "at": .string("2026-12-05T06:00:00.000Z"), "principal": .string("hr.\"bộ\""), "method": .string("m"),
                "target": targetJSON, "params": .string(#"{"a":"\u0001"}"#), "outcome": .string("ok"), "prev_hash": .string(genesis),
            ]
            let writer = Secrets.sha256Hex(JSONWriter.bytes(.object(entry)))
            XCTAssertEqual(AuditEntry.hash(seq: 9, at: "2026-12-05T06:00:00.000Z", principal: "hr.\"bộ\"", method: "m", target: target,
                                           paramsText: #"{"a":"\u0001"}"#, outcome: "ok", prevHash: genesis), writer)
        }
    }
}

final class TokenStatusTests: XCTestCase {
    private func token(expiresAt: String? = nil, revokedAt: String? = nil) -> Token {
        Token(row: Row(["id": 1, "principal_name": "agent", "label": "nightly", "created_at": "2026-01-01T00:00:00.000Z",
                        "expires_at": expiresAt, "revoked_at": revokedAt, "last_used_at": nil]))
    }

    func testATokenExpiresAtItsExpiryInstantAndRevocationWins() {
        let expiry = "2026-06-01T00:00:00.000Z"
        XCTAssertEqual(token(expiresAt: expiry).status(at: "2026-05-31T23:59:59.999Z"), "active")
        XCTAssertEqual(token(expiresAt: expiry).status(at: expiry), "expired")
        XCTAssertEqual(token().status(at: "2099-01-01T00:00:00.000Z"), "active")
        XCTAssertEqual(token(expiresAt: expiry, revokedAt: "2026-02-01T00:00:00.000Z").status(at: "2026-03-01T00:00:00.000Z"), "revoked")
    }
}
