import TalentProtocol

/// A closed set of values that the contract lists too (`components.schemas.<contractSchema>.enum`).
/// The daemon refuses to start when a Swift enum and its contract enum differ, as it does for the
/// method table, so a value added in one place only is caught before any client sees it.
protocol ContractEnum: CaseIterable, RawRepresentable, Sendable where RawValue == String {
    static var contractSchema: String { get }
    static var rawValues: [String] { get }
}

extension ContractEnum {
    static var rawValues: [String] { allCases.map(\.rawValue) }
}

enum EnumCheck {
    /// Every enum the contract names.
    static let all: [any ContractEnum.Type] = [
        Role.self, OrgKind.self, Gender.self, AppointmentPost.self, AppointmentStatus.self, EquivalentRank.self,
        ParamUnit.self,
        CampaignTier.self, CampaignState.self, ApplicationStage.self, ApplicationSource.self, RejectReason.self, ConflictKind.self,
        AwardRoundState.self, CategoryKind.self, NominationStatus.self, ScreeningAgency.self,
        ScreenOutcome.self, Recommendation.self, Normalization.self, AwardOutcome.self, DeclaredConflictKind.self,
        DutyKind.self, DutyStatus.self,
        EventTopic.self,
    ]

    static func check(against contract: Contract) throws {
        let schemas = contract.document["components"]?["schemas"]
        for type in all {
            let declared = (schemas?[type.contractSchema]?["enum"]?.arrayValue ?? []).compactMap(\.stringValue)
            if declared.sorted() != type.rawValues.sorted() {
                throw Contract.Mismatch(description: "components.schemas.\(type.contractSchema).enum in openrpc.json is \(declared), "
                                        + "the daemon's \(type) is \(type.rawValues)")
            }
        }
    }
}
