package dev.dmrbatch.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.Embedding;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.util.function.SingletonSupplier;

/**
 * Sends requests to the model runner: chat completions, streamed when the settings say so, {@code max_tokens}
 * always set; raw prompts to the legacy completions endpoint; texts to the embeddings endpoint. Every request has its
 * transient faults retried with exponential backoff and jitter. Thread-safe; one instance serves every worker. The
 * openai-java client is made when the first request is sent, not before: a command that sends nothing never loads it.
 */
@Service
public class ChatService {

	private static final Logger log = LoggerFactory.getLogger(ChatService.class);

	private final Supplier<OpenAIClient> client;

	private final String baseUrl;

	private final Retries retries;

	@org.springframework.beans.factory.annotation.Autowired
	public ChatService(ObjectProvider<OpenAIClient> client, DmrProperties properties) {
		this(SingletonSupplier.of(client::getObject), properties.baseUrl().toString());
	}

	/** The service for one runner of several ({@link RunnerClients}). */
	ChatService(OpenAIClient client, String baseUrl) {
		this(() -> client, baseUrl);
	}

	private ChatService(Supplier<OpenAIClient> client, String baseUrl) {
		this.client = client;
		this.baseUrl = baseUrl;
		this.retries = new Retries(baseUrl);
	}

	public String baseUrl() {
		return this.baseUrl;
	}

	/**
	 * Sends the conversation so far and returns the model's reply, asking for JSON when {@code format} is given; where
	 * the settings ask for several choices ({@code n}) and the reply is not streamed, the others come with it
	 * ({@link ModelReply#others()}).
	 * @throws ModelCallException when the runner did not answer, after the retries
	 */
	public ModelReply complete(ModelSettings settings, List<ChatMessage> messages, StructuredOutput format,
			DmrProperties.Retry retry, LoadGate gate) {
		ChatCompletionCreateParams params = request(settings, messages, format);
		String model = settings.name();
		return withRetries(model, retry, gate, LOGGED, (attempt, start) -> settings.streaming()
				? streamOnce(model, params, attempt, start, UNSEEN, new StreamStop(), false)
				: completeOnce(model, params, attempt, start));
	}

	/** One request for a whole answer, not streamed. */
	private ModelReply completeOnce(String model, ChatCompletionCreateParams params, int attempt, long start) {
		ChatCompletion completion = this.client.get().chat().completions().create(params);
		long latency = (System.nanoTime() - start) / 1_000_000;
		List<ChatCompletion.Choice> choices = completion._choices().asKnown().orElse(List.of());
		if (choices.isEmpty()) {
			throw new ModelCallException("model '" + model + "' at " + this.baseUrl + " answered without a choice",
					200, false, null);
		}
		CompletionUsage usage = completion._usage().asKnown().orElse(null);
		long promptTokens = (usage != null) ? usage.promptTokens() : 0;
		long completionTokens = (usage != null) ? usage.completionTokens() : 0;
		String answeredBy = completion._model().asString().orElse(null);
		String timings = toJson(completion._additionalProperties().get("timings"));
		String fingerprint = completion._systemFingerprint().asString().orElse(null);
		// several choices where the request asked for them (n): the usage counts their completion tokens together
		List<ModelReply> replies = new ArrayList<>(choices.size());
		for (int i = 0; i < choices.size(); i++) {
			ChatCompletion.Choice choice = choices.get(i);
			String content = choice.message().content().orElse("");
			String reasoning = text(choice.message()._additionalProperties().get("reasoning_content"));
			Reasoning.Split split = Reasoning.split(content);
			if (split.reasoning() != null) {
				content = split.answer();
				reasoning = (reasoning == null) ? split.reasoning() : reasoning + "\n" + split.reasoning();
			}
			// finish_reason may be null or unknown on non-OpenAI servers: read the raw field, never the enum
			String finish = choice._finishReason().asString().orElse(null);
			if (finish == null) {
				finish = choice._finishReason().asKnown().map(Object::toString).orElse(null);
			}
			replies.add(ModelReply.answer(answeredBy, content).reasoning(reasoning)
				.finishReason(finish)
				.tokens((i == 0) ? promptTokens : 0, ModelReply.share(completionTokens, choices.size(), i))
				.latency(latency)
				.timings(timings)
				.systemFingerprint(fingerprint)
				.attempts(attempt)
				.logprobs(choice.logprobs().map(ChatService::toJson).orElse(null))
				.build());
		}
		return replies.get(0).toBuilder().others(replies.subList(1, replies.size())).build();
	}

