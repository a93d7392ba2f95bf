package dev.dmrbatch.check;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.jobfile.JobDefinition;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: tokens}: each of the step's calls was answered with at most {@code max} completion tokens, as the
 * runner counted them ({@code completion_tokens} in the exports).
 */
@Component
@Order(110)
class TokensCheck extends CallCheck {

	@Override
	public String name() {
		return "tokens";
	}

	@Override
	String key() {
		return "max";
	}

	@Override
	Integer maximum(JobDefinition.Check check) {
		return check.max();
	}

	@Override
	long figure(Conversation.Call call) {
		return call.completionTokens();
	}

	@Override
	String show(long figure) {
		return figure + ((figure == 1) ? " token" : " tokens");
	}

}
