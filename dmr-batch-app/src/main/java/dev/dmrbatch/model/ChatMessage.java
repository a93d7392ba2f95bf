package dev.dmrbatch.model;

import java.util.List;

/**
 * One turn of a conversation: {@code system}, {@code user} or {@code assistant}; a user turn may carry images, sent
 * after its text as content parts.
 */
public record ChatMessage(String role, String content, List<ChatImage> images) {

	public ChatMessage {
		images = (images != null) ? List.copyOf(images) : List.of();
	}

	public ChatMessage(String role, String content) {
		this(role, content, List.of());
	}

	public static ChatMessage system(String content) {
		return new ChatMessage("system", content);
	}

	public static ChatMessage user(String content) {
		return new ChatMessage("user", content);
	}

	/** A user turn with images after its text. */
	public static ChatMessage user(String content, List<ChatImage> images) {
		return new ChatMessage("user", content, images);
	}

	public static ChatMessage assistant(String content) {
		return new ChatMessage("assistant", content);
	}

}
