package dev.dmrbatch.plugin.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code options:} a job file gives a plugin's input format, export, check or step: a read-only mapping of keys
 * to values as YAML reads them (text, numbers, true/false, lists, mappings).
 */
public final class Options {

	private static final Options NONE = new Options(Map.of());

	private final Map<String, Object> values;

	private Options(Map<String, Object> values) {
		this.values = values;
	}

	/**
	 * Options holding the given values.
	 * @param values the keys and values, {@code null} for none; copied
	 * @return the options
	 */
	public static Options of(Map<String, ?> values) {
		if (values == null || values.isEmpty()) {
			return NONE;
		}
		return new Options(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
	}

	/**
	 * No options.
	 * @return empty options
	 */
	public static Options none() {
		return NONE;
	}

	/**
	 * The keys given.
	 * @return the keys, in the job file's order
	 */
	public Set<String> keys() {
		return this.values.keySet();
	}

	/**
	 * Whether a key is given.
	 * @param key the option's key
	 * @return {@code true} when the job file gives it
	 */
	public boolean has(String key) {
		return this.values.containsKey(key);
	}

	/**
	 * A value as it was read.
	 * @param key the option's key
	 * @return the value, or {@code null} when not given
	 */
	public Object get(String key) {
		return this.values.get(key);
	}

	/**
	 * A value as text.
	 * @param key the option's key
	 * @param fallback what to use when it is not given
	 * @return the value as text, or {@code fallback}
	 */
	public String text(String key, String fallback) {
		Object value = this.values.get(key);
		return (value != null) ? String.valueOf(value) : fallback;
	}

	/**
	 * A whole number.
	 * @param key the option's key
	 * @param fallback what to use when it is not given
	 * @return the number, or {@code fallback}
	 * @throws PluginException naming the key when it is not a whole number
	 */
	public long number(String key, long fallback) {
		Object value = this.values.get(key);
		if (value == null) {
			return fallback;
		}
		if (value instanceof Number number && number.doubleValue() == number.longValue()) {
			return number.longValue();
		}
		try {
			return Long.parseLong(String.valueOf(value).strip());
		}
		catch (NumberFormatException ex) {
			throw new PluginException("option '" + key + "' must be a whole number");
		}
	}

	/**
	 * A yes-or-no value.
	 * @param key the option's key
	 * @param fallback what to use when it is not given
	 * @return the value, or {@code fallback}
	 * @throws PluginException naming the key when it is not true or false
	 */
	public boolean flag(String key, boolean fallback) {
		Object value = this.values.get(key);
		if (value == null) {
			return fallback;
		}
		if (value instanceof Boolean flag) {
			return flag;
		}
		return switch (String.valueOf(value).strip()) {
			case "true" -> true;
			case "false" -> false;
			default -> throw new PluginException("option '" + key + "' must be true or false");
		};
	}

	/**
	 * All values.
	 * @return an unmodifiable mapping of the keys to their values
	 */
	public Map<String, Object> asMap() {
		return this.values;
	}

	@Override
	public String toString() {
		return "Options" + this.values.keySet();
	}

}
