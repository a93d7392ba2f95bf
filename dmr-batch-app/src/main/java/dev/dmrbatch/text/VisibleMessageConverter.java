package dev.dmrbatch.text;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %m}, {@code %msg} and {@code %message} of every log pattern (see logback-spring.xml): the message with its
 * control characters made visible by {@link SafeText#visible}, as a log line may quote a runner's reply or an input.
 */
public class VisibleMessageConverter extends MessageConverter {

	@Override
	public String convert(ILoggingEvent event) {
		return SafeText.visible(super.convert(event));
	}

}
