package dev.dmrbatch.config;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RunnerEndpointTest {

	@Test
	void aBaseUrlHasOneFormWhereverItIsGiven() {
		URI plain = URI.create("http://gpu-1:12434/engines/llama.cpp/v1");
		assertThat(RunnerEndpoint.parse("http://gpu-1:12434/engines/llama.cpp/v1/", "dmr.base-url")).isEqualTo(plain);
		assertThat(RunnerEndpoint.parse(" http://gpu-1:12434/engines/llama.cpp/v1// ", "base-url=")).isEqualTo(plain);
		assertThat(new RunnerEndpoint(URI.create("http://gpu-1:12434/engines/llama.cpp/v1/"), null).url())
			.isEqualTo(plain);
		assertThat(RunnerEndpoint.of("http://gpu-1:12434/engines/llama.cpp/v1/").url()).isEqualTo(plain);
		assertThat(RunnerEndpoint.normalise(plain)).isSameAs(plain);
		assertThat(RunnerEndpoint.normalise(URI.create("http://h:1/"))).isEqualTo(URI.create("http://h:1"));
	}

	@Test
	void theRootIsTheBaseUrlWithoutItsV1() {
		assertThat(RunnerEndpoint.root(URI.create("http://h:12434/engines/llama.cpp/v1/")))
			.isEqualTo("http://h:12434/engines/llama.cpp");
		assertThat(RunnerEndpoint.root(URI.create("http://h:8080/v1"))).isEqualTo("http://h:8080");
		assertThat(RunnerEndpoint.root(URI.create("http://h:8080"))).isEqualTo("http://h:8080");
	}

	@Test
	void concurrencyIsAutoOrANumberFromOneToTheMaximumWhereverItIsGiven() {
		assertThat(Concurrency.parse(null, "concurrency")).isEmpty();
		assertThat(Concurrency.parse("auto", "concurrency")).isEmpty();
		assertThat(Concurrency.parse("1", "concurrency")).hasValue(1);
		assertThat(Concurrency.parse(String.valueOf(Concurrency.MAX), "concurrency")).hasValue(Concurrency.MAX);
		for (String bad : new String[] { "0", "-1", String.valueOf(Concurrency.MAX + 1), "many", "" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> Concurrency.parse(bad, "concurrency="))
				.withMessage("concurrency=" + bad + " must be 'auto' or a number from 1 to 64");
		}
	}

}
