import OrderedCollections

/// Fills declared parameters the crystallize-ml way: explicit param, else the context key of
/// the same name, else the declared default, else an error naming the step and parameter.
enum ParameterResolver {
    /// Appends the value of each parameter of `table` to `values`, in the table's order.
    /// `explicit` holds the config's value for each parameter of the table (nil: not given).
    static func resolve(step: String, table: ParamTable, explicit: [Value?], context: RunContext, into values: inout [Value]) throws {
        for i in 0..<table.count {
            let v: Value
            if let e = explicit[i] { v = e }
            else if let c = context.get(table.names[i]) { v = c }
            else if let d = table.defaults[i] { v = d }
            else {
                throw StepCallError(message: "step '\(step)' needs parameter '\(table.names[i])': it is not in the step's params, not in the context, and has no default")
            }
            guard table.types[i].accepts(v) else {
                throw StepCallError(message: "step '\(step)' parameter '\(table.names[i])' must be \(table.types[i].rawValue), got \(v.typeName)")
            }
            values.append(v)
        }
    }

    /// The config's value for each parameter of `table`, in its order.
    static func explicitValues(_ explicit: OrderedDictionary<String, Value>, table: ParamTable) -> [Value?] {
        table.specs.map { explicit[$0.name] }
    }

    /// The resolved parameters of `function` by name.
    static func resolve(step: String, function: StepFunction, explicit: OrderedDictionary<String, Value>,
                        context: RunContext) throws -> OrderedDictionary<String, Value> {
        let table = function.paramTable
        var values: [Value] = []
        try resolve(step: step, table: table, explicit: explicitValues(explicit, table: table), context: context, into: &values)
        return OrderedDictionary(uniqueKeys: table.names, values: values)
    }
}
