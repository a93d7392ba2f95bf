package dev.dmrbatch.input;

import java.util.Map;

/**
 * One item of the input.
 *
 * @param seq the record number, from 1, in input order: the item's key in the store
 * @param id what identifies it to the user: the {@code input.id} field, the record number or the file name
 * @param fields the item's fields, the variables its prompts see
 * @param error why the item cannot be used (a malformed line, a wrong number of fields), with its location; the
 * item is then recorded as failed, never dropped
 * @param isBlank a blank line of a line-based input: counted, but nothing to ask
 */
public record InputItem(long seq, String id, Map<String, Object> fields, String error, boolean isBlank) {

	/** A blank line: counted, but not an item (an empty object {@code {}} is an item). */
	static final InputItem BLANK = new InputItem(0, null, Map.of(), null, true);

	static InputItem of(Map<String, Object> fields) {
		return new InputItem(0, null, fields, null, false);
	}

	static InputItem invalid(String error) {
		return new InputItem(0, null, Map.of(), error, false);
	}

	InputItem numbered(long number, String identifier) {
		return new InputItem(number, identifier, this.fields, this.error, this.isBlank);
	}

}
