import TalentProtocol

/// `coverage.report`: the national compliance view, which orgs have both chief engineers on a
/// date (default today in Vietnam).
struct CoverageMethods: Sendable {
    func report(_ call: Call, _ store: CoverageStore) throws -> JSONValue {
        let at = call.date("at")?.description ?? call.today
        let rows = try store.orgs(on: at, kind: try call.optional(OrgKind.self, "kind"))
        let summary: JSONValue = [
            "orgs": .int(Int64(rows.count)),
            "fully_covered": .int(Int64(rows.count { $0.sti != nil && $0.ops != nil })),
            "missing_sti": .int(Int64(rows.count { $0.sti == nil })),
            "missing_ops": .int(Int64(rows.count { $0.ops == nil })),
        ]
        return ["at": .string(at), "orgs": .array(rows.map(\.json)), "summary": summary]
    }
}