	/**
	 * Sends a raw prompt to the legacy completions endpoint ({@code /completions}) and returns the text that follows
	 * it; the settings a completion takes ({@code max_tokens}, sampling, {@code extra}) apply, {@code top_logprobs}
	 * as the endpoint's {@code logprobs} count.
	 * @throws ModelCallException when the runner did not answer, after the retries
	 */
	public ModelReply completeText(ModelSettings settings, String prompt, DmrProperties.Retry retry, LoadGate gate) {
		CompletionCreateParams params = completion(settings, prompt);
		return withRetries(settings.name(), retry, gate, LOGGED, (attempt, start) -> {
			Completion completion = this.client.get().completions().create(params);
			long latency = (System.nanoTime() - start) / 1_000_000;
			try {
				CompletionChoice choice = completion.choices().stream().findFirst()
					.orElseThrow(() -> new ModelCallException("model '" + settings.name() + "' at " + this.baseUrl
							+ " answered without a choice", 200, false, null));
				CompletionUsage usage = completion.usage().orElse(null);
				return ModelReply.answer(completion._model().asString().orElse(null), choice.text())
					.finishReason(choice._finishReason().asString().orElse(null))
					.tokens((usage != null) ? usage.promptTokens() : 0, (usage != null) ? usage.completionTokens() : 0)
					.latency(latency)
					.timings(toJson(completion._additionalProperties().get("timings")))
					.systemFingerprint(completion._systemFingerprint().asString().orElse(null))
					.attempts(attempt)
					.logprobs(choice.logprobs().map(ChatService::toJson).orElse(null))
					.build();
			}
			catch (com.openai.errors.OpenAIInvalidDataException ex) {
				throw malformed(settings, "completion", ex);
			}
		});
	}

	/**
	 * An answer that came (HTTP 200) but lacks what the API promises: the item's failure, not the runner's absence,
	 * so the run goes on and the item is recorded as failed.
	 */
	private ModelCallException malformed(ModelSettings settings, String what, RuntimeException ex) {
		return new ModelCallException("model '" + settings.name() + "' at " + this.baseUrl + " answered with a " + what
				+ " that is not OpenAI-compatible: " + dev.dmrbatch.text.SafeText.excerpt(String.valueOf(ex.getMessage()),
						200), 200, false, null);
	}

	/** A text's embedding and the facts of the call. */
	public record Embedded(float[] vector, long promptTokens, long latencyMillis, int attempts) {
	}

	/**
	 * Sends a text to the embeddings endpoint ({@code /embeddings}) and returns its vector.
	 * @throws ModelCallException when the runner did not answer, after the retries (501 where the runner serves no
	 * embeddings for the model)
	 */
	public Embedded embed(ModelSettings settings, String text, DmrProperties.Retry retry, LoadGate gate) {
		EmbeddingCreateParams params = embedding(settings, text);
		return withRetries(settings.name(), retry, gate, LOGGED, (attempt, start) -> {
			CreateEmbeddingResponse response = this.client.get().embeddings().create(params);
			long latency = (System.nanoTime() - start) / 1_000_000;
			try {
				List<Float> values = response.data().stream().findFirst().map(Embedding::embedding)
					.filter((v) -> !v.isEmpty())
					.orElseThrow(() -> new ModelCallException("model '" + settings.name() + "' at " + this.baseUrl
							+ " answered without an embedding", 200, false, null));
				float[] vector = new float[values.size()];
				for (int i = 0; i < vector.length; i++) {
					vector[i] = values.get(i);
				}
				return new Embedded(vector, response.usage().promptTokens(), latency, attempt);
			}
			catch (com.openai.errors.OpenAIInvalidDataException ex) {
				throw malformed(settings, "embedding", ex);
			}
		});
	}

