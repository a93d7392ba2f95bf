package dev.dmrbatch.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.input.TrialSelection;
import dev.dmrbatch.run.plan.RunRequest;
import dev.dmrbatch.text.SafeText;

/**
 * The command line's own {@code key=value} arguments. Spring Boot's {@code --key=value} options are left to Boot.
 *
 * @param bare whether the command was named by a first word alone ({@code runs}) rather than {@code job=}
 * @param options the names of the {@code --options} given, such as {@code json}
 */
public record Arguments(Map<String, String> values, Map<String, String> vars, boolean help, boolean bare,
		Set<String> options) {

	/** A first word that may name a command. */
	private static final Pattern COMMAND_WORD = Pattern.compile("[a-z][a-z0-9-]*");

	/** {@code dry-run}, alone or as {@code dry-run=true|false}: what a run would send, rendered and counted, not sent. */
	static final String DRY_RUN = "dry-run";

	/**
	 * What a job file's run uses ({@code var.} for {@code var.<key>=}): its own arguments, and the request settings by
	 * their job file names, which apply to this run over the job file's, as {@code --dmr.<key>=} does
	 * ({@link CommandLine}). The one list of them: {@link JobRun} refuses any other, {@link #KEYS} takes them all.
	 */
	static final Set<String> JOB_RUN;

	/** The arguments only other commands use: each is one of a {@link Command#arguments()}, as {@code UsageIT} checks. */
	private static final Set<String> OTHER_COMMANDS = Set.of("export", "format", "requests", "session", "continue",
			"system", "port", "address", "token", "token-file");

	/** Every argument some command or job run uses: any other is refused as the arguments are read. */
	static final Set<String> KEYS;

	static {
		Set<String> run = new java.util.HashSet<>(Set.of("input", "output", "model", "run", "concurrency", "base-url",
				"var.", "cache", "tag", "cluster", "limit", "sample", "sample-seed", "junit", "rate", "tokens-rate",
				DRY_RUN, "retry", "repeat"));
		run.addAll(LaunchSettings.KEYS.keySet());
		JOB_RUN = Set.copyOf(run);
		Set<String> keys = new java.util.HashSet<>(run);
		keys.remove("var.");
		keys.addAll(Set.of("job", "profile"));
		keys.addAll(OTHER_COMMANDS);
		KEYS = Set.copyOf(keys);
	}

	/** The commands that take {@code run=} more than once; the second and later are kept as {@code run#2} ... */
	private static final Set<String> SEVERAL_RUNS = Set.of("compare");

	static Arguments parse(List<String> args) {
		Map<String, String> values = new LinkedHashMap<>();
		Map<String, String> vars = new LinkedHashMap<>();
		boolean help = args.isEmpty();
		boolean bare = false;
		for (String arg : args) {
			if (arg.equals("help") || arg.equals("-h")) {
				help = true;
				continue;
			}
			if (arg.equals(DRY_RUN)) {
				arg = DRY_RUN + "=true"; // a switch: the word alone says yes
			}
			int eq = arg.indexOf('=');
			if (eq < 0 && !values.containsKey("job") && COMMAND_WORD.matcher(arg).matches()) {
				// runs, config [job=<name>]: a command named by a first word; the command line checks it is one
				values.put("job", arg);
				bare = true;
				continue;
			}
			if (eq <= 0) {
				throw notACommand(arg);
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
			if (key.equals("job") && bare) {
				// only runs and config take a job=; any other first word is not a command that takes one
				throw notACommand(values.get("job"));
			}
			if (key.equals("run") && values.containsKey("run")) {
				values.put("run#" + (all(values, "run").size() + 1), value);
				continue;
			}
			if (key.equals(DRY_RUN) && !value.equals("true") && !value.equals("false")) {
				throw new ArgumentException(DRY_RUN + "=" + SafeText.excerpt(value, 20) + " is not true or false");
			}
			if (values.put(key, value) != null) {
				throw new ArgumentException("argument " + key + "= is given twice");
			}
		}
		if (!help && !values.containsKey("job")) {
			throw new ArgumentException("no job given: say job=<name> (see: java -jar dmr-batch.jar help)");
		}
		if (values.containsKey("run#2") && !SEVERAL_RUNS.contains(values.get("job"))) {
			throw new ArgumentException("argument run= is given twice (only job=compare takes several runs)");
		}
		return new Arguments(values, vars, help, bare, Set.of());
	}

	/** The refusal of a first word that names no command, as for any argument without {@code =}. */
	static ArgumentException notACommand(String word) {
		return new ArgumentException("unknown argument '" + word + "': arguments are key=value, e.g. job=summarize"
				+ " (see: java -jar dmr-batch.jar help)");
	}

	/** These arguments with the names of the {@code --options} given. */
	Arguments withOptions(Set<String> given) {
		return new Arguments(this.values, this.vars, this.help, this.bare, Set.copyOf(given));
	}

	/** Whether {@code --<name>} was given. */
	public boolean option(String name) {
		return this.options.contains(name);
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

	/** Whether {@code dry-run} (or {@code dry-run=true}) was given. */
	public boolean dryRun() {
		return "true".equals(this.values.get(DRY_RUN));
	}

	public String job() {
		return this.values.get("job");
	}

	public String get(String key) {
		return this.values.get(key);
	}

	/** Every value of an argument that may be given more than once ({@code run=} of {@code job=compare}), in order. */
	public List<String> all(String key) {
		return all(this.values, key);
	}

	private static List<String> all(Map<String, String> values, String key) {
		List<String> all = new java.util.ArrayList<>();
		for (int i = 1; values.containsKey((i == 1) ? key : key + "#" + i); i++) {
			all.add(values.get((i == 1) ? key : key + "#" + i));
		}
		return all;
	}

	RunRequest toRequest() {
		return RunRequest.of(job())
			.input(this.values.get("input"))
			.output(this.values.get("output"))
			.model(this.values.get("model"))
			.label(this.values.get("run"))
			.concurrency(this.values.get("concurrency"))
			.vars(this.vars)
			.baseUrl(this.values.get("base-url"))
			.cache(this.values.get("cache"))
			.cluster(this.values.get("cluster"))
			.trial(trial())
			.rates(this.values.get("rate"), this.values.get("tokens-rate"))
			.repeat(this.values.get("repeat"))
			.build();
	}

	/**
	 * The trial run asked for: {@code limit=<n>} (the first n records) or {@code sample=<n>} (n records drawn with
	 * {@code sample-seed=}, else {@link TrialSelection#DEFAULT_SEED}); {@code null} for neither.
	 * @throws ArgumentException for a value that is not a whole number from 1, both, or a seed without a sample
	 */
	TrialSelection trial() {
		try {
			return TrialSelection.of(this.values.get("limit"), this.values.get("sample"), this.values.get("sample-seed"));
		}
		catch (IllegalArgumentException ex) {
			throw new ArgumentException(ex.getMessage());
		}
	}

}
