package dev.dmrbatch.conversation;

/**
 * One check's verdict on one answer: what a conversation carries of the job's checks (the checks and their store are
 * the {@code check} package's).
 *
 * @param checkKey the check's name with its step's, {@code <step>.<check>}
 * @param pass whether the answer passed the check
 * @param reason why, in a short sentence (the checks' store keeps at most 1000 characters)
 * @param judgeReply a judge check's grader's reply as it gave it, else {@code null}
 */
public record Verdict(String checkKey, boolean pass, String reason, String judgeReply) {

	public Verdict(String checkKey, boolean pass, String reason) {
		this(checkKey, pass, reason, null);
	}

}
