package dev.dmrbatch.model;

import java.util.Base64;

/**
 * An image sent with a user message, as OpenAI's {@code image_url} content part carries it: a data URL of its bytes.
 *
 * @param mediaType its media type ({@code image/png}, {@code image/jpeg}, {@code image/gif}, {@code image/webp})
 * @param bytes the encoded image as sent
 */
public record ChatImage(String mediaType, byte[] bytes) {

	/** The {@code data:} URL of the image: its media type and its bytes in Base64. */
	public String dataUrl() {
		return "data:" + this.mediaType + ";base64," + Base64.getEncoder().encodeToString(this.bytes);
	}

}
