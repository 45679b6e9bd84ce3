extension Canvas {
    /// Draws `text` with `BitmapFont`, each font pixel a `scale × scale` block (see `PlotSurface.text` for how
    /// `x` and `y` place it).
    mutating func drawText(_ text: String, x: Double, y: Double, style: TextStyle) {
        let characters = Array(text)
        guard !characters.isEmpty, x.isFinite, y.isFinite else { return }
        let s = max(style.scale, 1)
        // The inked length: the blank column after the last character does not count when aligning.
        let length = Double((characters.count * BitmapFont.advance - 1) * s)
        let offset: Double
        switch style.anchor {
        case .start: offset = 0
        case .middle: offset = length / 2
        case .end: offset = length
        }
        let across = Int(((style.vertical ? x : y) - Double(BitmapFont.capHeight * s) / 2).rounded())
        if style.vertical {
            // Rotated 90° counter-clockwise: the run goes up from `base`, glyph tops face left.
            let base = Int((y + offset).rounded())
            for (index, character) in characters.enumerated() {
                Canvas.forEachInk(of: character) { column, row in
                    let u = index * BitmapFont.advance + column
                    fill(x0: across + row * s, y0: base - (u + 1) * s, x1: across + (row + 1) * s, y1: base - u * s,
                         color: style.color)
                }
            }
        } else {
            let left = Int((x - offset).rounded())
            for (index, character) in characters.enumerated() {
                Canvas.forEachInk(of: character) { column, row in
                    let u = index * BitmapFont.advance + column
                    fill(x0: left + u * s, y0: across + row * s, x1: left + (u + 1) * s, y1: across + (row + 1) * s,
                         color: style.color)
                }
            }
        }
    }

    /// Calls `body(column, row)` for every inked pixel of `character`'s glyph.
    private static func forEachInk(of character: Character, _ body: (Int, Int) -> Void) {
        let rows = BitmapFont.glyph(character)
        for (row, bits) in rows.enumerated() where bits != 0 {
            for column in 0..<5 where bits & (0x10 >> UInt8(column)) != 0 {
                body(column, row)
            }
        }
    }
}
