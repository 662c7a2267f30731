import TalentProtocol

/// `kpi.report`: the program's quantitative KPIs on a date, per org and nationally, with no
/// personal data (counts only). PROTOCOL.md defines every number.
struct KpiMethods: Sendable {
    func report(_ call: Call, _ store: KpiStore) throws -> JSONValue {
        let day = call.date("at") ?? CalendarDate(call.today)!
        let at = day.description
        // The method table already refused another org to a caller limited to its own.
        let org = call.org
        if let org, try store.orgs.find(code: org) == nil {
            throw RPCError.notFound("no org with code \(org); org.list shows the codes", details: ["field": "org"])
        }
        let experts = try store.experts.expertCounts(at: at, org: org)
        let nominations = try store.awards.nominationCounts(at: at, org: org)
        let duties = try store.duties.statusCounts(at: day)
        let orgs = try store.appointments.chiefEngineerPosts(at: at, org: org)
            .map { posts in
                OrgKpi(posts: posts, experts: experts[posts.code] ?? ExpertCounts(),
                       nominations: nominations[posts.code] ?? NominationCounts(), duties: duties[posts.code] ?? DutyCounts())
            }
            .sorted { Self.order($0) < Self.order($1) }
        var result: [String: JSONValue] = ["at": .string(at), "orgs": .array(orgs.map(\.json))]
        if let org {
            // One org's view: the national totals, the registry and the other orgs' ranks are left out.
            result["org"] = .string(org)
        } else {
            result["national"] = national(orgs)
            result["data_quality"] = try store.persons.dataQuality().json
            result["on_time_ranking"] = .array(Self.ranking(orgs))
        }
        return .object(result)
    }

    /// coverage.report's order: by kind as the contract lists the kinds (ministries first), then by code.
    private static func order(_ org: OrgKpi) -> (Int, String) {
        (OrgKind.allCases.firstIndex(of: org.posts.kind) ?? OrgKind.allCases.count, org.posts.code)
    }

    private func national(_ orgs: [OrgKpi]) -> JSONValue {
        let posts = orgs.map(\.posts)
        return [
            "orgs": .int(Int64(orgs.count)),
            "chief_engineers": [
                "posts": .int(Int64(2 * posts.count)),
                "filled": .int(posts.reduce(0) { $0 + $1.filled }),
                "fully_covered_orgs": .int(Int64(posts.count { $0.filled == 2 })),
                "days_vacant": .int(posts.reduce(0) { $0 + $1.sti.daysVacant + $1.ops.daysVacant }),
            ],
            "experts": orgs.map(\.experts).reduce(ExpertCounts(), +).json,
            "nominations": orgs.map(\.nominations).reduce(NominationCounts(), +).json,
            "duties": orgs.map(\.duties).reduce(DutyCounts(), +).json,
        ]
    }

    /// Orgs by on-time rate, highest first (compared exactly, as fractions), then by more rated
    /// duties, then by code; orgs with no rated duty last, by code, without a rank.
    static func ranking(_ orgs: [OrgKpi]) -> [JSONValue] {
        let rated = orgs.filter { $0.duties.rated > 0 }.sorted { a, b in
            let left = a.duties.onTime * b.duties.rated, right = b.duties.onTime * a.duties.rated
            if left != right { return left > right }
            if a.duties.rated != b.duties.rated { return a.duties.rated > b.duties.rated }
            return a.posts.code < b.posts.code
        }
        let unrated = orgs.filter { $0.duties.rated == 0 }.sorted { $0.posts.code < $1.posts.code }
        return rated.enumerated().map { entry($1, rank: .int(Int64($0 + 1))) } + unrated.map { entry($0, rank: .null) }
    }

    private static func entry(_ org: OrgKpi, rank: JSONValue) -> JSONValue {
        ["rank": rank, "org": .string(org.posts.code), "on_time": .int(org.duties.onTime), "rated": .int(org.duties.rated),
         "on_time_rate": org.duties.onTimeRate.map(JSONValue.double) ?? .null]
    }
}
