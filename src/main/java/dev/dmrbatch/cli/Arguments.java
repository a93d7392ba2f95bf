package dev.dmrbatch.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dmrbatch.run.plan.RunRequest;

/**
 * The command line's own {@code key=value} arguments. Spring Boot's {@code --key=value} options are left to Boot.
 */
record Arguments(Map<String, String> values, Map<String, String> vars, boolean help) {

	static final Set<String> KEYS = Set.of("job", "input", "output", "model", "profile", "run", "concurrency",
			"export", "format", "requests", "max_tokens", "base-url");

	static Arguments parse(List<String> args) {
		Map<String, String> values = new LinkedHashMap<>();
		Map<String, String> vars = new LinkedHashMap<>();
		boolean help = args.isEmpty();
		for (String arg : args) {
			if (arg.equals("help") || arg.equals("-h")) {
				help = true;
				continue;
			}
			if (arg.equals("config") && !values.containsKey("job")) {
				values.put("job", "config"); // config [job=<name>]: the settings, and a job's
				continue;
			}
			int eq = arg.indexOf('=');
			if (eq <= 0) {
				throw new ArgumentException("unknown argument '" + arg + "': arguments are key=value, e.g. job=summarize"
						+ " (see: java -jar dmr-batch.jar help)");
			}
			String key = arg.substring(0, eq);
			String value = arg.substring(eq + 1);
			if (key.startsWith("var.")) {
				String name = key.substring(4);
				if (name.isEmpty() || vars.put(name, value) != null) {
					throw new ArgumentException((name.isEmpty() ? "empty variable name in '" : "variable given twice: '")
							+ arg + "'");
				}
				continue;
			}
			if (!KEYS.contains(key)) {
				throw new ArgumentException("unknown argument '" + key + "=': the arguments are "
						+ String.join("=, ", KEYS.stream().sorted().toList()) + "= and var.<name>=");
			}
			if (value.isEmpty()) {
				throw new ArgumentException("argument " + key + "= has no value");
			}
			if (key.equals("job") && ("runs".equals(values.get("job")) || "config".equals(values.get("job")))
					&& !values.containsKey("of")) {
				// job=runs job=<name>, config job=<name>: the second job= says which job
				values.put("of", value);
				continue;
			}
			if (values.put(key, value) != null) {
				throw new ArgumentException("argument " + key + "= is given twice");
			}
		}
		if (!help && !values.containsKey("job")) {
			throw new ArgumentException("no job given: say job=<name> (see: java -jar dmr-batch.jar help)");
		}
		return new Arguments(values, vars, help);
	}

	/** Pre-parses {@code profile=} out of the raw arguments, before Spring starts; null when absent. */
	static String profile(String[] args) {
		for (String arg : args) {
			if (arg.startsWith("profile=")) {
				return arg.substring("profile=".length());
			}
		}
		return null;
	}

	String job() {
		return this.values.get("job");
	}

	String get(String key) {
		return this.values.get(key);
	}

	RunRequest toRequest() {
		return new RunRequest(job(), this.values.get("input"), this.values.get("output"), this.values.get("model"),
				this.values.get("run"), this.values.get("concurrency"), this.vars, this.values.get("base-url"));
	}

}
