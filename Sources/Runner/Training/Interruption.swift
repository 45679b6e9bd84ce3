import CProcessControl
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

    /// Installs the handlers and unblocks both signals in the calling thread (and the threads and processes it
    /// starts later); call once before training. A process inherits its parent's blocked signals: started by a
    /// thread that blocks them (a Swift program's `Process`, run from a Dispatch thread), it would never see them.
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interruption.flag.exchange(true, ordering: .relaxed) {
                _exit(128 + signal)  // second signal: the user insists
            }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        unblock(SIGINT, SIGTERM)
    }

    /// Makes the end of the process `parent` a stop request, however the parent ends (SIGKILL included), and installs
    /// the handlers: a sweep's trial then checkpoints and stops, as an interrupted run does, instead of training on
    /// orphaned. The kernel sends the signal chosen (SIGHUP, Linux's `PR_SET_PDEATHSIG`) each time this process is
    /// handed to a new parent — once per thread of a multi-threaded parent as its threads end — so its handler only
    /// sets the flag, where a second SIGINT or SIGTERM would exit at once. A parent already gone when this is called
    /// is a stop request at once. Returns false when the system cannot do it (not Linux).
    @discardableResult
    static func stopWhenParentExits(_ parent: pid_t) -> Bool {
        install()
        signal(SIGHUP) { _ in Interruption.flag.store(true, ordering: .relaxed) }
        unblock(SIGHUP)
        guard tapegrad_set_parent_death_signal(SIGHUP) == 0 else { return false }
        // The parent may have ended between this process's start and the call above: then no signal will come.
        if getppid() != parent { request() }
        return true
    }

    /// Unblocks `signals` in the calling thread and the threads and processes it starts later.
    private static func unblock(_ signals: Int32...) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
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
