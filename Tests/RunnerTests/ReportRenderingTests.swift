import Foundation
import Models
import Testing

@testable import Runner

// A run's and a sweep's report.html rendered by headless Chromium (skipped, saying so, without it): the page loads
// every plot beside it (the page's own load check, read from the rendered DOM), and its screenshot is not blank.

/// The path of a Chromium executable, or nil.
private func chromium() -> String? {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

/// Runs headless Chromium on `page` with `arguments`; its standard output, or nil on failure.
private func render(_ browser: String, _ page: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: browser)
    process.arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
            "--user-data-dir="
                + NSTemporaryDirectory() + "tapegrad-chromium-\(UUID().uuidString)",
        ] + arguments
        + ["file://" + page]
    let pipe = Pipe()
    (process.standardOutput, process.standardError) = (pipe, FileHandle.nullDevice)
    guard (try? process.run()) != nil else { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: output, as: UTF8.self) : nil
}

/// `data-images-loaded` and `data-images-missing` of the rendered page's body.
private func imageCounts(_ dom: String) -> (loaded: Int, missing: Int)? {
    func attribute(_ name: String) -> Int? {
        guard let range = dom.range(of: "\(name)=\"") else { return nil }
        return Int(dom[range.upperBound...].prefix { $0.isNumber })
    }
    guard let loaded = attribute("data-images-loaded"), let missing = attribute("data-images-missing") else {
        return nil
    }
    return (loaded, missing)
}

/// The share of a PNG's pixels that are not white (8-bit RGB or RGBA, scanline filters undone).
private func inkedShare(png path: String) throws -> Double {
    let reader = PNGReader(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    let header = try #require(reader.header)
    let channels = header.colorType == 6 ? 4 : 3
    #expect(header.bitDepth == 8 && [2, 6].contains(header.colorType) && header.interlace == 0)
    let stride = header.width * channels
    let raw = try #require(reader.inflated(capacity: (stride + 1) * header.height + 1))
    var previous = [UInt8](repeating: 0, count: stride)
    var (inked, total) = (0, 0)
    for y in 0..<header.height {
        let filter = raw[y * (stride + 1)]
        var row = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
        for i in 0..<stride {
            let a = i >= channels ? Int(row[i - channels]) : 0
            let b = Int(previous[i])
            let c = i >= channels ? Int(previous[i - channels]) : 0
            let predictor: Int
            switch filter {
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            case 4:
                let p = a + b - c
                let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
            default: predictor = 0
            }
            row[i] = UInt8(truncatingIfNeeded: Int(row[i]) + predictor)
        }
        for x in 0..<header.width where row[x * channels..<x * channels + 3].contains(where: { $0 < 240 }) {
            inked += 1
        }
        total += header.width
        previous = row
    }
    return Double(inked) / Double(total)
}

extension InterruptibleTraining {
    @Suite
    struct ReportRenderingTests {
        @Test func aRunsAndASweepsReportsShowEveryPlotInABrowser() throws {
            guard let browser = chromium() else {
                print("skipped: no Chromium to render report.html (bash .ci/setup --tests installs it)")
                return
            }
            let folder = NSTemporaryDirectory() + "tapegrad-report-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let spec = try SpecDocument(
                text: """
                    {"name": "report", "seed": 2,
                     "data": {"dataset": "edges", "points": 60, "validation": 20, "test": 20},
                     "model": {"type": "cnn", "layers": [{"type": "conv2d", "out": 2, "kernel": 3}, {"type": "relu"},
                      {"type": "global_avg_pool"}, {"type": "linear"}]},
                     "training": {"epochs": 2, "batch_size": 10},
                     "sweep": {"grid": {"optimizer.lr": [0.01, 0.1]}}}
                    """, source: "report")
            let trials = try spec.trials()
            for trial in trials {
                #expect(
                    try trainRun(trial.spec, folder: folder + "/trial-\(trial.index)", resuming: false, quiet: true)
                        == .completed)
            }
            try writeSweepResults(trials: trials, folder: folder, title: "report")

            for page in [folder + "/trial-0/report.html", folder + "/report.html"] {
                let html = try String(contentsOfFile: page, encoding: .utf8)
                let images = html.components(separatedBy: "<img ").count - 1
                #expect(images >= 3, "\(page)")
                let dom = try #require(render(browser, page, ["--dump-dom"]), "Chromium rendered \(page)")
                let counts = try #require(imageCounts(dom), "the page's load check ran")
                #expect(counts.loaded == images && counts.missing == 0, "\(page): \(counts)")
                let shot = folder + "/shot.png"
                _ = try #require(render(browser, page, ["--screenshot=" + shot, "--window-size=1200,1400"]))
                // Plots, tables and text ink about 3 % of a 1200×1400 window; an empty page none (below).
                #expect(try inkedShare(png: shot) > 0.01, "\(page): the screenshot is not blank")
            }
            #expect(
                try String(contentsOfFile: folder + "/report.html", encoding: .utf8).contains("trial-1/report.html"))

            // The control: an empty page's screenshot has no ink.
            try "<!DOCTYPE html><html><body></body></html>".write(
                toFile: folder + "/empty.html", atomically: true, encoding: .utf8)
            _ = try #require(render(browser, folder + "/empty.html", ["--screenshot=\(folder)/empty.png"]))
            #expect(try inkedShare(png: folder + "/empty.png") < 0.001)

            // A plot removed from beside the page: the check sees it, and the page says which.
            try FileManager.default.removeItem(atPath: folder + "/trial-0/loss.png")
            let dom = try #require(render(browser, folder + "/trial-0/report.html", ["--dump-dom"]))
            #expect(imageCounts(dom)?.missing == 1 && dom.contains("Not found beside this page: loss.png"))
        }
    }
}
