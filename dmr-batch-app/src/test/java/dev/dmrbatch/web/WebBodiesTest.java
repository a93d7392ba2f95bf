package dev.dmrbatch.web;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.chat.BrowserChat;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.run.plan.RunException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The API's request bodies bound to records as Spring MVC binds them (Jackson), and its errors' problem details as
 * they are written.
 */
class WebBodiesTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void aChatTurnTakesItsParametersAtTheTopOrInSettings() {
		ApiController.ChatBody body = JSON.readValue("""
				{"model": "ai/tiny", "session": " ", "continue": "run:7",
				 "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
				 "temperature": 0.5, "max_tokens": 9, "stop": ["a", "b"], "unknown": 1,
				 "settings": {"max_tokens": 12, "seed": null}}""", ApiController.ChatBody.class);
		BrowserChat.Request request = body.request();
		assertThat(request.model()).isEqualTo("ai/tiny");
		assertThat(request.session()).isNull();
		assertThat(request.continueFrom()).isEqualTo("run:7");
		assertThat(request.messages()).containsExactly(new ChatMessage("system", "be brief"), ChatMessage.user("hi"));
		assertThat(request.settings())
			.containsExactlyInAnyOrderEntriesOf(Map.of("temperature", "0.5", "max_tokens", "12", "stop", "a|b"));
	}

	@Test
	void aMessageIsARoleAndAContent() {
		ApiController.ChatBody body = JSON.readValue("{\"messages\": [{\"role\": \"user\"}]}",
				ApiController.ChatBody.class);
		assertThatThrownBy(body::request).isInstanceOf(RunException.class)
			.hasMessage("each of messages must be {\"role\": \"...\", \"content\": \"...\"}");
	}

	@Test
	void aJobsStartTakesEveryFieldOrNone() {
		ApiController.JobBody body = JSON.readValue("{\"input\": \"in/a.csv\", \"vars\": {\"n\": 2}, \"run\": \"x\"}",
				ApiController.JobBody.class);
		assertThat(body).isEqualTo(new ApiController.JobBody("in/a.csv", null, Map.of("n", 2), "x"));
		assertThat(JSON.readValue("{}", ApiController.JobBody.class).vars()).isNull();
	}

	@Test
	void anErrorIsAProblemDetailWithItsSentenceAsError() {
		assertThat(JSON.readTree(WebErrors.json(WebErrors.problem(HttpStatus.NOT_FOUND, "there is no run 7"))))
			.isEqualTo(JSON.readTree("""
					{"title": "Not Found", "status": 404, "detail": "there is no run 7",
					 "error": "there is no run 7"}"""));
		assertThat(List.of(WebErrors.status(new dev.dmrbatch.run.plan.NotFoundException("there is no run 7")).get()
			.getKey(), WebErrors.status(new RunException("there is no such thing, said the planner")).get().getKey()))
			.containsExactly(HttpStatus.NOT_FOUND, HttpStatus.BAD_REQUEST);
	}

}
