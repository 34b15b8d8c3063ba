import Foundation

/// Something that watches a run. `receive` is called for each event in publication order, one
/// event at a time (the bus serialises delivery), on whatever thread published it: return
/// quickly and hand heavy work to a queue of your own.
public protocol RunEventSubscriber: AnyObject {
    /// Called once per published event.
    func receive(_ event: RunEvent)
}

/// The run's event stream: the engine publishes, subscribers receive.
///
/// A bus without subscribers costs one load and a branch per publication: events are built
/// lazily (`@autoclosure`), so a run nobody watches builds none.
public final class RunEventBus: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [RunEventSubscriber] = []
    /// Read without the lock on the hot path: a stale `false` only skips an event published
    /// while a subscriber is being added, which happens before the run starts.
    private var active = false

    /// An empty bus.
    public init() {}

    /// Whether anyone listens (publishers may skip work that only feeds events).
    public var isActive: Bool { active }

    /// Adds a subscriber; it receives every event published from now on.
    public func subscribe(_ subscriber: RunEventSubscriber) {
        lock.lock(); defer { lock.unlock() }
        subscribers.append(subscriber)
        active = true
    }

    /// Removes a subscriber (compared by identity); it receives nothing published later.
    public func unsubscribe(_ subscriber: RunEventSubscriber) {
        lock.lock(); defer { lock.unlock() }
        subscribers.removeAll { $0 === subscriber }
        active = !subscribers.isEmpty
    }

    /// Publishes an event to every subscriber; builds it only if someone listens.
    public func publish(_ event: @autoclosure () -> RunEvent) {
        guard active else { return }
        let e = event()
        lock.lock(); defer { lock.unlock() }
        for s in subscribers { s.receive(e) }
    }
}

/// A subscriber made of a closure, for tests and small adapters.
public final class ClosureSubscriber: RunEventSubscriber {
    private let body: (RunEvent) -> Void
    /// A subscriber calling `body` for each event.
    public init(_ body: @escaping (RunEvent) -> Void) { self.body = body }
    /// Calls the closure.
    public func receive(_ event: RunEvent) { body(event) }
}
