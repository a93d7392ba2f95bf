package dev.dmrbatch.run.partition;

import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.run.plan.RunPlan;

import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * What a run holds for one model runner while it runs: the runner's client, the worker threads that wait on its
 * answers, and the gate that keeps its requests in flight at its concurrency.
 */
public record RunnerLane(RunPlan.Lane lane, ChatService chat, ThreadPoolTaskExecutor workers, LoadGate gate)
		implements AutoCloseable {

	public String url() {
		return this.lane.url().toString();
	}

	/** Lets the requests in flight finish, then releases the lane's threads. */
	@Override
	public void close() {
		this.workers.shutdown();
		this.gate.close();
	}

}
