package dev.dmrbatch.web;

import java.net.http.HttpResponse;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run started on the command line with a launch setting, stopped mid-way, resumed from the web app (as the runs
 * page does): the rest of its items are asked under the settings it started with, and a web app launched with other
 * settings refuses to resume it (409) instead of asking them under those.
 */
@ExtendWith(WorkspaceExtension.class)
class WebResumeIT {

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= 60; i++) {
			csv.append("r").append(i).append(",text ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString()).itemsJob();
		// run live300 with max_tokens=4 at launch; the runner goes away after 20 requests
		this.proxy.faults((n) -> (n > 20) ? new FaultProxy.Drop() : FaultProxy.FORWARD);
		Dmr.Result failed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live300", "max_tokens=4",
				"--dmr.retry.attempts=2", "--dmr.retry.backoff=20ms");
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(5);
		this.proxy.faults((n) -> FaultProxy.FORWARD);
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	@Test
	void aRunResumedFromTheWebAppGoesOnWithTheSettingsItStartedWith() throws Exception {
		int sentBefore = this.proxy.chatBodies().size();
		try (Serve serve = Serve.start(this.workspace, this.proxy.baseUrl())) {
			HttpResponse<String> started = serve.post("api/jobs/items/runs", "{\"run\": \"live300\"}", true);
			assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
			JsonNode run = serve.awaitRun("live300", (status) -> status.equals("COMPLETED"));
			assertThat(run.path("ok").asLong()).isEqualTo(60);
		}
		assertThat(this.proxy.chatBodiesSince(sentBefore)).isNotEmpty()
			.allSatisfy((body) -> assertThat(Serve.JSON.readTree(body).path("max_tokens").asInt()).isEqualTo(4));
	}

	@Test
	void aWebAppLaunchedWithOtherSettingsRefusesToResumeTheRunNamingThem() throws Exception {
		int sentBefore = this.proxy.chatBodies().size();
		try (Serve serve = Serve.start(this.workspace, this.proxy.baseUrl(), "--dmr.max-tokens=16")) {
			HttpResponse<String> refused = serve.post("api/jobs/items/runs", "{\"run\": \"live300\"}", true);
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
			assertThat(Serve.JSON.readTree(refused.body()).path("error").asString())
				.contains("run live300 of items was started with max_tokens 4 (this launch gives 16, from the command "
						+ "line (--dmr.max-tokens))");
		}
		assertThat(this.proxy.chatBodies()).hasSize(sentBefore);
	}

}
