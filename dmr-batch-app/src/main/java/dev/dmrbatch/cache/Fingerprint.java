package dev.dmrbatch.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What identifies an answer: the SHA-256, in hex, of a canonical JSON object of the endpoint, the API key's own
 * SHA-256 (behind a gateway the key may choose the tenant or the upstream model, so one key's answers are never
 * another's) and the request body exactly as sent (model, every setting, the messages, the response format and any
 * other field), its keys sorted at every level, so the same request has the same fingerprint whatever order its
 * fields were written in. The key itself is never stored.
 */
public final class Fingerprint {

	private static final JsonMapper JSON = JsonMapper.shared();

	private Fingerprint() {
	}

	/**
	 * @param endpoint the runner's base URL
	 * @param apiKey the API key the request is sent with, or {@code null} for none
	 * @param requestBody the request's body, as JSON
	 */
	public static String of(String endpoint, String apiKey, String requestBody) {
		return of(endpoint, apiKey, requestBody, 1);
	}

	/**
	 * @param repetition which of an item's repeated answers the request is for ({@code repeat=N}), from 1: the same
	 * request asked again is another sample, with a fingerprint of its own; the first has the request's own
	 */
	public static String of(String endpoint, String apiKey, String requestBody, int repetition) {
		ObjectNode canonical = JSON.createObjectNode();
		canonical.put("endpoint", endpoint);
		canonical.put("key", (apiKey != null) ? sha256(apiKey) : "");
		if (repetition > 1) {
			canonical.put("repetition", repetition);
		}
		canonical.set("request", sorted(JSON.readTree(requestBody)));
		return sha256(JSON.writeValueAsString(canonical));
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", ex);
		}
	}

	private static JsonNode sorted(JsonNode node) {
		if (node.isObject()) {
			List<String> names = new ArrayList<>(node.propertyNames());
			Collections.sort(names);
			ObjectNode object = JSON.createObjectNode();
			for (String name : names) {
				object.set(name, sorted(node.get(name)));
			}
			return object;
		}
		if (node.isArray()) {
			var array = JSON.createArrayNode();
			node.forEach((element) -> array.add(sorted(element)));
			return array;
		}
		return node;
	}

}
