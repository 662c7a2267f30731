import GRDB
import TalentProtocol

/// One org of the coverage report with the holder of each chief-engineer post (or none).
struct CoverageRow: FetchableRecord, Sendable {
    struct Holder: Sendable {
        let appointmentID: Int64
        let personID: Int64
        let fullName: String
        let since: String

        var json: JSONValue {
            ["appointment_id": .int(appointmentID), "person_id": .int(personID),
             "full_name": .string(fullName), "since": .string(since)]
        }
    }

    let code: String
    let kind: String
    let name: String
    let sti: Holder?
    let ops: Holder?

    init(row: Row) {
        code = row["code"]; kind = row["kind"]; name = row["name"]
        func holder(_ prefix: String) -> Holder? {
            guard let id: Int64 = row["\(prefix)_id"] else { return nil }
            return Holder(appointmentID: id, personID: row["\(prefix)_person"], fullName: row["\(prefix)_name"],
                          since: row["\(prefix)_since"])
        }
        sti = holder("sti"); ops = holder("ops")
    }

    var json: JSONValue {
        ["code": .string(code), "kind": .string(kind), "name": .string(name),
         "chief_engineer_sti": sti?.json ?? .null, "chief_engineer_ops": ops?.json ?? .null]
    }
}
