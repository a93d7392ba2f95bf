package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.config.RunnerEndpoint;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.origin.Origin;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Starts the application for one command and returns its exit code. Problems that stop Spring itself from starting
 * (an invalid setting, a database in use) become one sentence and exit code 2, like every other "nothing ran".
 */
public final class CommandLine {

	/** Nothing ran: invalid arguments, job file, template, configuration, input, model or runner. */
	public static final int NOTHING_RAN = 2;

	private static final Pattern DATABASE_IN_USE = Pattern.compile("Database may be already in use: \"([^\"]+)\"");

	private CommandLine() {
	}

	public static int launch(Class<?> application, String... args) {
		JitSettings.apply();
		List<String> own = Arrays.stream(args).filter((a) -> !a.startsWith("--")).toList();
		try {
			Arguments.parse(own);
			args = verbosity(args);
		}
		catch (ArgumentException ex) {
			Console.error(ex.getMessage());
			return NOTHING_RAN;
		}
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
		try {
			context = app.run(args);
		}
		catch (RuntimeException ex) {
			Console.error(startupProblem(ex));
			return NOTHING_RAN;
		}
		return SpringApplication.exit(context);
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

	private static void addUnlessGiven(List<String> args, String option, String value) {
		if (args.stream().noneMatch((a) -> a.startsWith(option + "="))) {
			args.add(option + "=" + value);
		}
	}

	/** One sentence for what stopped Spring from starting, naming the setting and where it was set. */
	static String startupProblem(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof RunnerEndpoint.RunnerUrlException url) {
				return "invalid setting: " + url.getMessage();
			}
			if (cause instanceof ArgumentException argument) {
				return argument.getMessage();
			}
		}
		return RunnerEndpoint.redact(describe(error));
	}

	private static String describe(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof BindException bind) {
				String name = bind.getName().toString();
				if (bind.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
					List<String> keys = unbound.getUnboundProperties()
						.stream()
						.sorted()
						.map((p) -> p.getName() + ((p.getOrigin() != null) ? " (" + p.getOrigin() + ")" : ""))
						.toList();
					return "unknown setting" + ((keys.size() > 1) ? "s " : " ") + String.join(", ", keys)
							+ ": check the spelling (the settings are listed in config/application.yaml and README.md)";
				}
				if (bind.getCause() instanceof BindValidationException validation) {
					List<String> problems = new ArrayList<>();
					for (ObjectError problem : validation.getValidationErrors().getAllErrors()) {
						String field = (problem instanceof FieldError fieldError)
								? name + "." + kebab(fieldError.getField()) + " = " + fieldError.getRejectedValue() : name;
						if (problem instanceof FieldError fieldError && fieldError.getField().endsWith("Valid")) {
							// a check across a setting (isBaseUrlValid): name the setting, not the check
							String setting = kebab(fieldError.getField());
							field = name + "." + setting.substring(0, setting.length() - "-valid".length());
						}
						Origin origin = Origin.from(problem);
						problems.add(field + " " + problem.getDefaultMessage()
								+ ((origin != null) ? " (" + origin + ")" : ""));
					}
					return "invalid setting: " + String.join("; ", problems);
				}
				String property = (bind.getProperty() != null) ? bind.getProperty().getName() + " = "
						+ bind.getProperty().getValue() + " (" + bind.getProperty().getOrigin() + ")" : name;
				Throwable reason = bind.getCause();
				while (reason != null && reason.getCause() != null) {
					reason = reason.getCause();
				}
				return "invalid setting " + property + ": " + firstLine((reason != null) ? reason.getMessage() : "");
			}
			Matcher inUse = DATABASE_IN_USE.matcher(String.valueOf(cause.getMessage()));
			if (inUse.find()) {
				return "the data file " + inUse.group(1) + " is in use by another dmr-batch process (one at a time; "
						+ "wait for it to end, or give this run a database of its own with --spring.datasource.url)";
			}
			if (cause instanceof java.sql.SQLException sql && sql.getClass().getName().startsWith("org.postgresql")) {
				// PostgreSQL's driver names the host and port, or the user, itself
				return "cannot open the job repository database (spring.datasource.url): " + firstLine(sql.getMessage());
			}
		}
		Throwable root = error;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return "dmr-batch could not start: " + firstLine(String.valueOf(root.getMessage()));
	}

	private static String kebab(String field) {
		return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
	}

	private static String firstLine(String text) {
		int newline = text.indexOf('\n');
		return ((newline < 0) ? text : text.substring(0, newline)).strip();
	}

}
