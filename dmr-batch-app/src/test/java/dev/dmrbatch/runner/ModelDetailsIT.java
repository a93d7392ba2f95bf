package dev.dmrbatch.runner;

import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code job=models model=<name>}: Docker Model Runner's {@code GET /models/{namespace}/{name}} is asked first; the
 * local llama-server does not serve it, so the details come from the model's entry in {@code /v1/models}, and the
 * answer says so.
 */
@ExtendWith(WorkspaceExtension.class)
class ModelDetailsIT {

	Workspace workspace;

	@Test
	@SuppressWarnings("unchecked")
	void oneModelsDetailsSayWhichRouteAnswered() throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			String root = proxy.baseUrl().replaceAll("/v1$", "");
			Dmr.Result table = this.workspace.dmrAt(proxy.baseUrl(), "job=models", "model=ai/tiny");
			assertThat(table.exitCode()).as(table.toString()).isZero();
			assertThat(table.out()).startsWith("ai/tiny at " + proxy.baseUrl() + ", from GET " + proxy.baseUrl()
					+ "/models (its entry; GET " + root + "/models/ai/tiny answered 404)")
				.containsPattern("\nmeta\\.n_ctx_train +4096\n")
				.containsPattern("\nstatus\\.value +loaded\n")
				.doesNotContain("status.args").doesNotContain("ai/tiny2");
			assertThat(proxy.received()).extracting(FaultProxy.Received::path).contains("/models/ai/tiny");

		}
		// directly, llama-server's props answer too: the context the model runs with
		String base = LocalRunner.baseUrl();
		Dmr.Result json = this.workspace.dmr("job=models", "model=tiny", "format=json");
		assertThat(json.exitCode()).as(json.toString()).isZero();
		Map<String, Object> details = JsonMapper.shared().readValue(json.out(), Map.class);
		assertThat(details).containsEntry("model", "ai/tiny")
			.containsEntry("answered_by", "GET " + base + "/models (its entry; GET "
					+ base.replaceAll("^(https?://[^/]+).*$", "$1") + "/models/ai/tiny answered 404)");
		assertThat((Map<String, Object>) details.get("details")).containsEntry("id", "ai/tiny")
			.containsEntry("meta.n_embd", 64)
			.containsEntry("props.n_ctx", 4096);
	}

	@Test
	void anUnknownModelIsNamedWithWhatTheRunnerHas() {
		Dmr.Result result = this.workspace.dmr("job=models", "model=ai/nothing-like-it");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err().strip()).startsWith("error: model 'ai/nothing-like-it' is not available; the runner "
				+ "has: ai/tiny, ai/tiny-embed, ai/tiny-vision, ai/tiny2");
		assertThat(result.out()).isEmpty();
	}

}
