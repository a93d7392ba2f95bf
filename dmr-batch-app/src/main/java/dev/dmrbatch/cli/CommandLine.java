package dev.dmrbatch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.launch.AtOnce;
import dev.dmrbatch.text.Causes;

import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the application for one command and returns its exit code. Problems that stop Spring itself from starting
 * (an invalid setting, a database in use) become one sentence ({@link StartupFailureAnalyzers}) and exit code 2, like
 * every other "nothing ran".
 */
public final class CommandLine {

	/** Nothing ran: invalid arguments, job file, template, configuration, input, model or runner. */
	public static final int NOTHING_RAN = 2;

	private CommandLine() {
	}

	public static int launch(Class<?> application, String... args) {
		// a command that read the store for a moment holds its output back until the application has closed
		Console.mayHoldOutput();
		try {
			return start(application, args);
		}
		finally {
			Console.releaseOutput();
		}
	}

	private static int start(Class<?> application, String... args) {
		// help and the version need nothing started: answered before anything else, nothing opened or written
		Integer answered = answeredAtOnce(args);
		if (answered != null) {
			return answered;
		}
		JitSettings.apply();
		List<String> own = Arrays.stream(args).filter((a) -> !a.startsWith("--")).toList();
		try {
			Arguments parsed = Arguments.parse(own);
			args = serve(parsed, args);
			args = verbosity(args);
			args = requestSettings(args);
		}
		catch (ArgumentException ex) {
			Console.error(ex.getMessage());
			return NOTHING_RAN;
		}
		backgroundPreinitialization(args);
		SpringApplication app = new SpringApplication(application);
		String profile = Arguments.profile(args);
		if (profile != null) {
			ProfileCheck profiles;
			try {
				profiles = ProfileCheck.of(profile);
			}
			catch (ArgumentException ex) {
				Console.error(ex.getMessage());
				return NOTHING_RAN;
			}
			app.setAdditionalProfiles(profiles.names());
			app.addListeners(profiles);
		}
		ConfigurableApplicationContext context;
		StartupFailureAnalyzers.ConsoleReporter.reported();
		// a configuration file that cannot be read stops the start before the logging is configured: Boot's own
		// reporter would print its block beside the sentence (the configured logging turns it off as well)
		if (org.slf4j.LoggerFactory.getLogger(
				org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter.class) instanceof ch.qos.logback.classic.Logger boot) {
			boot.setLevel(ch.qos.logback.classic.Level.OFF);
		}
		try {
			context = app.run(args);
		}
		catch (RuntimeException ex) {
			// Boot's failure analyzers have said what stopped the start, in one sentence
			if (!StartupFailureAnalyzers.ConsoleReporter.reported()) {
				Console.error(new StartupFailureAnalyzers.Other().analyze(ex).getDescription());
			}
			return exitCode(ex);
		}
		return SpringApplication.exit(context);
	}

	/**
	 * The exit code of a failed start: the one the failure carries (an {@link ExitCodeGenerator} among its causes,
	 * such as a store server that does not answer), else {@link #NOTHING_RAN}.
	 */
	static int exitCode(Throwable failure) {
		return Causes.find(failure, ExitCodeGenerator.class).map(ExitCodeGenerator::getExitCode).orElse(NOTHING_RAN);
	}

	/**
	 * For the process's whole life: Ctrl-C or SIGTERM outside a run ends the command (a run's own stop takes the
	 * signals while it runs), see {@link StopOnSignal}. Called by {@code main} only, not by tests that run the
	 * application in their own JVM.
	 */
	public static void stopOnSignals() {
		StopOnSignal.install();
	}

	/**
	 * {@code help}, {@code -h}, {@code --help} and a command line without arguments print the usage; {@code version}
	 * and {@code --version} the version: exit 0 (2 for no arguments at all, as a command line that says nothing).
	 * @return the exit code, or {@code null} when the arguments ask for something else
	 */
	static Integer answeredAtOnce(String[] args) {
		if (!AtOnce.answers(args)) {
			return null;
		}
		if (AtOnce.asksVersion(args)) {
			Console.out(Usage.version());
			return 0;
		}
		Console.out(Usage.text(Usage.keptLines(), Usage.home(args)));
		return AtOnce.asksHelp(args) ? 0 : NOTHING_RAN;
	}

	/**
	 * The process's entry ({@code main}), once {@code launch.ExtractedJar} has let the command run here: the
	 * signals, the command and the exit.
	 */
	public static void runAndExit(Class<?> application, String[] args) {
		stopOnSignals();
		System.exit(launch(application, args));
	}

	/** The command that starts a web server; every other command runs without one. */
	static final String SERVE = "serve";

