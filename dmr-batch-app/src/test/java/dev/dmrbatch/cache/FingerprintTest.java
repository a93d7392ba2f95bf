package dev.dmrbatch.cache;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprintTest {

	private static final String URL = "http://127.0.0.1:12434/engines/llama.cpp/v1";

	private static final String KEY = "sk-tenant-a";

	private static final String BODY = "{\"model\":\"ai/tiny\",\"max_tokens\":8,\"temperature\":0.0,\"seed\":7,"
			+ "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],"
			+ "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":"
			+ "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}}}}}";

	@Test
	void theSameRequestHasTheSameFingerprintWhateverTheOrderOfItsFields() {
		String reordered = "{\"seed\":7,\"response_format\":{\"json_schema\":{\"schema\":{\"properties\":{\"x\":"
				+ "{\"type\":\"string\"}},\"type\":\"object\"},\"name\":\"a\"},\"type\":\"json_schema\"},"
				+ "\"messages\":[{\"content\":\"Be brief.\",\"role\":\"system\"},{\"role\":\"user\",\"content\":\"Hi\"}],"
				+ "\"temperature\":0.0,\"max_tokens\":8,\"model\":\"ai/tiny\"}";
		assertThat(Fingerprint.of(URL, KEY, BODY)).hasSize(64).matches("[0-9a-f]{64}").isEqualTo(Fingerprint.of(URL, KEY, reordered));
	}

	@Test
	void aRepeatedRequestHasAFingerprintPerRepetitionTheFirstBeingTheRequestsOwn() {
		String fingerprint = Fingerprint.of(URL, KEY, BODY);
		assertThat(Fingerprint.of(URL, KEY, BODY, 1)).isEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, KEY, BODY, 2)).isNotEqualTo(fingerprint)
			.isNotEqualTo(Fingerprint.of(URL, KEY, BODY, 3))
			.isEqualTo(Fingerprint.of(URL, KEY, BODY, 2));
	}

	@Test
	void anyDifferenceInTheEndpointOrWhatIsSentIsAnotherFingerprint() {
		String fingerprint = Fingerprint.of(URL, KEY, BODY);
		assertThat(Fingerprint.of("http://gpu-2:12434/engines/llama.cpp/v1", KEY, BODY)).isNotEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, KEY, BODY.replace("\"temperature\":0.0", "\"temperature\":0.7")))
			.isNotEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, KEY, BODY.replace("\"content\":\"Hi\"", "\"content\":\"Hi!\"")))
			.isNotEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, KEY, BODY.replace("\"x\":{\"type\":\"string\"}", "\"x\":{\"type\":\"number\"}")))
			.isNotEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, KEY, BODY.replace("\"seed\":7,", "\"seed\":7,\"min_p\":0.1,")))
			.isNotEqualTo(fingerprint);
		// the order of the messages is the conversation: it counts
		assertThat(Fingerprint.of(URL, KEY, BODY.replace("{\"role\":\"system\",\"content\":\"Be brief.\"},"
				+ "{\"role\":\"user\",\"content\":\"Hi\"}", "{\"role\":\"user\",\"content\":\"Hi\"},"
						+ "{\"role\":\"system\",\"content\":\"Be brief.\"}")))
			.isNotEqualTo(fingerprint);
	}

	@Test
	void theApiKeyIsPartOfTheFingerprintSoOneTenantsAnswersAreNeverAnothersAndItIsNotInIt() {
		String fingerprint = Fingerprint.of(URL, KEY, BODY);
		assertThat(Fingerprint.of(URL, "sk-tenant-b", BODY)).isNotEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, null, BODY)).isNotEqualTo(fingerprint);
		assertThat(Fingerprint.of(URL, KEY, BODY)).isEqualTo(fingerprint).doesNotContain(KEY);
	}

}
