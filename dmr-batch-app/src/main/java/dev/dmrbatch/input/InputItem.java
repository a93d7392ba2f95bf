package dev.dmrbatch.input;

import java.nio.file.Path;
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
 * @param images the image files the item brings, by the field that names them, each inside the input's folder: an
 * {@code images} input's file under {@code file}, the fields a step's {@code images:} names; empty for most items
 */
public record InputItem(long seq, String id, Map<String, Object> fields, String error, boolean isBlank,
		Map<String, Path> images) {

	/** A blank line: counted, but not an item (an empty object {@code {}} is an item). */
	static final InputItem BLANK = new InputItem(0, null, Map.of(), null, true);

	public InputItem {
		images = (images != null) ? images : Map.of();
	}

	public InputItem(long seq, String id, Map<String, Object> fields, String error, boolean isBlank) {
		this(seq, id, fields, error, isBlank, Map.of());
	}

	static InputItem of(Map<String, Object> fields) {
		return new InputItem(0, null, fields, null, false);
	}

	static InputItem invalid(String error) {
		return new InputItem(0, null, Map.of(), error, false);
	}

	InputItem numbered(long number, String identifier) {
		return new InputItem(number, identifier, this.fields, this.error, this.isBlank, this.images);
	}

	/** This item with the image files its fields name. */
	InputItem withImages(Map<String, Path> given) {
		return new InputItem(this.seq, this.id, this.fields, this.error, this.isBlank, given);
	}

}
