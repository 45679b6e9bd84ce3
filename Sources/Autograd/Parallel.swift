// Work split over the machine's cores: a small pool of worker threads that run the chunks of one loop together with
// the calling thread (the fork–join of OpenMP's `parallel for`, which PyTorch's CPU kernels use through
// `at::parallel_for`). OpenBLAS is kept to one thread and large matrix products are split here instead: its own
// threads spin in `sched_yield` between the many small products of a training step and cost more than they give.
import CBLAS
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How many threads large kernels and matrix products use.
public enum Parallelism {
    /// Threads a parallel loop runs on: the calling thread plus `threadCount − 1` workers. Defaults to the
    /// `TAPEGRAD_NUM_THREADS` environment variable, else the number of active processors; 1 runs everything on the
    /// calling thread.
    public static var threadCount: Int {
        get { WorkerPool.shared.threadCount.load(ordering: .relaxed) }
        set {
            precondition(newValue >= 1, "Parallelism.threadCount must be at least 1, got \(newValue)")
            WorkerPool.shared.threadCount.store(newValue, ordering: .relaxed)
        }
    }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over `Parallelism.threadCount` threads (each thread takes the
/// next index until none is left), and returns when all have run. Indices run concurrently, so `body` must only
/// write what its index owns. A call made while another parallel loop is running (from inside `body`, or from
/// another thread) runs its indices on the calling thread, in order.
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 0 { return }
    if count == 1 { return body(0) }
    WorkerPool.shared.run(count, body)
}

/// Splits `0..<total` into at most `Parallelism.threadCount` contiguous ranges of at least `grain` elements each and
/// runs `body` on each range in parallel (one range on the calling thread when `total < 2 · grain`).
public func parallelRanges(_ total: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let threads = Parallelism.threadCount
    let chunks = min(threads, max(1, total / max(grain, 1)))
    if chunks <= 1 {
        if total > 0 { body(0..<total) }
        return
    }
    parallelFor(chunks) { chunk in
        body((chunk * total / chunks)..<((chunk + 1) * total / chunks))
    }
}

/// The worker threads behind `parallelFor`. A job is published in `control`, one word holding its generation, a
/// "closed" bit and how many workers joined it. An idle worker that sees a new generation joins by incrementing the
/// count, unless the job is closed or has all the workers it wants; it then takes indices from `next` until they run
/// out and reports in `finished`. The caller takes indices too, closes the job when none is left and waits only for
/// the workers that joined, so a worker the system has not scheduled (another process on the core) never holds the
/// caller up. Idle workers spin for a while (a training step alternates short serial and parallel stretches, and
/// waking a sleeping thread costs tens of microseconds here), then sleep on a condition variable.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    let threadCount: Atomic<Int>
    /// generation << 16 | closed bit | workers joined.
    private let control = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The job's body, index count and wanted workers; written before `control` publishes the job, read by workers
    /// after they joined it.
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    private nonisolated(unsafe) var jobCount = 0
    private nonisolated(unsafe) var wanted = 0
    private nonisolated(unsafe) var workers = 0

    private static let closed = 1 << 15
    private static let joinedMask = closed - 1
    /// How long an idle worker spins before it sleeps.
    private static let spinNanoseconds: UInt64 = 2_000_000

    private init() {
        let environment = ProcessInfo.processInfo.environment["TAPEGRAD_NUM_THREADS"].flatMap { Int($0) }
        threadCount = Atomic(max(1, environment ?? ProcessInfo.processInfo.activeProcessorCount))
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        openblas_set_num_threads(1)
    }

    /// Whether a parallel loop is running (a loop started now would run on its calling thread).
    var isBusy: Bool { busy.load(ordering: .relaxed) }

    func run(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount.load(ordering: .relaxed), count)
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<count { body(i) }  // inside another loop: on this thread, in order
            return
        }
        guard threads > 1 else {
            // One thread: in order here, but marked busy as on more threads, so that what the loop runs (a
            // product that would split itself) does the same work on any thread count.
            defer { busy.store(false, ordering: .releasing) }
            for i in 0..<count { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        while workers < threads - 1 { startWorker() }
        withoutActuallyEscaping(body) { body in
            job = body
            jobCount = count
            wanted = threads - 1
            next.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            let generation = (control.load(ordering: .relaxed) >> 16) + 1
            control.store(generation << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            work(body)
            let joined = control.bitwiseOr(Self.closed, ordering: .acquiringAndReleasing).oldValue & Self.joinedMask
            while finished.load(ordering: .acquiring) < joined { tapegrad_spin_pause() }
            job = nil
        }
    }

    /// Takes indices of the current job until none is left.
    private func work(_ body: (Int) -> Void) {
        while true {
            let i = next.add(1, ordering: .relaxed).oldValue
            if i >= jobCount { return }
            body(i)
        }
    }

    /// A joined worker's share of the job. Its own frame, so that the worker's reference to the body is gone
    /// before it reports (the caller checks that nothing keeps the body once it returns).
    @inline(never)
    private func workOnJob() {
        work(job!)
    }

    private func startWorker() {
        workers += 1
        let seen = control.load(ordering: .acquiring) >> 16
        let thread = Thread { [self] in loop(seen: seen) }
        thread.name = "TapeGrad worker \(workers)"
        thread.start()
    }

    private func loop(seen: Int) {
        var seen = seen
        while true {
            var spins = 0
            var idleSince = DispatchTime.now().uptimeNanoseconds
            var state = control.load(ordering: .acquiring)
            while state >> 16 == seen {
                spins += 1
                if spins % 1024 == 0 && DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinNanoseconds {
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while control.load(ordering: .sequentiallyConsistent) >> 16 == seen {
                        pthread_cond_wait(wake, mutex)
                    }
                    sleepers.subtract(1, ordering: .relaxed)
                    pthread_mutex_unlock(mutex)
                    idleSince = DispatchTime.now().uptimeNanoseconds
                }
                tapegrad_spin_pause()
                state = control.load(ordering: .acquiring)
            }
            seen = state >> 16
            // Join unless the caller closed the job or it has the workers it wants.
            while state >> 16 == seen && state & Self.closed == 0 && state & Self.joinedMask < wanted {
                let (exchanged, current) = control.compareExchange(
                    expected: state, desired: state + 1, ordering: .acquiringAndReleasing)
                if exchanged {
                    workOnJob()
                    finished.add(1, ordering: .releasing)
                    break
                }
                state = current
            }
        }
    }
}
