import MassageService
import Testing

@Suite struct StateHubTests {
    /// A subscriber that never reads keeps only the newest message; the others get theirs.
    @Test func aSubscriberThatDoesNotReadHoldsOnlyTheNewest() async {
        let hub = StateHub()
        guard let (_, stalled) = hub.subscribe(), let (_, reader) = hub.subscribe() else {
            Issue.record("an empty hub refused a subscriber")
            return
        }
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
        guard let (id, stream) = hub.subscribe() else {
            Issue.record("an empty hub refused a subscriber")
            return
        }
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == "two")
        hub.unsubscribe(id)
        #expect(hub.subscriberCount == 0)
        #expect(await iterator.next() == nil)
    }

    /// Streams are bounded: past the limit a subscriber is refused, and a place freed by
    /// one that left is taken again.
    @Test func theHubRefusesSubscribersPastItsLimit() {
        let hub = StateHub(maxSubscribers: 2)
        // The streams are kept: a stream let go ends its subscription.
        let first = hub.subscribe()
        let second = hub.subscribe()
        #expect(first != nil && second != nil)
        #expect(hub.isFull)
        #expect(hub.subscribe() == nil)
        #expect(hub.subscriberCount == 2)
        if let first { hub.unsubscribe(first.id) }
        #expect(!hub.isFull)
        let third = hub.subscribe()
        #expect(third != nil)
        #expect(hub.subscribe() == nil)
        withExtendedLifetime((second, third)) {}
    }
}
