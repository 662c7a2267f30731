import GRDB
import TalentProtocol

/// One line of pay with everything needed to recompute it by hand.
struct PayComponent: Sendable, Equatable {
    struct Input: Sendable, Equatable {
        let parameter: String
        let value: JSONValue
        let effectiveFrom: String?
        let decisionRef: String?

        init(_ parameter: String, _ value: JSONValue, effectiveFrom: String?, decisionRef: String?) {
            self.parameter = parameter; self.value = value; self.effectiveFrom = effectiveFrom; self.decisionRef = decisionRef
        }

        init(_ recorded: ParamValue) {
            self.init(recorded.name, recorded.value, effectiveFrom: recorded.effectiveFrom, decisionRef: recorded.decisionRef)
        }

        var json: JSONValue {
            var object: [String: JSONValue] = ["parameter": .string(parameter), "value": value]
            if let effectiveFrom { object["effective_from"] = .string(effectiveFrom) }
            if let decisionRef { object["decision_ref"] = .string(decisionRef) }
            return .object(object)
        }
    }

    enum Source: Sendable, Equatable {
        case appointment(Int64)
        case expert(Int64)

        var json: JSONValue {
            switch self {
            case .appointment(let id): ["appointment_id": .int(id)]
            case .expert(let id): ["expert_id": .int(id)]
            }
        }
    }

    let key: String
    let title: String
    let amount: Int64
    let formula: String
    let inputs: [Input]
    let source: Source

    var json: JSONValue {
        ["key": .string(key), "title": .string(title), "amount": .int(amount), "formula": .string(formula),
         "inputs": .array(inputs.map(\.json)), "source": source.json]
    }
}

/// A chief engineer's or chief architect's post held on a date: what its formulas read.
struct PaidPost: FetchableRecord, Sendable {
    let appointmentID: Int64
    let org: String
    let post: AppointmentPost
    let personID: Int64
    let rank: String
    let salaryCoefficient: Coefficient?
    let decisionRef: String?
    let termStart: String

    init(row: Row) {
        appointmentID = row["id"]; org = row["org"]; post = row["post"]; personID = row["person_id"]
        rank = row["equivalent_rank"]; decisionRef = row["decision_ref"]; termStart = row["term_start"]
        salaryCoefficient = (row["salary_coefficient"] as Int64?).map(Coefficient.init(thousandths:))
    }

    init(appointmentID: Int64, org: String, post: AppointmentPost, personID: Int64, rank: String,
         salaryCoefficient: Coefficient?, decisionRef: String?, termStart: String) {
        self.appointmentID = appointmentID; self.org = org; self.post = post; self.personID = personID; self.rank = rank
        self.salaryCoefficient = salaryCoefficient; self.decisionRef = decisionRef; self.termStart = termStart
    }
}

/// The tiers of the special remuneration policy for experts. No expert register exists yet (the
/// recruitment issue will add it): the formula is here, unit-tested, and waits for its source.
enum ExpertTier: String, CaseIterable, Sendable {
    case leadingExpert = "leading_expert", expert
}

/// An expert engaged under the special policy, as the recruitment register will record one.
struct ExpertEngagement: Sendable {
    let expertID: Int64
    let org: String
    let personID: Int64
    let tier: ExpertTier
}

/// A formula and the date from which it applies (as OpenFisca's `formula_YYYY_MM_DD`): when the
/// law changes how pay is computed, a new dated formula is added and the old one keeps pricing
/// the months before it.
struct Dated<Formula: Sendable>: Sendable {
    let from: String
    let formula: Formula

    /// The formula in force on `day`: the latest whose date is not after it.
    static func applicable(_ formulas: [Dated], on day: String) -> Dated? {
        formulas.filter { $0.from <= day }.max { $0.from < $1.from }
    }
}

