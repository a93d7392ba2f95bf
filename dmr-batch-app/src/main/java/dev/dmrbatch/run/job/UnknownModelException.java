package dev.dmrbatch.run.job;

import dev.dmrbatch.run.plan.RunException;

/** A run that asks a runner for a model the runner does not have: a mistake in what was asked. */
public class UnknownModelException extends RunException {

	public UnknownModelException(String message) {
		super(message);
	}

}
