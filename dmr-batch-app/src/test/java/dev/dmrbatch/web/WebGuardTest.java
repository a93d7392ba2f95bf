package dev.dmrbatch.web;

import org.junit.jupiter.api.Test;

import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** The Host check on a loopback address: this machine's names, and the address the app is bound to. */
class WebGuardTest {

	@Test
	void theBoundLoopbackAddressIsOneOfThisMachinesNames() {
		WebGuard guard = new WebGuard(new WebAccess(new MockEnvironment().withProperty("server.address", "127.0.0.2"),
				new DefaultApplicationArguments()));
		assertThat(guard.localHost(WebGuard.hostName("127.0.0.2:8080"))).isTrue();
		assertThat(guard.localHost(WebGuard.hostName("localhost:8080"))).isTrue();
		assertThat(guard.localHost(WebGuard.hostName("127.0.0.3:8080"))).isFalse();
		assertThat(guard.localHost(WebGuard.hostName("attacker.example"))).isFalse();
	}

}
