import OrderedCollections

/// Fills declared parameters the crystallize-ml way: explicit param, else the context key of
/// the same name, else the declared default, else an error naming the step and parameter.
enum ParameterResolver {
    /// Appends the value of each parameter of `table` to `values`, in the table's order.
    /// `explicit` holds the config's value for each parameter of the table (nil: not given).
    static func resolve(step: String, table: ParamTable, explicit: [Value?], context: RunContext, into values: inout [Value]) throws {
        for i in 0..<table.count { values.append(try resolveOne(i, step: step, table: table, explicit: explicit, context: context)) }
    }

    /// `resolve` with each parameter's source worked out ahead for the context's condition
    /// (`ParamSource.plan`): the same values, reads and errors, without scanning the context
    /// for parameters whose source is already known.
    static func resolve(step: String, table: ParamTable, sources: [ParamSource], explicit: [Value?], context: RunContext,
                        into values: inout [Value]) throws {
        let onlyHostKeys = context.holdsOnlyHostKeys
        for i in 0..<table.count {
            switch sources[i] {
            case .explicit(let v): values.append(v)
            case .hostKey(let position): values.append(context.readHostKey(at: position))
            case .fallback(let d) where onlyHostKeys: values.append(d)
            default: values.append(try resolveOne(i, step: step, table: table, explicit: explicit, context: context))
            }
        }
    }

    /// Where parameter `i` comes from: the config's value, else the context's key of its name,
    /// else its default; nil when none has it. The one precedence rule (`--debug` reports it).
    static func origin(_ i: Int, table: ParamTable, explicit: [Value?], inContext: (String) -> Bool) -> ParamOrigin? {
        if explicit[i] != nil { return .explicit }
        if inContext(table.names[i]) { return .context }
        return table.defaults[i] != nil ? .default : nil
    }

    /// The value of parameter `i`, resolved the general way.
    private static func resolveOne(_ i: Int, step: String, table: ParamTable, explicit: [Value?], context: RunContext) throws -> Value {
        let v: Value
        switch origin(i, table: table, explicit: explicit, inContext: { context.state.values[$0] != nil }) {
        case .explicit: v = explicit[i]!
        case .context: v = context.get(table.names[i])!
        case .default: v = table.defaults[i]!
        case nil:
            throw StepCallError(message: "step '\(step)' needs parameter '\(table.names[i])': it is not in the step's params, not in the context, and has no default")
        }
        guard table.types[i].accepts(v) else {
            throw StepCallError(message: "step '\(step)' parameter '\(table.names[i])' must be \(table.types[i].rawValue), got \(v.typeName)")
        }
        return v
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

/// Where one parameter of a stage takes its value from under one condition, worked out once
/// per run: the config, the condition's host keys and the declared defaults are known before
/// any step runs; only keys that steps add are not.
enum ParamSource {
    /// The config's value for the step (of an accepted type).
    case explicit(Value)
    /// The host key at this position of the context (replicate, condition, seed_used or a
    /// treatment key). Keys are add-only, so no step can shadow it; reading it still goes to
    /// the step's provenance as a read.
    case hostKey(Int)
    /// The declared default. The name is not a host key, so only a key some earlier step added
    /// could take precedence: the context is searched only when a step has added one.
    case fallback(Value)
    /// Resolved the general way on every call: a value of the wrong type or no value at all
    /// (the call reports which), or a condition whose host keys are not known ahead.
    case lookup

    /// The sources of `table`'s parameters, given the config's `explicit` values and the
    /// context's host keys under the condition (nil: not known ahead).
    static func plan(_ table: ParamTable, explicit: [Value?], hostKeys: OrderedDictionary<String, Value>?) -> [ParamSource] {
        table.names.indices.map { i in
            if let e = explicit[i] { return table.types[i].accepts(e) ? .explicit(e) : .lookup }
            guard let hostKeys else { return .lookup }
            if let at = hostKeys.index(forKey: table.names[i]) { return table.types[i].accepts(hostKeys.values[at]) ? .hostKey(at) : .lookup }
            if let d = table.defaults[i] { return .fallback(d) }
            return .lookup
        }
    }
}
