/// Artifact codecs: how a declared output (`outputs: {name: {codec: ...}}` in config.yaml) is
/// turned into file bytes, and how a downstream experiment reads the file back.

final class CodecBox: ExportBox {
    let encode: ((StepContext, HostValue) throws -> [UInt8])?
    let decode: ((StepContext, [UInt8]) throws -> HostValue)?
    init(encode: ((StepContext, HostValue) throws -> [UInt8])?, decode: ((StepContext, [UInt8]) throws -> HostValue)?) {
        self.encode = encode; self.decode = decode
    }
}

extension PluginBuilder {
    /// An artifact codec named `name` (the `codec:` of an output): `encode` turns the value a
    /// step writes with `writeOutput` into the file's bytes, `decode` turns a file's bytes back
    /// into a value for the experiments that read it. Give at least one. A throw fails the
    /// write or the read with its message, naming the file.
    ///
    /// ```swift
    /// .codec("lines", encode: { _, v in Array(v.numbers.map { "\($0)" }.joined(separator: "\n").utf8) },
    ///        decode: { ctx, bytes in ctx.make(String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }) })
    /// ```
    @discardableResult
    public func codec(_ name: String, doc: String? = nil, encode: ((StepContext, HostValue) throws -> [UInt8])? = nil,
                      decode: ((StepContext, [UInt8]) throws -> HostValue)? = nil) -> PluginBuilder {
        precondition(encode != nil || decode != nil, "codec '\(name)' needs an encode or a decode function")
        return addExport(CRYS_KIND_ARTIFACT_CODEC, name, doc: doc, params: [], flags: 0,
                         user: CodecBox(encode: encode, decode: decode)) {
            if encode != nil { $0.encode = encodeTrampoline }
            if decode != nil { $0.decode = decodeTrampoline }
        }
    }
}

private let encodeTrampoline: crys_encode_fn = { ctx, value, out, user in
    do {
        let c = StepContext(ctx!)
        let bytes = try box(user, CodecBox.self).encode!(c, HostValue(value)!)
        out?.pointee = c.make(bytes: bytes).raw
        return CRYS_OK
    } catch { return report(ctx, error) }
}

private let decodeTrampoline: crys_decode_fn = { ctx, bytes, length, out, user in
    do {
        let data = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []
        out?.pointee = try box(user, CodecBox.self).decode!(StepContext(ctx!), data).raw
        return CRYS_OK
    } catch { return report(ctx, error) }
}
