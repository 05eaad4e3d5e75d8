import MassageService
import Testing

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy(port: 8737)

    @Test func loopbackHostsWithThePortPass() {
        for host in ["127.0.0.1:8737", "localhost:8737", "LOCALHOST:8737", "[::1]:8737"] {
            #expect(policy.checkHost(host) == nil, "\(host)")
        }
    }

    @Test func otherHostsAreRefused() {
        // A DNS-rebinding page reaches 127.0.0.1 under its own name; another port is another service.
        for host in ["evil.example:8737", "127.0.0.1", "localhost:80", "127.0.0.1:8738", ""] {
            #expect(policy.checkHost(host)?.code == 403, "\(host)")
        }
        #expect(policy.checkHost(nil)?.code == 403)
    }

    @Test func originsAreCheckedWhenPresent() {
        #expect(policy.checkOrigin(nil) == nil)
        #expect(policy.checkOrigin("http://127.0.0.1:8737") == nil)
        #expect(policy.checkOrigin("http://localhost:8737") == nil)
        for origin in ["http://evil.example", "https://127.0.0.1:8737", "http://127.0.0.1:9999", "null", "http://localhost:8737.evil.example"] {
            let refusal = policy.checkOrigin(origin)
            #expect(refusal?.code == 403, "\(origin)")
            #expect(refusal?.message.contains(origin) == true)
        }
    }

    @Test func extraHostsAreAllowedOnlyWhenListed() {
        let wider = AccessPolicy(port: 8737, extraHosts: ["massage.lan:8737"])
        #expect(wider.check(host: "massage.lan:8737", origin: "http://massage.lan:8737") == nil)
        #expect(policy.check(host: "massage.lan:8737", origin: nil)?.code == 403)
    }
}
