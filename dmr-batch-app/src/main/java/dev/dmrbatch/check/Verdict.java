package dev.dmrbatch.check;

/**
 * One check's verdict on one answer.
 *
 * @param checkKey the check's name with its step's, {@code <step>.<check>}
 * @param pass whether the answer passed the check
 * @param reason why, in a short sentence (the store keeps at most {@value CheckStore#REASON_LENGTH} characters)
 * @param judgeReply a judge check's grader's reply as it gave it, else {@code null}
 */
public record Verdict(String checkKey, boolean pass, String reason, String judgeReply) {

	public Verdict(String checkKey, boolean pass, String reason) {
		this(checkKey, pass, reason, null);
	}

}
