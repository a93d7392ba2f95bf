package dev.dmrbatch.cli;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.conversation.ForeignStoreException;
import dev.dmrbatch.conversation.server.StoreServerException;
import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * What stopped Spring from starting (an invalid setting, a database in use), as one sentence naming the setting and
 * where it was set: Boot's failure analyzers, registered in {@code META-INF/spring.factories} ahead of Boot's own, and
 * a reporter that prints the sentence through {@link Console}. {@link CommandLine} then exits with code 2, like every
 * other "nothing ran".
 */
final class StartupFailureAnalyzers {

	private StartupFailureAnalyzers() {
	}

	private static FailureAnalysis analysis(String sentence, Throwable cause) {
		return new FailureAnalysis(sentence, null, cause);
	}

	private static String firstLine(String text) {
		return SafeText.firstLine(text);
	}

	/** A runner URL with credentials or without a host: the setting's own message. */
	static final class RunnerUrl extends AbstractFailureAnalyzer<RunnerEndpoint.RunnerUrlException> implements Ordered {

		@Override
		protected FailureAnalysis analyze(Throwable failure, RunnerEndpoint.RunnerUrlException cause) {
			return analysis("invalid setting: " + cause.getMessage(), cause);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

	/** A configuration file that cannot be read: its own sentence, with the file, the line and the key. */
	static final class ConfigFile extends AbstractFailureAnalyzer<dev.dmrbatch.config.ConfigFileException>
			implements Ordered {

		@Override
		protected FailureAnalysis analyze(Throwable failure, dev.dmrbatch.config.ConfigFileException cause) {
			return analysis(cause.getMessage(), cause);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

	/** A command-line mistake found while starting (an unknown profile): its own message. */
	static final class Argument extends AbstractFailureAnalyzer<ArgumentException> implements Ordered {

		@Override
		protected FailureAnalysis analyze(Throwable failure, ArgumentException cause) {
			return analysis(cause.getMessage(), cause);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 1;
		}

	}

	/** A setting under {@code dmr} that is unknown, invalid or cannot be converted. */
	static final class Setting extends AbstractFailureAnalyzer<BindException> implements Ordered {

		@Override
		protected FailureAnalysis analyze(Throwable failure, BindException bind) {
			return analysis(RunnerEndpoint.redact(describe(bind)), bind);
		}

		private static String describe(BindException bind) {
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
			String value = (bind.getProperty() != null) ? String.valueOf(bind.getProperty().getValue()) : null;
			String property = (value != null) ? bind.getProperty().getName() + " = " + SafeText.excerpt(value, 60)
					+ " (" + bind.getProperty().getOrigin() + ")" : name;
			Throwable reason = (bind.getCause() != null) ? Causes.root(bind) : null;
			String why = firstLine((reason != null) ? reason.getMessage() : "");
			// the converter's message quotes the value again: once is enough
			return "invalid setting " + property + ": "
					+ ((value != null && !value.isEmpty()) ? why.replace(value, "the value") : why);
		}

		private static String kebab(String field) {
			return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 2;
		}

	}

	/** The job repository's database: an H2 file another process holds, or PostgreSQL refusing the connection. */
	static final class Database extends AbstractFailureAnalyzer<SQLException> implements Ordered {

		private static final Pattern IN_USE = Pattern.compile("Database may be already in use: \"([^\"]+)\"");

		@Override
		protected FailureAnalysis analyze(Throwable failure, SQLException sql) {
			Matcher inUse = IN_USE.matcher(String.valueOf(sql.getMessage()));
			if (inUse.find()) {
				// with the store shared (the default) only a process that opened the file on its own holds it
				return analysis(RunnerEndpoint.redact("the data file " + inUse.group(1) + " is in use by another "
						+ "dmr-batch process (one started with dmr.store.shared=false, or the store server of the "
						+ "others): wait for it to end, or let every process share the store (dmr.store.shared=true, "
						+ "the default)"), sql);
			}
			if (sql.getClass().getName().startsWith("org.postgresql")) {
				// PostgreSQL's driver names the host and port, or the user, itself
				return analysis(RunnerEndpoint.redact("cannot open the job repository database (spring.datasource.url): "
						+ firstLine(sql.getMessage())), sql);
			}
			return null;
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 3;
		}

	}

	/**
	 * The store's own refusal (a data folder, server file or server process of another user) or its server not
	 * answering: the sentence it gives, which names the folder, file or process.
	 */
	static final class Store implements FailureAnalyzer, Ordered {

		@Override
		public FailureAnalysis analyze(Throwable failure) {
			for (Throwable cause : Causes.of(failure)) {
				if (cause instanceof StoreServerException || cause instanceof ForeignStoreException) {
					return analysis(firstLine(cause.getMessage()), cause);
				}
			}
			return null;
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 3;
		}

	}

	/**
	 * {@code job=serve}'s port taken by another program, or an address that is not this machine's: the port and address
	 * given, in one sentence.
	 */
	static final class WebServer implements FailureAnalyzer, Ordered {

		@Override
		public FailureAnalysis analyze(Throwable failure) {
			for (Throwable cause : Causes.of(failure)) {
				if (cause instanceof org.springframework.boot.web.server.PortInUseException inUse) {
					return analysis("port " + inUse.getPort() + " is in use by another program: give job=serve another "
							+ "with port=<n>", cause);
				}
				if (cause instanceof java.net.BindException bind) {
					String message = String.valueOf(bind.getMessage());
					if (message.contains("in use")) {
						return analysis("the port given to job=serve is in use by another program: give another with "
								+ "port=<n>", cause);
					}
					return analysis("job=serve cannot listen on the address given (" + firstLine(message)
							+ "): give address=127.0.0.1 or an address of this machine", cause);
				}
			}
			return null;
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 3;
		}

	}

	/** Anything else: its root cause's first line, ahead of Boot's own analyses, which span several lines. */
	static final class Other implements FailureAnalyzer, Ordered {

		@Override
		public FailureAnalysis analyze(Throwable failure) {
			String message = firstLine(String.valueOf(Causes.root(failure).getMessage()));
			return analysis(RunnerEndpoint.redact("dmr-batch could not start: " + message), failure);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 4;
		}

	}

	/** Prints the analysis, its one sentence, as an error; Boot's own logging reporter is off. */
	static final class ConsoleReporter implements FailureAnalysisReporter {

		private static final ThreadLocal<Boolean> REPORTED = ThreadLocal.withInitial(() -> false);

		@Override
		public void report(FailureAnalysis analysis) {
			Console.error(analysis.getDescription());
			REPORTED.set(true);
		}

		/** Whether a failure of the start on this thread was reported since the last call; resets the answer. */
		static boolean reported() {
			boolean reported = REPORTED.get();
			REPORTED.remove();
			return reported;
		}

	}

}
