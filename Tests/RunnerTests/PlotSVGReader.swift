import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Runner

/// Parses an SVG document with Foundation's XML parser, for the plot tests: whether it is well-formed XML, and
/// its elements in document order with their attributes and text.
final class SVGReader: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""

        func number(_ attribute: String) -> Double? {
            attributes[attribute].flatMap(Double.init)
        }

        /// The vertices of a `<polyline>`.
        var points: [PlotPoint] {
            (attributes["points"] ?? "").split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return PlotPoint(xy[0], xy[1])
            }
        }
    }

    private(set) var elements: [Element] = []
    private(set) var wellFormed = false
    private var open: [Int] = []

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        wellFormed = parser.parse()
    }

    func elements(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// The contents of every `<text>`, in document order.
    var texts: [String] { elements("text").map(\.text) }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: elementName, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }
}
