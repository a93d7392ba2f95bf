package dev.dmrbatch.model;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The request body as sent, which the response cache fingerprints: every setting and message is in it. */
class RequestBodyTest {

	@Test
	void theBodyHoldsEverySettingTheMessagesAndTheResponseFormat() {
		ChatService chat = new ChatService(null, "http://x/v1");
		ModelSettings settings = new ModelSettings("ai/tiny", 0.2, 0.9, 16, List.of("END"), 7L, 0.1, 0.3, false);
		StructuredOutput format = StructuredOutput.schema("a",
				Map.of("type", "object", "properties", Map.of("x", Map.of("type", "string"))), null);
		JsonNode body = JsonMapper.shared()
			.readTree(chat.requestBody(settings, List.of(ChatMessage.system("S"), ChatMessage.user("U"),
					ChatMessage.assistant("A"), ChatMessage.user("V")), format));
		assertThat(body.get("model").asString()).isEqualTo("ai/tiny");
		assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
		assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
		assertThat(body.get("max_tokens").asInt()).isEqualTo(16);
		assertThat(body.get("stop").toString()).isEqualTo("[\"END\"]");
		assertThat(body.get("seed").asLong()).isEqualTo(7);
		assertThat(body.get("presence_penalty").asDouble()).isEqualTo(0.1);
		assertThat(body.get("frequency_penalty").asDouble()).isEqualTo(0.3);
		assertThat(body.get("messages")).hasSize(4);
		assertThat(body.get("messages").get(2).get("role").asString()).isEqualTo("assistant");
		assertThat(body.get("response_format").toString()).contains("\"x\"", "\"string\"");
	}

}
