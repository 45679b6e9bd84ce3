import Testing
@testable import Runner

@Test func formatsDurations() {
    #expect(formatDuration(2.5e-6) == "2.50 µs")
}
