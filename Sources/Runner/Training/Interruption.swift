import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM during training: the first signal sets a flag that the training loop checks
/// after each step (it then saves a checkpoint and exits cleanly); a second signal exits at once.
enum Interruption {
    private static let flag = Atomic<Bool>(false)

    /// Installs the handlers; call once before training.
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interruption.flag.exchange(true, ordering: .relaxed) {
                _exit(128 + signal)  // second signal: the user insists
            }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Whether a stop was requested.
    static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Clears the flag (tests).
    static func reset() { flag.store(false, ordering: .relaxed) }

    /// Requests a stop as a signal would (tests).
    static func request() { flag.store(true, ordering: .relaxed) }
}
