package dev.dmrbatch.progress;

import java.io.IOException;
import java.nio.file.Path;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.dmrbatch.conversation.StoreFolder;
import org.slf4j.LoggerFactory;

/**
 * {@code dmr-batch.log} in the run's output folder: the run's log lines with date and thread, appended to by each
 * execution, at the levels the console has. Attached to Logback's root logger while the run runs.
 */
final class RunLogFile implements AutoCloseable {

	static final String FILE = "dmr-batch.log";

	/** A logger whose lines go into this file only. */
	static final String RUN_LOG_ONLY = "dev.dmrbatch.run-log";

	private final FileAppender<ILoggingEvent> appender;

	private RunLogFile(FileAppender<ILoggingEvent> appender) {
		this.appender = appender;
	}

	/** Starts writing the log into the folder; null when Logback is not the logging system. */
	static RunLogFile open(Path folder) {
		if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
			return null;
		}
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(context);
		encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
		encoder.setCharset(java.nio.charset.StandardCharsets.UTF_8);
		encoder.start();
		try {
			// its lines may quote what the runner answered: its owner's only, like the store
			StoreFolder.privateFile(folder.resolve(FILE));
		}
		catch (IOException ex) {
			// the appender creates it, or says why it cannot
		}
		FileAppender<ILoggingEvent> appender = new FileAppender<>();
		appender.setContext(context);
		appender.setName("run-log");
		appender.setFile(folder.resolve(FILE).toString());
		appender.setAppend(true);
		appender.setEncoder(encoder);
		appender.start();
		context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
		Logger only = context.getLogger(RUN_LOG_ONLY);
		only.setAdditive(false);
		only.setLevel(ch.qos.logback.classic.Level.INFO);
		only.addAppender(appender);
		return new RunLogFile(appender);
	}

	@Override
	public void close() {
		LoggerContext context = (LoggerContext) this.appender.getContext();
		context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this.appender);
		context.getLogger(RUN_LOG_ONLY).detachAppender(this.appender);
		this.appender.stop();
	}

}
