/// A QR code symbol as modules: `size` × `size`, row-major, `true` = dark.
/// The quiet zone is not included; renderers add it.
public struct QRCode: Sendable, Equatable {
    public let size: Int
    public let modules: [Bool]

    public init(size: Int, modules: [Bool]) {
        precondition(modules.count == size * size, "a QR code has size × size modules")
        self.size = size
        self.modules = modules
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol (the margin) it is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }

    /// 8-bit grey pixels (0 dark, 255 light) with a `margin`-module quiet
    /// zone, each module `scale` pixels wide; returns the pixels and the width.
    public func greyPixels(scale: Int, margin: Int) -> (pixels: [UInt8], width: Int) {
        let width = (size + 2 * margin) * scale
        var pixels = [UInt8](repeating: 255, count: width * width)
        for y in 0..<size {
            for x in 0..<size where modules[y * size + x] {
                for row in 0..<scale {
                    let start = ((y + margin) * scale + row) * width + (x + margin) * scale
                    for column in 0..<scale { pixels[start + column] = 0 }
                }
            }
        }
        return (pixels, width)
    }
}
