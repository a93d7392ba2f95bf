package dev.dmrbatch.plugin.api;

/**
 * A check's verdict on one answer.
 *
 * @param pass whether the answer passes
 * @param reason why, in a few words, for the results and the report; may be {@code null} when it passes
 */
public record CheckResult(boolean pass, String reason) {

	/**
	 * A pass.
	 * @return a verdict that passes without a reason
	 */
	public static CheckResult passed() {
		return new CheckResult(true, null);
	}

	/**
	 * A failure.
	 * @param reason why, in a few words
	 * @return a verdict that fails
	 */
	public static CheckResult failed(String reason) {
		return new CheckResult(false, reason);
	}

}
