package dev.dmrbatch.run;

import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;

import org.springframework.core.task.AsyncTaskExecutor;

/**
 * What a run holds for one model runner while it runs: the runner's client, the worker threads that wait on its
 * answers, and the gate that keeps its requests in flight at its concurrency.
 */
record RunnerLane(RunPlan.Lane lane, ChatService chat, AsyncTaskExecutor workers, LoadGate gate) {

	String url() {
		return this.lane.url().toString();
	}

}
