import CCrystallize

extension HostTable {
    static func installContext(_ t: inout crys_host) {
        t.ctx_get = { ctx, key in
            guard let f = CallFrame.from(ctx), let k = hostString(key) else { return nil }
            return f.contextBox(k)?.pointer
        }
        t.ctx_add = { ctx, key, value in
            guard let f = CallFrame.from(ctx), let k = hostString(key), let v = ValueBox.from(value) else { return CRYS_INVALID }
            guard let c = f.context else { f.error = "this call has no context"; return CRYS_INVALID }
            do { try c.add(k, v.value.detached()) } catch {
                f.error = "\(error)"
                return CRYS_EXISTS
            }
            return CRYS_OK
        }
        t.param = { ctx, name in
            guard let name else { return nil }
            return CallFrame.peek(ctx, nil) { $0.paramBox(cName: name) }
        }
        t.record_metric = { ctx, name, value, tags, count in
            guard let name else { return CRYS_INVALID }
            return CallFrame.peek(ctx, CRYS_INVALID) { f in ValueBox.peek(value, CRYS_INVALID) { v in
                guard let c = f.context else { f.error = "this call has no context"; return CRYS_INVALID }
                let n = f.metricName(name)
                // The header allows I64, F64 and BOOL only: anything else would reach the summary
                // and the verifiers as a number it is not.
                switch v.value {
                case .int, .double, .bool: break
                default:
                    f.error = "step '\(f.exportName)' recorded metric '\(n)' as \(v.value.typeName); metric values must be i64, f64 or bool"
                    return CRYS_TYPE_ERROR
                }
                var tagList: [String] = []
                if let tags { for i in 0..<count { if let s = hostString(tags[i]) { tagList.append(s) } } }
                c.recordMetric(n, v.value, tags: tagList)
                return CRYS_OK
            } }
        }
        t.write_artifact = { ctx, name, bytes, length in
            guard let f = CallFrame.from(ctx), let n = hostString(name) else { return CRYS_INVALID }
            guard let writer = f.services.writeArtifact else { f.error = "artifacts cannot be written from this call"; return CRYS_INVALID }
            let data = bytes.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: length)) } ?? []
            do { try writer(n, data) } catch { f.error = "\(error)"; return CRYS_ERROR }
            return CRYS_OK
        }
        t.write_output = { ctx, name, value in
            guard let f = CallFrame.from(ctx), let n = hostString(name), let v = ValueBox.from(value) else { return CRYS_INVALID }
            guard let writer = f.services.writeOutput else { f.error = "outputs cannot be written from this call"; return CRYS_INVALID }
            do { try writer(n, v.value) } catch { f.error = "\(error)"; return CRYS_ERROR }
            return CRYS_OK
        }
        t.random_u64 = { ctx in CallFrame.peek(ctx, 0) { $0.randomBits() } }
        t.random_uniform = { ctx in CallFrame.peek(ctx, 0) { $0.randomUniform() } }
        t.random_normal = { ctx, mean, sd in CallFrame.peek(ctx, mean) { $0.randomNormal(mean: mean, sd: sd) } }
        t.complete = { done, status, out, error in
            guard let done else { return }
            let c = Unmanaged<AsyncCompletion>.fromOpaque(UnsafeRawPointer(done)).takeRetainedValue()
            c.finish(status: status, output: ValueBox.from(out)?.value, error: hostString(error))
        }
    }
}

/// The host-side object behind a `crys_completion *`: resumes whoever awaits an async step.
final class AsyncCompletion {
    private let onFinish: (crys_status, Value?, String?) -> Void
    init(_ onFinish: @escaping (crys_status, Value?, String?) -> Void) { self.onFinish = onFinish }
    func finish(status: crys_status, output: Value?, error: String?) { onFinish(status, output, error) }

    /// Retained once for the plugin; `complete` releases it, so completing twice is caught by
    /// the Swift runtime instead of silently resuming twice.
    var retainedPointer: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self).toOpaque()) }
}
