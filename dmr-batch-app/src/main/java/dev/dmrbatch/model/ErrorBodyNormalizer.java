package dev.dmrbatch.model;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.core.ObjectMappers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Rewrites error answers that are not JSON into OpenAI's error shape, so their text survives openai-java (which
 * otherwise reports "Unknown"). Docker Model Runner's own errors are text/plain ("model not found"); proxy faults
 * come with no body at all.
 */
final class ErrorBodyNormalizer implements Interceptor {

	private static final MediaType JSON = MediaType.get("application/json");

	/** Error bodies are short; a longer one is cut rather than read whole. */
	private static final long MAX_BODY = 64 * 1024;

	@Override
	public Response intercept(Chain chain) throws IOException {
		Response response = chain.proceed(chain.request());
		ResponseBody body = response.body();
		if (response.code() < 400 || body == null) {
			return response;
		}
		MediaType type = body.contentType();
		String text = response.peekBody(MAX_BODY).string().strip();
		if (type != null && type.subtype().contains("json") && !text.isEmpty()) {
			return response;
		}
		body.close();
		String message = text.isEmpty() ? "an empty answer (" + response.code() + " from a proxy or gateway)"
				: RunnerErrors.firstLine(text);
		return response.newBuilder().body(ResponseBody.create(json(message), JSON)).build();
	}

	private static String json(String message) {
		try {
			return ObjectMappers.jsonMapper().writeValueAsString(Map.of("error", Map.of("message", message)));
		}
		catch (JsonProcessingException ex) {
			return "{\"error\":{\"message\":\"unreadable error answer\"}}";
		}
	}

}
