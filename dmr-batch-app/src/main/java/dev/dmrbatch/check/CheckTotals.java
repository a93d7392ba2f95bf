package dev.dmrbatch.check;

/**
 * How many answers passed one check in a run's latest evaluation.
 *
 * @param checkKey {@code <step>.<check>}
 * @param model the model, or {@code null} for all of the run's models together
 * @param passed how many verdicts were a pass
 * @param total how many verdicts there were: one per item and model whose step was answered
 */
public record CheckTotals(String checkKey, String model, long passed, long total) {

	/** The share of verdicts that passed, between 0 and 1; 0 when there was none. */
	public double rate() {
		return (this.total == 0) ? 0 : (double) this.passed / this.total;
	}

}
