import MassageService
import Testing

@Suite struct StateHubTests {
    /// A subscriber that never reads keeps only the newest message; the others get theirs.
    @Test func aSubscriberThatDoesNotReadHoldsOnlyTheNewest() async {
        let hub = StateHub()
        let (_, stalled) = hub.subscribe()
        let (_, reader) = hub.subscribe()
        var iterator = reader.makeAsyncIterator()
        for index in 0..<10_000 {
            hub.publish("state \(index)")
            if index % 1000 == 0 { #expect(await iterator.next() == "state \(index)") }
        }
        var stalledIterator = stalled.makeAsyncIterator()
        #expect(await stalledIterator.next() == "state 9999")
        hub.publish("last")
        #expect(await stalledIterator.next() == "last")
    }

    @Test func aNewSubscriberStartsWithTheNewestState() async {
        let hub = StateHub()
        hub.publish("one")
        hub.publish("two")
        let (id, stream) = hub.subscribe()
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == "two")
        hub.unsubscribe(id)
        #expect(hub.subscriberCount == 0)
        #expect(await iterator.next() == nil)
    }
}
