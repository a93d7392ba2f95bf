package dev.dmrbatch.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A failure's chain of causes, walked one way everywhere: the failure itself first, then each cause, each once, so
 * that a chain that loops back on itself ({@code initCause} allows A → B → A) ends instead of walking for ever.
 */
public final class Causes {

	/** A chain longer than this is cut: none that dmr-batch meets is more than a dozen long. */
	private static final int MOST = 64;

	private Causes() {
	}

	/** The failure and its causes, outermost first; empty for {@code null}. */
	public static List<Throwable> of(Throwable failure) {
		List<Throwable> chain = new ArrayList<>();
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		for (Throwable cause = failure; cause != null && chain.size() < MOST && seen.add(cause); cause = cause
			.getCause()) {
			chain.add(cause);
		}
		return chain;
	}

	/**
	 * The innermost cause, or the failure itself when it has none; {@code null} for {@code null}. As Spring's
	 * {@code NestedExceptionUtils.getMostSpecificCause}, whose walk ends only on a cause that is its own cause.
	 */
	public static Throwable root(Throwable failure) {
		List<Throwable> chain = of(failure);
		return chain.isEmpty() ? null : chain.get(chain.size() - 1);
	}

	/** The outermost of the failure and its causes that is a {@code type}. */
	public static <T> Optional<T> find(Throwable failure, Class<T> type) {
		return of(failure).stream().filter(type::isInstance).map(type::cast).findFirst();
	}

	/** Whether the failure or one of its causes is a {@code type}. */
	public static boolean has(Throwable failure, Class<?> type) {
		return find(failure, type).isPresent();
	}

}
