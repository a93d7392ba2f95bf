package dev.dmrbatch.model;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.TestProperties;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A streamed answer stopped from another thread, as Ctrl-C stops one in a chat, leaves nothing of its stream behind:
 * its connection is closed, not pooled, and the next request on the same client reads its own answer, not what was
 * left of the stopped one. The stop comes at varying points, often just before the answer's end, where a stream
 * read from two threads at once went back to the pool damaged.
 */
class StreamStopIT {

	@TempDir
	Path home;

	@Test
	void aStoppedAnswersConnectionIsClosedAndTheNextRequestReadsItsOwnAnswer() throws Exception {
		DmrProperties properties = TestProperties.home(this.home).withBaseUrl(URI.create(LocalRunner.baseUrl()));
		List<Connection> acquired = new CopyOnWriteArrayList<>();
		OkHttpClient http = new ModelClientConfiguration().modelHttpClient(properties)
			.newBuilder()
			.eventListener(new EventListener() {

				@Override
				public void connectionAcquired(Call call, Connection connection) {
					acquired.add(connection);
				}

			})
			.build();
		com.openai.client.OpenAIClient client = ModelClientConfiguration.client(properties, http);
		ChatService chat = new ChatService(client, properties.baseUrl().toString());
		ModelCatalog catalog = new ModelCatalog(client, properties);
		ModelSettings brief = ModelSettings.NONE.withName(LocalRunner.MODEL).with("max_tokens", 3);
		List<ChatMessage> count = List.of(ChatMessage.user("Count from 1 to 500, one number a line."));
		for (int round = 1; round <= 60; round++) {
			int at = 1 + (round % 4);
			int tokens = 10 + (round % 9);
			ModelSettings counting = ModelSettings.NONE.withName(LocalRunner.MODEL).with("max_tokens", tokens);
			StreamStop stop = new StreamStop();
			acquired.clear();
			AtomicInteger pieces = new AtomicInteger();
			CountDownLatch started = new CountDownLatch(1);
			Thread ctrlC = new Thread(() -> {
				try {
					started.await(5, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				stop.stop(); // from another thread, while the answer is being read
			});
			ctrlC.start();
			ModelReply reply = chat.stream(counting, count, properties.retry(), new StreamListener() {

				@Override
				public void reasoning(String text) {
					answer(text);
				}

				@Override
				public void answer(String text) {
					if (pieces.incrementAndGet() == at) {
						started.countDown();
					}
				}

			}, stop);
			ctrlC.join();
			if (reply.completionTokens() < tokens) {
				// stopped before its end (a stopped answer counts the tokens read): its connection is closed, never
				// pooled for the next request, whatever was left on it
				assertThat(acquired).as("round %d", round).isNotEmpty();
				assertThat(acquired.get(acquired.size() - 1).socket().isClosed())
					.as("round %d", round)
					.isTrue();
			}
			assertThat(catalog.modelNames()).as("round %d", round).contains(LocalRunner.MODEL);
			ModelReply next = chat.complete(brief, List.of(ChatMessage.user("Say hi.")), null, properties.retry(),
					null);
			assertThat(next.finishReason()).as("round %d", round).isNotNull();
		}
	}

}
