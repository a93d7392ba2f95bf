package dev.dmrbatch.plugin.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One input item as a check or a step type sees it: read-only.
 *
 * @param seq its record number in the input, from 1
 * @param id what identifies it: its {@code input.id} field, or the record number
 * @param fields its fields by name, as the input format read them
 * @param steps the answers (or outputs) of the steps so far, by step name; a skipped step's is empty text
 */
public record Item(long seq, String id, Map<String, Object> fields, Map<String, String> steps) {

	/**
	 * An item, its mappings copied and read-only.
	 * @param seq the record number
	 * @param id the item's id
	 * @param fields the fields
	 * @param steps the answers so far
	 */
	public Item {
		fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
		steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
	}

}