	/** A batch call's retry goes to the log. */
	private static final Retries.Retrying LOGGED = (attempt, attempts, error) -> log.warn("attempt {} of {} failed, retrying {}: {}",
			attempt, attempts, (error.retryAfter() != null) ? "after the " + error.retryAfter().toSeconds()
					+ " s its Retry-After asks (or the backoff, if longer)" : "with backoff", error.getMessage());

	/** Sends through the one retry path, the answer's tokens told to a {@code tokens-rate=}. */
	private <T> T withRetries(String model, DmrProperties.Retry retry, LoadGate gate, Retries.Retrying retrying,
			Retries.Attempt<T> call) {
		return this.retries.send(model, retry, gate, retrying, ChatService::tokens, call);
	}

	/** The prompt and completion tokens of an answer, as the runner counted them: what {@code tokens-rate=} counts. */
	private static long tokens(Object reply) {
		if (reply instanceof ModelReply answer) {
			return answer.promptTokens() + answer.completionTokens()
					+ answer.others().stream().mapToLong(ChatService::tokens).sum();
		}
		return (reply instanceof Embedded embedded) ? embedded.promptTokens() : 0;
	}

	/**
	 * The body {@link #complete} sends for these arguments, as JSON: every setting and message exactly as sent.
	 */
	public String requestBody(ModelSettings settings, List<ChatMessage> messages, StructuredOutput format) {
		return json(settings, request(settings, messages, format)._body());
	}

	/**
	 * A request as it would be sent, not sent: what a dry run writes and counts.
	 * @param endpoint where it goes, under the base URL: {@code /chat/completions}, {@code /completions} or
	 * {@code /embeddings}
	 * @param body the body as the client writes it, byte for byte
	 * @param messages a chat's messages, else {@code null}
	 * @param text a completion's prompt or an embedding's text, else {@code null}
	 */
	public record Preview(String endpoint, String model, String body, List<ChatMessage> messages, String text) {
	}

	/** What {@link #complete} would send for these arguments: streamed, the client adds {@code "stream": true}. */
	public Preview previewChat(ModelSettings settings, List<ChatMessage> messages, StructuredOutput format) {
		ChatCompletionCreateParams.Body body = request(settings, messages, format)._body();
		if (settings.streaming()) {
			// as openai-java's createStreaming writes a streamed request's body
			body = body.toBuilder().putAdditionalProperty("stream", JsonValue.from(true)).build();
		}
		return new Preview("/chat/completions", settings.name(), json(settings, body), List.copyOf(messages), null);
	}

	/** What {@link #completeText} would send. */
	public Preview previewCompletion(ModelSettings settings, String prompt) {
		return new Preview("/completions", settings.name(), json(settings, completion(settings, prompt)._body()), null,
				prompt);
	}

	/** What {@link #embed} would send. */
	public Preview previewEmbedding(ModelSettings settings, String text) {
		return new Preview("/embeddings", settings.name(), json(settings, embedding(settings, text)._body()), null,
				text);
	}

	private static String json(ModelSettings settings, Object body) {
		try {
			return ObjectMappers.jsonMapper().writeValueAsString(body);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("the request to model '" + settings.name() + "' cannot be written as JSON",
					ex);
		}
	}

	/** The finish reason of an answer stopped by the user ({@link StreamStop}) before the model ended it. */
	public static final String STOPPED = "stopped";

	/**
	 * The finish reason of a streamed chat answer that the runner's stream ended before the model did (the
	 * connection closed, or the stream ended without a finish reason): what had arrived, kept and marked.
	 */
	public static final String TRUNCATED = "truncated";

	/** Where a batch call's streamed pieces go: nowhere, the reply holds them. */
	private static final StreamListener UNSEEN = new StreamListener() {

		@Override
		public void reasoning(String text) {
		}

		@Override
		public void answer(String text) {
		}

	};

