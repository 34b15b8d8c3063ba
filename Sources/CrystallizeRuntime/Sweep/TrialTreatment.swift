import Foundation
import OrderedCollections

/// A treatment an optimizer asks for, carried in `RunOverrides` so worker processes rebuild
/// exactly the conditions of the parent's trial run.
public struct TrialTreatment: Codable, Equatable {
    /// The treatment's name (`trial_003`).
    public var name: String
    /// Its context additions as a JSON object.
    public var additionsJSON: String

    /// A trial treatment.
    public init(name: String, additions: OrderedDictionary<String, Value>) {
        self.name = name
        additionsJSON = JSONText.encode(.map(additions))
    }

    func condition() throws -> Condition {
        guard case .map(let m) = try JSONText.parse(additionsJSON) else { throw StoreError("trial '\(name)' has no parameter map") }
        return Condition(name: name, additions: m)
    }
}
