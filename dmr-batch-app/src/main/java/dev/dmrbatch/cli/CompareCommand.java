package dev.dmrbatch.cli;

import java.util.Set;

import dev.dmrbatch.compare.Comparisons;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code job=compare run=<a> run=<b> [run=<c> ...] [output=<dir>]}: runs of the same input compared item by item, or
 * with one {@code run=} the models of a run made with several; read from the store only, no model is called.
 */
@Component
@Order(15)
class CompareCommand implements Command {

	private final Comparisons comparisons;

	CompareCommand(Comparisons comparisons) {
		this.comparisons = comparisons;
	}

	@Override
	public String name() {
		return "compare";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("run", "output");
	}

	@Override
	public String usage() {
		return "job=compare run=<id|label> run=<id|label> [run=...] [output=<dir>]\n"
				+ "  (one run= of a run with several models compares its models)";
	}

	@Override
	public int run(Arguments arguments) {
		Comparisons.Result result = this.comparisons.compare(arguments.all("run"), arguments.get("output"));
		result.summary().forEach(Console::out);
		result.files().forEach((file) -> Console.out("compare: " + file));
		result.warnings().forEach(Console::warning);
		return 0;
	}

}
