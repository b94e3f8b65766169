import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `hearth` command run to completion in its own process, with what it cost as the kernel
/// counted it (`wait4`'s resource usage: only this child, unlike `RUSAGE_CHILDREN`).
struct ChildRun {
    let seconds: Double
    /// Bytes the process caused to be written to storage (512-byte blocks, as /usr/bin/time -v).
    let bytesWritten: Int64
    let output: String

    /// Peak resident memory as the command reported it ("peak memory 270 MB", from its own
    /// VmHWM). Not `wait4`'s ru_maxrss: Linux carries the spawning process's high-water mark
    /// across exec, so that figure would be this benchmark's own memory.
    var peakResidentBytes: Int64 {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("peak memory ") }) else { return -1 }
        let parts = line.dropFirst("peak memory ".count).split(separator: " ")
        guard parts.count == 2, let value = Double(parts[0]) else { return -1 }
        return Int64(value * (parts[1] == "GB" ? 1e9 : 1e6))
    }
}

enum ChildProcess {
    /// `hearth` next to this binary.
    static var hearth: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hearth").path
    }

    /// Runs `hearth arguments…` with standard output to `outputPath` (or a scratch file).
    static func hearth(_ arguments: [String], outputPath: String? = nil) throws -> ChildRun {
        let output = outputPath ?? NSTemporaryDirectory() + "hearth-bench-child-\(getpid()).out"
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([hearth] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = monotonicSeconds()
        let rc = posix_spawn(&pid, hearth, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("cannot start \(hearth): error \(rc)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = monotonicSeconds() - start
        // A named output file is the caller's (an export, say): not read back here.
        let text = outputPath == nil ? (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" : ""
        if outputPath == nil { unlink(output) }
        guard status == 0 else { throw BenchError("hearth \(arguments.joined(separator: " ")) failed (status \(status)): \(text.suffix(500))") }
        return ChildRun(seconds: seconds, bytesWritten: Int64(usage.ru_oublock) * 512, output: text)
    }
}
