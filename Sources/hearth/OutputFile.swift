#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered output file (or standard output for "-") for JSON lines.
final class OutputFile {
    private let handle: UnsafeMutablePointer<FILE>
    private let ownsHandle: Bool

    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        if path == "-" {
            guard let out = fdopen(STDOUT_FILENO, "wb") else {
                throw OpenError(description: "cannot write standard output")
            }
            handle = out
            ownsHandle = false
        } else {
            guard let file = fopen(path, "wb") else {
                throw OpenError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            handle = file
            ownsHandle = true
        }
    }

    func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else {
            throw OpenError(description: "write failed: \(String(cString: strerror(errno)))")
        }
    }

    func close() throws {
        guard fflush(handle) == 0 else { throw OpenError(description: "flush failed: \(String(cString: strerror(errno)))") }
        if ownsHandle { fclose(handle) }
    }
}
