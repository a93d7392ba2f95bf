package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;

/**
 * What the types of check that look for their {@code value} in the answer share (contains, not-contains, expected):
 * they take {@code value} and {@code ignore-case}, and need a value that is not empty.
 */
abstract class ValueCheck implements CheckKind {

	@Override
	public List<String> keys() {
		return List.of("value", "ignore-case");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.value() == null || check.value().isEmpty()) {
			rules.problem("a " + check.type() + " check needs a 'value'");
		}
	}

}
