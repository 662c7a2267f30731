/// The method contract read from the OpenRPC document: for each method, the schema its named
/// params must satisfy. The daemon refuses to start if its method table and the document differ.
public struct Contract: Sendable {
    public let document: JSONValue
    public let paramsSchemas: [String: Schema]

    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(document: JSONValue) throws {
        self.document = document
        let components = document["components"]?["schemas"]?.objectValue ?? [:]
        var schemas: [String: Schema] = [:]
        for method in document["methods"]?.arrayValue ?? [] {
            guard let name = method["name"]?.stringValue else { throw Mismatch(description: "a method without a name") }
            if let structure = method["paramStructure"]?.stringValue, structure != "by-name" {
                throw Mismatch(description: "\(name): only by-name params are supported")
            }
            var properties: [String: JSONValue] = [:]
            var required: [JSONValue] = []
            for descriptor in method["params"]?.arrayValue ?? [] {
                guard let paramName = descriptor["name"]?.stringValue, let schema = descriptor["schema"] else {
                    throw Mismatch(description: "\(name): a param without name or schema")
                }
                properties[paramName] = schema
                if descriptor["required"] == .bool(true) { required.append(.string(paramName)) }
            }
            let object: JSONValue = .object([
                "type": "object", "properties": .object(properties), "required": .array(required),
                "additionalProperties": false,
            ])
            do {
                schemas[name] = try Schema(object, components: components)
            } catch {
                throw Mismatch(description: "\(name): \(error)")
            }
        }
        paramsSchemas = schemas
    }

    /// Every method in the table must be in the contract and the other way round.
    public func check(against methods: [RPCMethod]) throws {
        let table = Set(methods.map(\.name))
        let documented = Set(paramsSchemas.keys)
        if let missing = table.subtracting(documented).sorted().first {
            throw Mismatch(description: "method \(missing) is in the method table but not in openrpc.json")
        }
        if let extra = documented.subtracting(table).sorted().first {
            throw Mismatch(description: "method \(extra) is in openrpc.json but has no handler")
        }
    }
}
