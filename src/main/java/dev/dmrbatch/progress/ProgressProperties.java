package dev.dmrbatch.progress;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
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

	/** The interval of {@link #every} in milliseconds; 10 s when it is a share. */
	long intervalMillis() {
		String e = this.every;
		if (e.endsWith("%")) {
			return 10_000;
		}
		if (e.endsWith("ms")) {
			return Math.max(100, Long.parseLong(e.substring(0, e.length() - 2)));
		}
		long n = Long.parseLong(e.substring(0, e.length() - 1));
		return Math.max(100, switch (e.charAt(e.length() - 1)) {
			case 'h' -> n * 3_600_000;
			case 'm' -> n * 60_000;
			default -> n * 1000;
		});
	}

}
