package dev.dmrbatch.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A fresh working folder for every test: a {@link Workspace} in a temporary folder, deleted afterwards, given to a
 * field of type {@code Workspace} (set before {@code @BeforeEach} methods run) and to any parameter of that type.
 * {@link Workspace#dmr(String...)} runs dmr-batch in it against the local runner.
 * <pre>
 * &#64;ExtendWith(WorkspaceExtension.class)
 * class SomeIT {
 *     Workspace workspace;
 *
 *     &#64;Test
 *     void runs() {
 *         this.workspace.file("jobs/j.yaml", "…");
 *         assertThat(this.workspace.dmr("job=j").exitCode()).isZero();
 *     }
 * }
 * </pre>
 */
public final class WorkspaceExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(WorkspaceExtension.class);

	@Override
	public void beforeEach(ExtensionContext context) throws IllegalAccessException {
		Workspace workspace = workspace(context);
		Object instance = context.getRequiredTestInstance();
		for (Class<?> type = instance.getClass(); type != Object.class; type = type.getSuperclass()) {
			for (Field field : type.getDeclaredFields()) {
				if (field.getType() == Workspace.class && !Modifier.isStatic(field.getModifiers())) {
					field.setAccessible(true);
					field.set(instance, workspace);
				}
			}
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		Workspace workspace = context.getStore(NAMESPACE).remove(Workspace.class, Workspace.class);
		if (workspace != null) {
			delete(workspace.root());
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == Workspace.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return workspace(context);
	}

	private static Workspace workspace(ExtensionContext context) {
		return context.getStore(NAMESPACE).computeIfAbsent(Workspace.class, (key) -> {
			try {
				return new Workspace(Files.createTempDirectory("dmr-batch-test-"));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, Workspace.class);
	}

	private static void delete(Path root) {
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// a folder that cannot be walked is left for the system's temporary-file cleaning
		}
	}

}
