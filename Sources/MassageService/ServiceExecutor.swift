import Foundation

/// Threads of the service's own for its HTTP and WebSocket tasks, as a task executor
/// preference (SE-0417): the handlers block briefly (Stop waits for its Ack, ClearFault
/// for its answer), and on Swift's cooperative pool (one thread per core) two such waits,
/// or a host whose pool is busy with other work (a test process running everything in
/// parallel), would hold every other request. Structured child tasks (Hummingbird's
/// per-connection tasks) inherit the preference.
public final class ServiceExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's one instance, made on first use; its threads live as long as the process.
    public static let shared = ServiceExecutor(threads: 4)

    // The queue, guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "massaged executor \(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
