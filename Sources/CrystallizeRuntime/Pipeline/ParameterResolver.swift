import OrderedCollections

/// Fills declared parameters the crystallize-ml way: explicit param, else the context key of
/// the same name, else the declared default, else an error naming the step and parameter.
enum ParameterResolver {
    static func resolve(step: String, function: StepFunction, explicit: OrderedDictionary<String, Value>,
                        context: RunContext) throws -> OrderedDictionary<String, Value> {
        var out = OrderedDictionary<String, Value>()
        for p in function.params where p.name != "data" {
            let v: Value
            if let e = explicit[p.name] { v = e }
            else if let c = context.get(p.name) { v = c }
            else if let d = p.defaultValue { v = d }
            else {
                throw StepCallError(message: "step '\(step)' needs parameter '\(p.name)': it is not in the step's params, not in the context, and has no default")
            }
            guard p.type.accepts(v) else {
                throw StepCallError(message: "step '\(step)' parameter '\(p.name)' must be \(p.type.rawValue), got \(v.typeName)")
            }
            out[p.name] = v
        }
        return out
    }
}
