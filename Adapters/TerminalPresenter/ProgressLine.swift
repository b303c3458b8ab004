import Foundation
import HealthSyncDomain
import Synchronization

/// A progress bar on standard error that rewrites itself in place
/// (`\r`, erase to the end of the line): how much, how fast, how long
/// still. Redrawn at most ten times a second; erased when the task
/// finishes or before anything else is written, so reports and errors
/// never land in the middle of it.
final class ProgressLine: Sendable {
    static let width = 28
    private struct State {
        var drawn = false
        var lastElapsed = -1.0
    }

    private let state = Mutex(State())
    private let write: @Sendable (String) -> Void

    init(write: @escaping @Sendable (String) -> Void) { self.write = write }

    func show(_ progress: TaskProgress) {
        let line: String? = state.withLock { state in
            if progress.finished {
                defer { state = State() }
                return state.drawn ? "\r\u{1B}[K" : nil
            }
            guard progress.elapsed - state.lastElapsed >= 0.1 else { return nil }
            state.lastElapsed = progress.elapsed
            state.drawn = true
            return "\r\u{1B}[K" + Self.render(progress)
        }
        if let line { write(line) }
    }

    /// Erases the bar, if one is drawn.
    func clear() {
        let drawn = state.withLock { state in
            defer { state.drawn = false }
            return state.drawn
        }
        if drawn { write("\r\u{1B}[K") }
    }

    /// `import [########----------]  45%  12.3 MB of 27.1 MB  2.1 MB/s  0:07 left`
    static func render(_ progress: TaskProgress) -> String {
        var parts = [progress.task]
        let rate = progress.elapsed > 0 ? Double(progress.done) / progress.elapsed : 0
        if let total = progress.total, total > 0 {
            let fraction = min(1, max(0, Double(progress.done) / Double(total)))
            let filled = Int((fraction * Double(width)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]")
            parts.append(String(format: "%3d%%", Int((fraction * 100).rounded(.down))))
            parts.append("\(amount(progress.done, progress.unit)) of \(amount(total, progress.unit))")
        } else {
            parts.append(amount(progress.done, progress.unit))
        }
        if rate > 0 {
            parts.append(amount(Int64(rate), progress.unit) + "/s")
            if let total = progress.total, total > progress.done {
                parts.append(duration(Double(total - progress.done) / rate) + " left")
            }
        }
        return parts.joined(separator: "  ")
    }

    static func amount(_ value: Int64, _ unit: TaskProgress.Unit) -> String {
        switch unit {
        case .samples:
            return "\(value) samples"
        case .bytes:
            let units = ["B", "kB", "MB", "GB", "TB"]
            var scaled = Double(value), index = 0
            while scaled >= 1000, index < units.count - 1 {
                scaled /= 1000
                index += 1
            }
            return index == 0 ? "\(value) B" : String(format: "%.1f %@", scaled, units[index])
        }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
