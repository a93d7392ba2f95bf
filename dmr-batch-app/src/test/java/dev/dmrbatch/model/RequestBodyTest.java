package dev.dmrbatch.model;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.core.ObjectMappers;

import static org.assertj.core.api.Assertions.assertThat;

/** The request body as sent, which the response cache fingerprints: every setting and message is in it. */
class RequestBodyTest {

	@Test
	void theBodyHoldsEverySettingTheMessagesAndTheResponseFormat() {
		ChatService chat = new ChatService(null, "http://x/v1");
		ModelSettings settings = ModelSettings.of(Map.of("model", "ai/tiny", "temperature", 0.2, "top_p", 0.9,
				"max_tokens", 16, "stop", List.of("END"), "seed", 7L, "presence_penalty", 0.1, "frequency_penalty", 0.3,
				"stream", false));
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


	/** Every field a chat request can carry, byte for byte as sent: the response cache's fingerprints are of these. */
	@Test
	void aChatBodyIsTheSameByteForByte() throws JsonProcessingException {
		ModelSettings all = new ModelSettings("ai/tiny", 0.2, 0.9, 16, List.of("END", "STOP"), 7L, 0.1, -0.3, true,
				true, 3, 1, Map.of("top_k", 40));
		assertThat(body(ChatService.request(all, List.of(ChatMessage.system("S"), ChatMessage.user("U"),
				ChatMessage.assistant("A")), StructuredOutput.anyObject("a"))._body())).isEqualTo("""
				{"messages":[{"content":"S","role":"system"},{"content":"U","role":"user"},\
				{"role":"assistant","content":"A"}],"model":"ai/tiny","frequency_penalty":-0.3,"logprobs":true,\
				"max_tokens":16,"n":1,"presence_penalty":0.1,"seed":7,"stop":["END","STOP"],\
				"stream_options":{"include_usage":true},"temperature":0.2,"top_logprobs":3,"top_p":0.9,\
				"response_format":{"type":"json_object"},"top_k":40}""");
		ModelSettings few = new ModelSettings("ai/tiny", null, null, 8, List.of(), null, null, null, false, null, 2,
				null, null);
		assertThat(body(ChatService.request(few, List.of(ChatMessage.user("U")), null)._body())).isEqualTo("""
				{"messages":[{"content":"U","role":"user"}],"model":"ai/tiny","logprobs":true,"max_tokens":8,\
				"top_logprobs":2}""");
	}

	/** The legacy completions body: the same settings, {@code top_logprobs} as its {@code logprobs}, no {@code n}. */
	@Test
	void aCompletionBodyIsTheSameByteForByte() throws JsonProcessingException {
		ModelSettings all = new ModelSettings("ai/tiny", 0.2, 0.9, 16, List.of("END"), 7L, 0.1, -0.3, true, true, 3, 1,
				Map.of("top_k", 40));
		assertThat(body(ChatService.completion(all, "P")._body())).isEqualTo("""
				{"model":"ai/tiny","prompt":"P","frequency_penalty":-0.3,"logprobs":3,"max_tokens":16,\
				"presence_penalty":0.1,"seed":7,"stop":["END"],"temperature":0.2,"top_p":0.9,"top_k":40}""");
		ModelSettings few = new ModelSettings("ai/tiny", null, null, 8, null, null, null, null, null, true, null, null,
				null);
		assertThat(body(ChatService.completion(few, "P")._body())).isEqualTo("""
				{"model":"ai/tiny","prompt":"P","logprobs":0,"max_tokens":8}""");
	}

	/** A user turn with images: its text part, then each image as an {@code image_url} part with a data URL. */
	@Test
	void imagesAreSentAsContentPartsAfterTheText() throws JsonProcessingException {
		ModelSettings few = new ModelSettings("ai/tiny", null, null, 8, null, null, null, null, false, null, null,
				null, null);
		ChatImage png = new ChatImage("image/png", new byte[] { 1, 2, 3 });
		ChatImage jpeg = new ChatImage("image/jpeg", new byte[] { (byte) 0xff, (byte) 0xd8 });
		assertThat(body(ChatService.request(few, List.of(ChatMessage.system("S"),
				ChatMessage.user("describe", List.of(png, jpeg))), null)._body())).isEqualTo("""
				{"messages":[{"content":"S","role":"system"},{"content":[{"text":"describe","type":"text"},\
				{"image_url":{"url":"data:image/png;base64,AQID"},"type":"image_url"},\
				{"image_url":{"url":"data:image/jpeg;base64,/9g="},"type":"image_url"}],"role":"user"}],\
				"model":"ai/tiny","max_tokens":8}""");
	}

	/** A dry run's bodies are the ones sent: a streamed chat's with the {@code "stream": true} the client adds. */
	@Test
	void aPreviewIsTheBodyAsSentTheStreamedOneWithStreamTrue() throws JsonProcessingException {
		ChatService chat = new ChatService(null, "http://x/v1");
		ModelSettings plain = new ModelSettings("ai/tiny", null, null, 8, null, null, null, null, null, null, null,
				null, null);
		ChatService.Preview asked = chat.previewChat(plain, List.of(ChatMessage.user("U")), null);
		assertThat(asked.endpoint()).isEqualTo("/chat/completions");
		assertThat(asked.body()).isEqualTo(chat.requestBody(plain, List.of(ChatMessage.user("U")), null))
			.isEqualTo("{\"messages\":[{\"content\":\"U\",\"role\":\"user\"}],\"model\":\"ai/tiny\",\"max_tokens\":8}");
		ModelSettings streamed = plain.overriddenBy(ModelSettings.NONE.with("stream", true));
		assertThat(chat.previewChat(streamed, List.of(ChatMessage.user("U")), null).body()).isEqualTo("""
				{"messages":[{"content":"U","role":"user"}],"model":"ai/tiny","max_tokens":8,\
				"stream_options":{"include_usage":true},"stream":true}""");
		assertThat(chat.previewCompletion(plain, "P").body()).isEqualTo(body(ChatService.completion(plain, "P")._body()));
		ChatService.Preview embedded = chat.previewEmbedding(plain.overriddenBy(ModelSettings.NONE.with("extra",
				Map.of("dimensions", 4))), "T");
		assertThat(embedded.endpoint()).isEqualTo("/embeddings");
		assertThat(embedded.body()).isEqualTo("{\"input\":\"T\",\"model\":\"ai/tiny\",\"encoding_format\":\"base64\",\"dimensions\":4}");
	}

	private static String body(Object body) throws JsonProcessingException {
		return ObjectMappers.jsonMapper().writeValueAsString(body);
	}

}
