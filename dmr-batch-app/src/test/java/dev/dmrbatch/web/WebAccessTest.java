package dev.dmrbatch.web;

import org.junit.jupiter.api.Test;

import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may use the web app: on loopback too, whoever holds the token printed in the address, unless {@code token=off};
 * its cookie named after the port.
 */
class WebAccessTest {

	private static WebAccess access(MockEnvironment environment, String... args) {
		return new WebAccess(environment, new DefaultApplicationArguments(args));
	}

	@Test
	void loopbackNeedsTheTokenPrintedInTheAddress() {
		WebAccess access = access(new MockEnvironment());
		assertThat(access.isLoopback()).isTrue();
		assertThat(access.needsToken()).isTrue();
		String url = access.url(8080);
		assertThat(url).matches("http://127\\.0\\.0\\.1:8080/\\?token=[0-9a-f]{40}");
		assertThat(access.tokenMatches(url.substring(url.indexOf('=') + 1))).isTrue();
		assertThat(access.tokenMatches("0".repeat(40))).isFalse();
		assertThat(access.tokenMatches(null)).isFalse();
	}

	@Test
	void tokenOffOpensLoopback() {
		WebAccess open = access(new MockEnvironment().withProperty("DMR_SERVE_TOKEN", "from-environment-0123"), "serve",
				"token=off");
		assertThat(open.needsToken()).isFalse();
		assertThat(open.url(8080)).isEqualTo("http://127.0.0.1:8080/");
	}

	@Test
	void theEnvironmentsTokenInTheAddressEncoded() {
		WebAccess access = access(new MockEnvironment().withProperty("DMR_SERVE_TOKEN", "from+the/env=0123456789&#%"));
		assertThat(access.tokenMatches("from+the/env=0123456789&#%")).isTrue();
		// the address carries it encoded, so ?token= gives it back
		assertThat(access.url(9000)).endsWith("?token=from%2Bthe%2Fenv%3D0123456789%26%23%25");
	}

	@Test
	void theCookieIsNamedAfterThePort() {
		assertThat(WebAccess.cookie(8080)).isEqualTo("dmr-token-8080");
		assertThat(WebAccess.cookie(8081)).isNotEqualTo(WebAccess.cookie(8080));
	}

}
