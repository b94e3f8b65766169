#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file (or standard input for "-") line by line in large chunks. Lines are
/// returned without their newline (and without a trailing carriage return).
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private let ownsFile: Bool
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// Bytes consumed so far (for progress).
    private(set) var bytesRead: Int64 = 0
    /// The file's size, when it is a regular file.
    let totalBytes: Int64?

    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        if path == "-" {
            guard let input = fdopen(STDIN_FILENO, "rb") else { throw OpenError(description: "cannot read standard input") }
            file = input
            ownsFile = false
            totalBytes = nil
        } else {
            guard let opened = fopen(path, "rb") else {
                throw OpenError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            file = opened
            ownsFile = true
            var info = stat()
            totalBytes = fstat(fileno(opened), &info) == 0 ? Int64(info.st_size) : nil
        }
    }

    deinit { if ownsFile { fclose(file) } }

    /// The next line, or nil at the end of input.
    func next() -> [UInt8]? {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                var line = Array(buffer[start..<newline])
                if line.last == 0x0D { line.removeLast() }
                bytesRead += Int64(newline + 1 - start)
                start = newline + 1
                return line
            }
            if atEOF {
                guard start < end else { return nil }
                let line = Array(buffer[start..<end])
                bytesRead += Int64(end - start)
                start = end
                return line
            }
            refill()
        }
    }

    private func refill() {
        if start > 0 {
            buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
            end -= start
            start = 0
        }
        if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
        let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress! + end, 1, $0.count - end, file) }
        if count == 0 { atEOF = true }
        end += count
    }
}
