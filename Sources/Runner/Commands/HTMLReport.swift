import Foundation
import Models

/// `report.html`: one page a person opens in a browser to see a run or a sweep — what ran, how it ended, the final
/// numbers, every plot and the text outputs. Self-contained in its folder: the images are the PNGs beside it (links
/// relative to the page), with no script or style from the network.
struct HTMLReport {
    private var body: [String] = []
    let title: String

    init(title: String) { self.title = title }

    /// `<h2>`.
    mutating func heading(_ text: String) { body.append("<h2>\(markupEscaped(text))</h2>") }

    /// A paragraph of text.
    mutating func paragraph(_ text: String) { body.append("<p>\(markupEscaped(text))</p>") }

    /// Preformatted text (a model summary, samples, a spec).
    mutating func preformatted(_ text: String) { body.append("<pre>\(markupEscaped(text))</pre>") }

    /// A table with a header row; `sortable` lets a click on a column header sort the rows by it. Cells are text,
    /// or a link when given as `(text, href)`.
    mutating func table(header: [String], rows: [[Cell]], sortable: Bool = false) {
        var html = [sortable ? "<table class=\"sortable\">" : "<table>", "<thead><tr>"]
        html += header.map { "<th>\(markupEscaped($0))</th>" }
        html.append("</tr></thead><tbody>")
        for row in rows { html.append("<tr>" + row.map(\.html).joined() + "</tr>") }
        html.append("</tbody></table>")
        body.append(html.joined())
    }

    /// The images, each with its name as a caption, in a wrapping grid.
    mutating func images(_ files: [String]) {
        let figures = files.map(markupEscaped).map { file in
            "<figure><img src=\"\(file)\" alt=\"\(file)\"><figcaption>\(file)</figcaption></figure>"
        }
        body.append("<div class=\"plots\">" + figures.joined() + "</div>")
    }

    /// One cell of a table: text, or a link.
    enum Cell {
        case text(String)
        case link(String, href: String)

        var html: String {
            switch self {
            case .text(let s): "<td>\(markupEscaped(s))</td>"
            case .link(let s, let href): "<td><a href=\"\(markupEscaped(href))\">\(markupEscaped(s))</a></td>"
            }
        }
    }

    /// The whole page.
    var html: String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(markupEscaped(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1600px; }
        table { border-collapse: collapse; margin: 0.5em 0; } th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
        th { background: #f3f3f3; } table.sortable th { cursor: pointer; } td { font-variant-numeric: tabular-nums; }
        pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
        .plots { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; }
        img { max-width: 760px; width: 100%; border: 1px solid #ddd; } figcaption { font-size: 0.8em; color: #555; }
        .warning { color: #b00; font-weight: bold; }
        </style></head><body>
        <h1>\(markupEscaped(title))</h1>
        \(body.joined(separator: "\n"))
        <script>
        // Once loaded: a plot that did not load (moved, deleted) is named in a warning at the top, and the page
        // records how many images loaded (data-images-loaded, data-images-missing on <body>).
        window.addEventListener("load", () => {
          const images = Array.from(document.images);
          const missing = images.filter(image => !(image.complete && image.naturalWidth > 0));
          document.body.dataset.imagesLoaded = images.length - missing.length;
          document.body.dataset.imagesMissing = missing.length;
          if (missing.length > 0) {
            const warning = document.createElement("p");
            warning.className = "warning";
            warning.textContent = "Not found beside this page: " + missing.map(image => image.alt).join(", ");
            document.querySelector("h1").after(warning);
          }
        });
        document.querySelectorAll("table.sortable th").forEach((th, column) => th.addEventListener("click", () => {
          const body = th.closest("table").tBodies[0];
          const key = row => {
            const text = row.cells[column].textContent, x = parseFloat(text);
            return isNaN(x) ? text : x;
          };
          const rows = Array.from(body.rows);
          const ascending = th.dataset.order !== "ascending";
          rows.sort((a, b) => {
            const x = key(a), y = key(b);
            return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
          });
          th.dataset.order = ascending ? "ascending" : "descending";
          rows.forEach(row => body.appendChild(row));
        }));
        </script>
        </body></html>

        """
    }

    /// Writes the page to `path` atomically (never half-written after Ctrl-C).
    func write(to path: String) throws {
        try AtomicFile.write(Array(html.utf8), to: path)
    }
}

/// The report of a finished run: its status, data, final metrics, plots, samples, model summary, files and spec.
func runReport(
    experiment: Experiment, result: RunResult, outputs: [String], baselineLines: [String]
) -> HTMLReport {
    var report = HTMLReport(title: "\(experiment.spec.name): \(result.status.rawValue)")
    let state = result.state
    var ending =
        "\(result.status.rawValue) after \(state.step) steps, \(state.epoch) epochs, "
        + String(format: "%.1f s of training", state.elapsedBefore)
    if let message = result.message { ending += ": \(message)" }
    report.paragraph(ending)
    report.paragraph("data: \(experiment.dataNote)")
    report.paragraph("model: \(experiment.model.parameterCount) parameters")

    report.heading("Final metrics")
    let order =
        ["train", "validation", "test"]
        + result.metrics.keys.filter { !["train", "validation", "test"].contains($0) }.sorted()
    let hasSequences = result.metrics.values.contains { $0.sequenceAccuracy != nil }
    let header = ["split", "loss", "accuracy"] + (hasSequences ? ["sequences right"] : [])
    let rows: [[HTMLReport.Cell]] = order.compactMap { split in
        guard let m = result.metrics[split] else { return nil }
        return [
            .text(split), .text(String(format: "%.4f", m.loss)),
            .text(m.accuracy.map { String(format: "%.4f", $0) } ?? ""),
        ]
            + (hasSequences ? [.text(m.sequenceAccuracy.map { String(format: "%.4f", $0) } ?? "")] : [])
    }
    report.table(header: header, rows: rows)
    if !baselineLines.isEmpty { report.preformatted(baselineLines.joined(separator: "\n")) }

    let plots = outputs.filter { $0.hasSuffix(".png") }
    if !plots.isEmpty {
        report.heading("Plots")
        report.images(plots)
    }
    if let samples = result.samples {
        report.heading("Samples")
        report.preformatted("--- before training ---\n\(samples.before)\n\n--- after training ---\n\(samples.after)")
    }
    report.heading("Model")
    report.preformatted(experiment.summary.description)
    report.heading("Files")
    report.table(header: ["file"], rows: outputs.map { [.link($0, href: $0)] })
    report.heading("Spec (resolved)")
    report.preformatted(experiment.spec.resolvedJSON.prettyJSON)
    return report
}
