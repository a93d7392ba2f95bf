package dev.dmrbatch.progress;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code dmr.progress.*}: how a running job shows its progress.
 *
 * @param mode {@code auto}: a live line when stderr is a terminal, plain lines otherwise; {@code terminal},
 * {@code plain} or {@code off} to choose
 * @param every how often a plain line is written: a time ({@code 10s}, {@code 1m}) or a share of the items
 * ({@code 5%}; by time while the total is not yet known)
 */
@ConfigurationProperties(prefix = "dmr.progress")
@Validated
public record ProgressProperties(@DefaultValue("auto") @NotNull Mode mode,
		@DefaultValue("10s") @Pattern(regexp = "\\d+(ms|s|m|h|%)",
				message = "must be a time such as 10s or 1m, or a share such as 5%") String every) {

	public enum Mode {

		AUTO, TERMINAL, PLAIN, OFF

	}

	/** The percent step of {@link #every}, or 0 when it is a time. */
	int percentStep() {
		return this.every.endsWith("%") ? Math.max(1, Integer.parseInt(this.every.substring(0, this.every.length() - 1)))
				: 0;
	}

	/** The interval of {@link #every} in milliseconds (Spring Boot's duration format); 10 s when it is a share. */
	long intervalMillis() {
		return this.every.endsWith("%") ? 10_000 : Math.max(100, DurationStyle.detectAndParse(this.every).toMillis());
	}

}