	/**
	 * Sends the conversation so far and streams the answer to {@code listener} as it arrives, the reasoning apart.
	 * Transient faults are retried as {@link #complete} does while nothing has arrived yet; once the answer has
	 * started, a fault ends it, and a stream the runner ends before the answer's end (a connection closed, no finish
	 * reason) leaves what arrived, with the finish reason {@value #TRUNCATED} ({@link StreamListener#truncated} says
	 * why). A stop ({@link StreamStop#stop()}) ends it at once: the reply then holds what had arrived, with the
	 * finish reason {@value #STOPPED}.
	 * @throws ModelCallException when the runner did not answer, after the retries
	 */
	public ModelReply stream(ModelSettings settings, List<ChatMessage> messages, DmrProperties.Retry retry,
			StreamListener listener, StreamStop stop) {
		ChatCompletionCreateParams params = request(settings.overriddenBy(STREAMED), messages, null);
		String model = settings.name();
		return withRetries(model, retry, null, (attempt, attempts, error) -> {
			if (!stop.isStopped()) {
				listener.retrying(error.getMessage());
			}
		}, (attempt, start) -> streamOnce(model, params, attempt, start, listener, stop, true));
	}

	/** What a chat's settings are sent with: streamed. */
	private static final ModelSettings STREAMED = ModelSettings.NONE.with("stream", true);

