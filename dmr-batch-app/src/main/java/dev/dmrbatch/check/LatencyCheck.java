package dev.dmrbatch.check;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.jobfile.JobDefinition;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: latency}: each of the step's calls took at most {@code max-ms} milliseconds, from the request sent to
 * the answer's last byte, as the call is stored ({@code latency_ms} in the exports).
 */
@Component
@Order(100)
class LatencyCheck extends CallCheck {

	@Override
	public String name() {
		return "latency";
	}

	@Override
	String key() {
		return "max-ms";
	}

	@Override
	Integer maximum(JobDefinition.Check check) {
		return check.maxMs();
	}

	@Override
	long figure(Conversation.Call call) {
		return call.latencyMillis();
	}

	@Override
	String show(long figure) {
		return figure + " ms";
	}

}
