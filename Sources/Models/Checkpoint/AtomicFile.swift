// Crash-safe file replacement for checkpoints: write a temporary file next to the target, flush it to disk,
// then rename it over the target (rename is atomic within one file system), so an interrupted run never
// leaves a half-written checkpoint behind.

import Foundation

/// Atomic whole-file writes.
public enum AtomicFile {
    /// The prefix of temporary files: `.<name>.tmp-<pid>-<random>` in the target's directory.
    static func temporaryPrefix(for name: String) -> String { ".\(name).tmp-" }

    /// Replaces the file at `path` with `bytes` atomically: the bytes go to a temporary file in the same
    /// directory, which is flushed (`fsync`) and renamed over `path`; the directory is then flushed so the
    /// rename itself survives a power cut. On any failure the temporary file is removed and the old file, if
    /// any, is left untouched. Throws `CheckpointError.unwritable` naming `path` and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = (directory as NSString).appendingPathComponent(
            temporaryPrefix(for: url.lastPathComponent) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        func failure(_ what: String, _ code: Int32) -> CheckpointError {
            .unwritable(path: path, reason: "\(what): \(String(cString: strerror(code)))")
        }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw failure("cannot create a temporary file in \(directory)", errno) }
        var written = 0
        var code: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    code = errno
                    return
                }
                written += n
            }
        }
        if code == 0 && fsync(fd) != 0 { code = errno }
        if close(fd) != 0 && code == 0 { code = errno }
        if code != 0 {
            unlink(temporary)
            throw failure("writing failed", code)
        }
        if rename(temporary, path) != 0 {
            let renameError = errno
            unlink(temporary)
            throw failure("cannot replace the file", renameError)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)  // best effort: some file systems cannot flush a directory
            close(directoryFD)
        }
    }

    /// Removes the temporary files that writes into `directory` left behind when their process was killed
    /// between creating and renaming them: `.<name>.tmp-<pid>-<random>` whose process `<pid>` no longer runs
    /// (a live writer's files are left alone). Returns the names removed; unreadable folders remove nothing.
    @discardableResult
    public static func removeStaleTemporaryFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            let parts = name[marker.upperBound...].split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), UInt32(parts[1]) != nil else { continue }
            if pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH { continue }
            if unlink((directory as NSString).appendingPathComponent(name)) == 0 { removed.append(name) }
        }
        return removed
    }
}
