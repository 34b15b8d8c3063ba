#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections

/// A callable's declared parameters other than `data`, in order, with each name also kept as a
/// C string.
///
/// A call's resolved parameters are a plain array in this order, and the ABI's `param(ctx,
/// name)` finds one by comparing the plugin's C string against these names: no dictionary is
/// built and no Swift string is made on a step call.
final class ParamTable {
    /// The parameters, `data` left out.
    let specs: [ParamSpec]
    /// The same parameters' names, types and defaults, apart: resolution reads these on every
    /// call without copying whole specs.
    let names: [String]
    let types: [ParamType]
    let defaults: [Value?]
    private let cNames: [UnsafeMutablePointer<CChar>]

    /// The table of `params` (a `data` parameter is skipped: it is the pipeline's value).
    init(_ params: [ParamSpec]) {
        specs = params.filter { $0.name != "data" }
        names = specs.map(\.name)
        types = specs.map(\.type)
        defaults = specs.map(\.defaultValue)
        cNames = specs.map { strdup($0.name)! }
    }

    /// The table of an already resolved map, for calls made outside a pipeline (hooks,
    /// verifiers, strategies, lifecycle) whose parameters carry no declared types.
    convenience init<Names: Sequence<String>>(names: Names) {
        self.init(names.map { ParamSpec(name: $0, type: .any, defaultValue: nil, doc: nil) })
    }

    deinit { cNames.forEach { free($0) } }

    /// No parameters.
    static let empty = ParamTable([])

    /// How many parameters there are.
    var count: Int { specs.count }

    /// The position of the parameter called `cName`.
    func index(cName: UnsafePointer<CChar>) -> Int? {
        for i in cNames.indices where strcmp(cNames[i], cName) == 0 { return i }
        return nil
    }

    /// The position of the parameter called `name`.
    func index(of name: String) -> Int? { names.firstIndex(of: name) }
}