/// The rules, as code. Parameters are data (`param.*`); these say how they combine. Parameter
/// names: `base_salary` (vnd), `leadership_allowance.<equivalent_rank>` (coefficient),
/// `expert_allowance.<tier>` (coefficient); the appointee's own coefficient is on the appointment.
enum Formulas {
    typealias PostFormula = @Sendable (PaidPost, String, ParameterBook) throws -> [PayComponent]
    typealias ExpertFormula = @Sendable (ExpertEngagement, String, ParameterBook) throws -> [PayComponent]

    static let chiefPost: [Dated<PostFormula>] = [Dated(from: "2019-07-01", formula: chiefPost_2019_07_01)]
    static let expert: [Dated<ExpertFormula>] = [Dated(from: "2019-07-01", formula: expert_2019_07_01)]

    /// Chief engineers and architects get "policies and regimes the same as the corresponding
    /// management staff": the leadership allowance of their equivalent_rank, plus their own salary
    /// coefficient where the appointment records one, each times the base salary.
    @Sendable static func chiefPost_2019_07_01(_ post: PaidPost, _ day: String, _ book: ParameterBook) throws -> [PayComponent] {
        let base = try book.amount("base_salary", on: day)
        let allowance = try book.coefficient("leadership_allowance.\(post.rank)", on: day)
        var components = [try component(
            key: "leadership_allowance", title: "Leadership-position allowance of \(post.rank)", coefficient: allowance.coefficient,
            coefficientName: allowance.name, base: base, inputs: [.init(allowance), .init(base)],
            source: .appointment(post.appointmentID))]
        if let own = post.salaryCoefficient {
            let input = PayComponent.Input("salary_coefficient", .string(own.description), effectiveFrom: post.termStart,
                                           decisionRef: post.decisionRef)
            components.append(try component(
                key: "salary", title: "Salary at the appointee's own coefficient", coefficient: own,
                coefficientName: "salary_coefficient", base: base, inputs: [input, .init(base)],
                source: .appointment(post.appointmentID)))
        }
        return components
    }

    /// Leading experts and experts: their tier's coefficient times the base salary.
    @Sendable static func expert_2019_07_01(_ expert: ExpertEngagement, _ day: String, _ book: ParameterBook) throws -> [PayComponent] {
        let base = try book.amount("base_salary", on: day)
        let allowance = try book.coefficient("expert_allowance.\(expert.tier.rawValue)", on: day)
        return [try component(
            key: "expert_allowance", title: "Special allowance of a \(expert.tier.rawValue.replacingOccurrences(of: "_", with: " "))",
            coefficient: allowance.coefficient, coefficientName: allowance.name, base: base,
            inputs: [.init(allowance), .init(base)], source: .expert(expert.expertID))]
    }

    /// coefficient × base, rounded once to the dong, half up; the formula text shows the exact product.
    static func component(key: String, title: String, coefficient: Coefficient, coefficientName: String, base: ParamValue,
                          inputs: [PayComponent.Input], source: PayComponent.Source) throws -> PayComponent {
        let amount = try Money.times(coefficient, base.stored)
        let exact = Coefficient.exactProduct(coefficient, base.stored)
        let rounding = exact == String(amount) ? "" : " = \(exact), rounded half up to the dong"
        return PayComponent(key: key, title: title, amount: amount,
                            formula: "\(coefficientName) × base_salary = \(coefficient) × \(base.stored)\(rounding) = \(amount)",
                            inputs: inputs, source: source)
    }

    /// Every component of one post on `day` (none before the first formula applies).
    static func price(_ post: PaidPost, on day: String, _ book: ParameterBook) throws -> [PayComponent] {
        try Dated.applicable(chiefPost, on: day)?.formula(post, day, book) ?? []
    }

    static func price(_ expert: ExpertEngagement, on day: String, _ book: ParameterBook) throws -> [PayComponent] {
        try Dated.applicable(Self.expert, on: day)?.formula(expert, day, book) ?? []
    }
}

extension Coefficient {
    /// coefficient × amount exactly, as a decimal string ("2925000.5"), before any rounding.
    static func exactProduct(_ c: Coefficient, _ amount: Int64) -> String {
        Coefficient(thousandths: c.thousandths.multipliedReportingOverflow(by: amount).partialValue).description
    }
}
