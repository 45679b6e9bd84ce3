import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM during training: the first signal sets a flag that the training loop checks
/// after each step (it then saves a checkpoint and exits cleanly); a second signal exits at once.
enum Interruption {
    private static let flag = Atomic<Bool>(false)
    /// Looks at `requested` left before it becomes true by itself; 0: none pending (see `request(afterChecks:)`).
    private static let countdown = Atomic<Int>(0)

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
    static var requested: Bool {
        if flag.load(ordering: .relaxed) { return true }
        guard countdown.load(ordering: .relaxed) > 0,
            countdown.wrappingSubtract(1, ordering: .relaxed).newValue == 0
        else { return false }
        flag.store(true, ordering: .relaxed)
        return true
    }

    /// Clears the flag and any pending request (tests).
    static func reset() {
        flag.store(false, ordering: .relaxed)
        countdown.store(0, ordering: .relaxed)
    }

    /// Requests a stop at the `checks`-th look at `requested` from now, as a signal arriving just before it would
    /// (tests: the training loops look once a step, so this stops a run at a chosen step).
    static func request(afterChecks checks: Int) {
        precondition(checks > 0, "Interruption.request(afterChecks:): \(checks) checks, expected at least 1")
        countdown.store(checks, ordering: .relaxed)
    }

    /// Requests a stop as a signal would (tests).
    static func request() { flag.store(true, ordering: .relaxed) }
}