	/**
	 * One streamed request, the one way every streamed answer is read, batch or chat. Each chunk is read leniently,
	 * as OpenAI, llama.cpp, vLLM and Ollama send them: the usage in a chunk of its own (with {@code choices} empty or
	 * absent) or in the last choice's, chunks without {@code choices}, keep-alive comments. A chunk that is not JSON
	 * fails the call; so does a stream that ends before a finish reason came (it was cut: transient, so it is sent
	 * again), except in a chat ({@code keepCut}) once part of the answer was shown: that part is the reply, marked
	 * {@value #TRUNCATED}.
	 */
	private ModelReply streamOnce(String model, ChatCompletionCreateParams params, int attempt, long start,
			StreamListener listener, StreamStop stop, boolean keepCut) {
		Long ttft = null;
		StringBuilder content = new StringBuilder();
		StringBuilder reasoning = new StringBuilder();
		ReasoningStream split = new ReasoningStream(listener);
		String answeredBy = null;
		String finish = null;
		String fingerprint = null;
		CompletionUsage usage = null;
		String timings = null;
		List<Object> logprobs = new ArrayList<>();
		List<Object> refusalLogprobs = new ArrayList<>();
		long pieces = 0;
		int chunksRead = 0;
		if (stop.isStopped()) {
			return ModelReply.stoppedBeforeAnswer(attempt);
		}
		// no answer at all (refused, an error status): thrown as it is, for the caller to translate
		StreamResponse<ChatCompletionChunk> chunks;
		try {
			chunks = stop.sending(() -> this.client.get().chat().completions().createStreaming(params));
		}
		catch (RuntimeException ex) {
			if (stop.isStopped()) {
				return ModelReply.stoppedBeforeAnswer(attempt);
			}
			throw ex;
		}
		RuntimeException cut = null;
		try (chunks) {
			for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) chunks.stream()::iterator) {
				chunksRead++;
				answeredBy = chunk._model().asString().orElse(answeredBy);
				fingerprint = chunk._systemFingerprint().asString().orElse(fingerprint);
				usage = chunk._usage().asKnown().orElse(usage);
				String chunkTimings = toJson(chunk._additionalProperties().get("timings"));
				timings = (chunkTimings != null) ? chunkTimings : timings;
				for (ChatCompletionChunk.Choice choice : chunk._choices().asKnown().orElse(List.of())) {
					if (choice._index().asKnown().orElse(0L) != 0) {
						continue; // the first choice is the answer, as for a whole one
					}
					ChatCompletionChunk.Choice.Delta delta = choice._delta().asKnown().orElse(null);
					String text = (delta != null) ? delta._content().asKnown().orElse("") : "";
					String thought = (delta != null) ? Objects.requireNonNullElse(
							text(delta._additionalProperties().get("reasoning_content")), "") : "";
					if (!(text.isEmpty() && thought.isEmpty())) {
						pieces++;
						if (ttft == null) {
							ttft = (System.nanoTime() - start) / 1_000_000;
						}
					}
					if (!thought.isEmpty()) {
						reasoning.append(thought);
						listener.reasoning(thought);
					}
					content.append(text);
					split.accept(text);
					choice._logprobs().asKnown().ifPresent((given) -> {
						given._content().asKnown().ifPresent(logprobs::addAll);
						given._refusal().asKnown().ifPresent(refusalLogprobs::addAll);
					});
					// the raw field first, as for a whole answer: non-OpenAI servers may send a reason the enum lacks
					String reason = choice._finishReason().asString()
						.or(() -> choice._finishReason().asKnown().map(Object::toString))
						.orElse(null);
					finish = (reason != null) ? reason : finish;
				}
				if (stop.isStopped()) {
					stop.cancel(); // what is left of the answer is not read: its connection is not for another request
					break;
				}
			}
		}
		catch (RuntimeException ex) {
			if (!stop.isStopped()) {
				if (RunnerErrors.rootCause(ex) instanceof JsonProcessingException unreadable) {
					throw new ModelCallException("model '" + model + "' at " + this.baseUrl + " streamed a chunk that "
							+ "is not OpenAI-compatible JSON (after " + chunksRead + " chunks): "
							+ RunnerErrors.firstLine(String.valueOf(unreadable.getOriginalMessage())), 200, false, ex);
				}
				if (!(RunnerErrors.rootCause(ex) instanceof java.io.IOException)) {
					// an error the runner sent in the stream
					ModelCallException error = RunnerErrors.translate(ex, this.baseUrl, model);
					// part of the answer may be on screen already: sending again would write it twice
					throw (ttft != null && error.isTransient())
							? new ModelCallException(error.getMessage(), error.status(), false, ex) : error;
				}
				cut = ex; // the connection closed or stalled mid-answer
			}
		}
		split.finish();
		long latency = (System.nanoTime() - start) / 1_000_000;
		if (stop.isStopped()) {
			finish = STOPPED;
		}
		else if (finish == null) {
			String why = "the answer of model '" + model + "' at " + this.baseUrl + " was cut off: its stream ended after "
					+ chunksRead + ((chunksRead == 1) ? " chunk" : " chunks") + " without a finish reason"
					+ ((cut != null) ? " (" + RunnerErrors.cutBy(cut) + ")" : "");
			if (!keepCut || ttft == null) {
				// nothing of it kept: a transient fault, sent again
				throw new ModelCallException(why, 200, true, cut);
			}
			finish = TRUNCATED;
			listener.truncated(why);
		}
		Reasoning.Split parts = Reasoning.split(content.toString());
		String thinking = reasoning.isEmpty() ? null : reasoning.toString();
		if (parts.reasoning() != null) {
			thinking = (thinking == null) ? parts.reasoning() : thinking + "\n" + parts.reasoning();
		}
		String logprobsJson = null;
		if (!logprobs.isEmpty() || !refusalLogprobs.isEmpty()) {
			Map<String, Object> all = new java.util.LinkedHashMap<>();
			all.put("content", logprobs);
			if (!refusalLogprobs.isEmpty()) {
				all.put("refusal", refusalLogprobs);
			}
			logprobsJson = toJson(all);
		}
		// an answer cut short has no usage: llama-server streams a token a piece, so the pieces count them
		return ModelReply.answer(answeredBy, parts.answer()).reasoning(thinking)
			.finishReason(finish)
			.tokens((usage != null) ? usage.promptTokens() : 0, (usage != null) ? usage.completionTokens() : pieces)
			.latency(latency)
			.ttft(ttft)
			.timings(timings)
			.systemFingerprint(fingerprint)
			.attempts(attempt)
			.logprobs(logprobsJson)
			.build();
	}

	/** The embeddings request for these settings: the model, the text, and {@code extra} as given. */
	static EmbeddingCreateParams embedding(ModelSettings settings, String text) {
		EmbeddingCreateParams.Builder request = EmbeddingCreateParams.builder().model(settings.name()).input(text);
		if (settings.extra() != null) {
			settings.extra().forEach((key, value) -> request.putAdditionalBodyProperty(key, JsonValue.from(value)));
		}
		return request.build();
	}

	/** The legacy completions request for these settings: {@code top_logprobs} as its {@code logprobs} count. */
	static CompletionCreateParams completion(ModelSettings settings, String prompt) {
		CompletionCreateParams.Builder request = CompletionCreateParams.builder().model(settings.name()).prompt(prompt);
		if (settings.wantsLogprobs()) {
			request.logprobs((settings.topLogprobs() != null) ? settings.topLogprobs() : 0);
		}
		new Sampling(request::maxTokens, request::temperature, request::topP,
				(stop) -> request.stop(CompletionCreateParams.Stop.ofStrings(stop)), request::seed,
				request::presencePenalty, request::frequencyPenalty, request::putAdditionalBodyProperty)
			.set(settings);
		return request.build();
	}

	/** The chat request for these settings and messages, asking for JSON when {@code format} is given. */
	static ChatCompletionCreateParams request(ModelSettings settings, List<ChatMessage> messages,
			StructuredOutput format) {
		ChatCompletionCreateParams.Builder request = ChatCompletionCreateParams.builder().model(settings.name());
		for (ChatMessage message : messages) {
			switch (message.role()) {
				case "system" -> request.addSystemMessage(message.content());
				case "assistant" -> request.addAssistantMessage(message.content());
				default -> {
					if (message.images().isEmpty()) {
						request.addUserMessage(message.content());
					}
					else {
						request.addUserMessageOfArrayOfContentParts(parts(message));
					}
				}
			}
		}
		if (format != null) {
			// as plain JSON: llama-server, Ollama and vLLM read OpenAI's shape, and the SDK's typed builder would
			// only re-encode the same map
			request.putAdditionalBodyProperty("response_format", JsonValue.from(format.responseFormat()));
		}
		new Sampling(request::maxTokens, request::temperature, request::topP,
				(stop) -> request.stop(ChatCompletionCreateParams.Stop.ofStrings(stop)), request::seed,
				request::presencePenalty, request::frequencyPenalty, request::putAdditionalBodyProperty)
			.set(settings);
		if (settings.wantsLogprobs()) {
			request.logprobs(true);
			if (settings.topLogprobs() != null) {
				request.topLogprobs(settings.topLogprobs().longValue());
			}
		}
		if (settings.n() != null) {
			request.n(settings.n().longValue());
		}
		if (settings.streaming()) {
			request.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
		}
		return request.build();
	}

	/** A user message with images as OpenAI's content parts: its text, then each image as a data URL. */
	private static List<ChatCompletionContentPart> parts(ChatMessage message) {
		List<ChatCompletionContentPart> parts = new ArrayList<>();
		parts.add(ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(message.content()).build()));
		for (ChatImage image : message.images()) {
			parts.add(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
				.imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(image.dataUrl()).build())
				.build()));
		}
		return parts;
	}

	/**
	 * The settings a chat and a legacy completion request both carry, each set the one way on either's builder:
	 * {@code max_tokens} always (llama-server's own default is unlimited), the others when given. The SDK writes its
	 * fields in an order of its own, whatever the order they are set in; {@code extra}, as given (store, metadata, a
	 * runner's own sampling fields), follows the body's other fields the SDK does not know.
	 */
	private record Sampling(LongConsumer maxTokens, DoubleConsumer temperature, DoubleConsumer topP,
			Consumer<List<String>> stop, LongConsumer seed, DoubleConsumer presencePenalty,
			DoubleConsumer frequencyPenalty, BiConsumer<String, JsonValue> extra) {

		void set(ModelSettings settings) {
			this.maxTokens.accept(settings.maxTokens());
			if (settings.temperature() != null) {
				this.temperature.accept(settings.temperature());
			}
			if (settings.topP() != null) {
				this.topP.accept(settings.topP());
			}
			if (settings.stop() != null && !settings.stop().isEmpty()) {
				this.stop.accept(settings.stop());
			}
			if (settings.seed() != null) {
				this.seed.accept(settings.seed());
			}
			if (settings.presencePenalty() != null) {
				this.presencePenalty.accept(settings.presencePenalty());
			}
			if (settings.frequencyPenalty() != null) {
				this.frequencyPenalty.accept(settings.frequencyPenalty());
			}
			if (settings.extra() != null) {
				settings.extra().forEach((key, value) -> this.extra.accept(key, JsonValue.from(value)));
			}
		}

	}

	/** A JSON string's value, or {@code null} when absent or not a string. */
	private static String text(JsonValue value) {
		Object text = (value != null) ? value.asString().orElse(null) : null;
		return (text instanceof String string) ? string : null;
	}

	private static String toJson(Object value) {
		if (value == null || (value instanceof JsonValue json && (json.isMissing() || json.isNull()))) {
			return null;
		}
		try {
			return ObjectMappers.jsonMapper().writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			return null;
		}
	}

}
