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
		ApiController.JobBody body = ApiController.JobBody.of(JSON.readTree(
				"{\"input\": \"in/a.csv\", \"vars\": {\"n\": 2, \"on\": true}, \"run\": \"x\", \"tags\": [\"a\", \"b\"], "
						+ "\"limit\": 3, \"repeat\": 2}"));
		assertThat(body).isEqualTo(new ApiController.JobBody("in/a.csv", null, Map.of("n", "2", "on", "true"), "x",
				List.of("a", "b"), dev.dmrbatch.input.TrialSelection.first(3), "2"));
		assertThat(ApiController.JobBody.of(JSON.readTree("{}")).vars()).isEmpty();
		assertThat(ApiController.JobBody.of(null).tags()).isEmpty();
	}

	@Test
	void aJobsStartRefusesWhatIsNotItsShape() {
		assertThatThrownBy(() -> ApiController.JobBody.of(JSON.readTree("{\"vars\": \"a=b\"}")))
			.isInstanceOf(RunException.class).hasMessageStartingWith("vars must be an object");
		assertThatThrownBy(() -> ApiController.JobBody.of(JSON.readTree("{\"vars\": {\"a\": [1]}}")))
			.isInstanceOf(RunException.class).hasMessage("vars.a must be a string, a number or true or false");
		assertThatThrownBy(() -> ApiController.JobBody.of(JSON.readTree("{\"colour\": \"red\"}")))
			.isInstanceOf(RunException.class).hasMessage("colour is not one of input, model, vars, run, tags, limit, sample, sample_seed, repeat");
		assertThatThrownBy(() -> ApiController.JobBody.of(JSON.readTree("{\"model\": 3}")))
			.isInstanceOf(RunException.class).hasMessage("model must be a string");
		assertThatThrownBy(() -> ApiController.JobBody.of(JSON.readTree("{\"tags\": [\"a b\", \"c;\"]}")))
			.isInstanceOf(RunException.class).hasMessageContaining("'c;' is not a tag");
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
		assertThat(WebErrors.status(new RefusedException("run 3 is not going on in this app")).get().getKey())
			.isEqualTo(HttpStatus.CONFLICT);
	}

}