	/**
	 * {@code job=serve}: the one command with a web server ({@code spring.main.web-application-type} is {@code none}
	 * for the others), on {@code port=} (8080) and {@code address=} (127.0.0.1), with its token ({@link ServeToken}),
	 * checked here so a mistake is one sentence before anything starts.
	 */
	static String[] serve(Arguments arguments, String[] args) {
		if (!SERVE.equals(arguments.job())) {
			return args;
		}
		String port = (arguments.get("port") != null) ? arguments.get("port") : "8080";
		if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
			throw new ArgumentException("port=" + port + " is not a port number (0 to 65535)");
		}
		String address = (arguments.get("address") != null) ? arguments.get("address") : "127.0.0.1";
		if (!address.matches("[0-9A-Za-z.:\\[\\]-]+")) {
			throw new ArgumentException("address=" + address + " is not a host name or IP address");
		}
		// the token, from the command line, its file or the environment, as the web app reads it: only checked here
		ServeToken.of(arguments.get("token"), arguments.get("token-file"), System.getenv(ServeToken.ENVIRONMENT), address);
		List<String> result = new ArrayList<>(Arrays.asList(args));
		addUnlessGiven(result, "--spring.main.web-application-type", "servlet");
		// its beans made as it starts, as a web app's are (the other commands make theirs when first used)
		addUnlessGiven(result, "--spring.main.lazy-initialization", "false");
		// the JSON auto-configuration the other commands leave out (application.yaml)
		addUnlessGiven(result, "--spring.autoconfigure.exclude", "");
		addUnlessGiven(result, "--server.port", port);
		addUnlessGiven(result, "--server.address", address);
		// a relative home would be resolved against the servlet container's document base, not the working folder
		result.replaceAll((a) -> a.startsWith("--dmr.home=")
				? "--dmr.home=" + Path.of(a.substring("--dmr.home=".length())).toAbsolutePath().normalize() : a);
		if (System.getenv("DMR_HOME") == null && System.getProperty("dmr.home") == null) {
			addUnlessGiven(result, "--dmr.home", Path.of("").toAbsolutePath().toString());
		}
		return result.toArray(String[]::new);
	}

	/** The system property that turns Spring Boot's background pre-initialization off. */
	static final String NO_PREINITIALIZATION = "spring.backgroundpreinitializer.ignore";

	/**
	 * Spring Boot warms up on a thread of its own, as it starts, what a web app uses: the JSON message converters, the
	 * servlet container, the validator. Only {@code serve} is a web app; for every other command that thread loads
	 * about 700 classes it never uses, about 0.3 s of CPU a small machine's start-up waits for. The validator,
	 * which the settings need, is then made when they are bound.
	 */
	static void backgroundPreinitialization(String[] args) {
		if (!Arrays.asList(args).contains("--spring.main.web-application-type=servlet")
				&& System.getProperty(NO_PREINITIALIZATION) == null) {
			System.setProperty(NO_PREINITIALIZATION, "true");
		}
	}

	/**
	 * {@code --quiet}: warnings, errors and the summary only, no progress; {@code --verbose}: every stored item and
	 * Spring Batch's own account too. Both are shorthands for logging levels and {@code dmr.progress.mode}, which an
	 * explicit option still overrides.
	 */
	static String[] verbosity(String[] args) {
		List<String> given = Arrays.asList(args);
		boolean quiet = given.contains("--quiet");
		boolean verbose = given.contains("--verbose");
		if (quiet && verbose) {
			throw new ArgumentException("--quiet and --verbose contradict each other: give one");
		}
		List<String> result = new ArrayList<>(given.stream().filter((a) -> !a.equals("--quiet") && !a.equals("--verbose")).toList());
		if (quiet) {
			addUnlessGiven(result, "--logging.level.dev.dmrbatch", "warn");
			addUnlessGiven(result, "--dmr.progress.mode", "off");
		}
		if (verbose) {
			addUnlessGiven(result, "--logging.level.dev.dmrbatch", "debug");
			addUnlessGiven(result, "--logging.level.org.springframework.batch", "info");
		}
		return result.toArray(String[]::new);
	}

	/**
	 * A request setting given by its job file name ({@code max_tokens=64}) is the same launch-time value as
	 * {@code --dmr.max-tokens=64}: Spring binds, validates and reports it as the command line's. Giving both is refused.
	 */
	static String[] requestSettings(String[] args) {
		List<String> result = new ArrayList<>(Arrays.asList(args));
		for (String arg : args) {
			int eq = arg.indexOf('=');
			String key = (eq > 0 && !arg.startsWith("--")) ? LaunchSettings.KEYS.get(arg.substring(0, eq)) : null;
			if (key == null) {
				continue;
			}
			String option = "--dmr." + key;
			for (String other : args) {
				if (other.equals(option) || other.startsWith(option + "=") || other.startsWith(option + "[")) {
					throw new ArgumentException(arg.substring(0, eq) + "= and " + option + " both set "
							+ arg.substring(0, eq) + ": give one");
				}
			}
			result.add(option + "=" + arg.substring(eq + 1));
		}
		return result.toArray(String[]::new);
	}

	private static void addUnlessGiven(List<String> args, String option, String value) {
		if (args.stream().noneMatch((a) -> a.startsWith(option + "="))) {
			args.add(option + "=" + value);
		}
	}

}
