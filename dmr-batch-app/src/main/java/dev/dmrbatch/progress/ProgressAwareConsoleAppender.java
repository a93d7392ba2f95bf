package dev.dmrbatch.progress;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/** Logback's console appender, taking turns with the live progress line (see logback-spring.xml). */
public class ProgressAwareConsoleAppender extends ConsoleAppender<ILoggingEvent> {

	@Override
	protected void subAppend(ILoggingEvent event) {
		TerminalLine.aroundLog(() -> super.subAppend(event));
	}

}
