import HealthSyncBus
import HealthSyncDomain
import Testing

@Suite("Event bus")
struct EventBusTests {
    @Test func threeSubscribersEachReceiveEveryEventInOrder() async {
        let bus = EventBus()
        let streams = (0..<3).map { _ in bus.subscribe() }
        let events: [Event] = (1...50).map { .samplesGenerated(count: $0, days: 1) }
        for event in events { bus.publish(event) }
        bus.finish()
        for stream in streams {
            var received: [Event] = []
            for await event in stream { received.append(event) }
            #expect(received == events)
        }
    }

    @Test func concurrentPublishersReachEverySubscriberInTheSameOrder() async {
        let bus = EventBus()
        let first = bus.subscribe(), second = bus.subscribe()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<100 { bus.publish(.samplesGenerated(count: worker * 1000 + index, days: 0)) }
                }
            }
        }
        bus.finish()
        var a: [Event] = [], b: [Event] = []
        for await event in first { a.append(event) }
        for await event in second { b.append(event) }
        #expect(a.count == 400)
        #expect(a == b)
    }

    @Test func aFinishedSubscriberIsRemoved() async {
        let bus = EventBus()
        let kept = bus.subscribe()
        let leaving = bus.subscribe()
        #expect(bus.subscriberCount == 2)
        let reader = Task { for await _ in leaving {} }
        reader.cancel()
        await reader.value
        #expect(bus.subscriberCount == 1)
        bus.publish(.keystoreCleared(peersRemoved: 1))
        bus.finish()
        var received: [Event] = []
        for await event in kept { received.append(event) }
        #expect(received == [.keystoreCleared(peersRemoved: 1)])
        #expect(bus.subscriberCount == 0)
    }
}
