package dev.dmrbatch.conversation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The folder of an H2 file store ({@code data/} by default) and its files, readable by their owner only: the store
 * holds every prompt and answer. The folder is made {@code rwx------} before the database opens it (H2 would create
 * it after the umask), its files {@code rw-------} once the application has started. A data folder that belongs to
 * another user is refused ({@link #requireOwn}). Other databases, and file systems without POSIX permissions, are
 * left as they are. What else holds the store's prompts and answers (the output folders, every export, the run's
 * log) is made with the same two helpers, {@link #createPrivate} and {@link #privateFile}.
 */
@Component
public class StoreFolder implements BeanFactoryPostProcessor, EnvironmentAware, ApplicationListener<ApplicationStartedEvent> {

	private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");

	private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

	private Path database;

	@Override
	public void setEnvironment(Environment environment) {
		this.database = h2File(environment.getProperty("spring.datasource.url"));
	}

	/** The database file's path without its extension, for an H2 file URL; {@code null} otherwise. */
	public static Path h2File(String url) {
		String prefix = "jdbc:h2:file:";
		if (url == null || !url.regionMatches(true, 0, prefix, 0, prefix.length())) {
			return null;
		}
		String path = url.substring(prefix.length());
		int options = path.indexOf(';');
		path = (options < 0) ? path : path.substring(0, options);
		if (path.startsWith("~/") || path.isBlank()) {
			return null;
		}
		return Path.of(path).toAbsolutePath().normalize();
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		if (this.database == null || !posix()) {
			return;
		}
		Path folder = this.database.getParent();
		if (!Files.isDirectory(folder)) {
			try {
				createPrivate(folder);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot create the data folder " + folder + ": " + ex.getMessage(), ex);
			}
			return;
		}
		// one that belongs to someone else is refused: its owner would read, or have chosen, every prompt and answer
		requireOwn(folder, DATA_FOLDER, WHY_OWN_FOLDER);
		// a data folder made before (by an earlier version, say) is tightened unless it is the working folder itself;
		// one that cannot be changed is left as it is
		try {
			if (!folder.equals(Path.of("").toAbsolutePath())) {
				Files.setPosixFilePermissions(folder, FOLDER);
			}
		}
		catch (IOException | UnsupportedOperationException | SecurityException ex) {
			// left as it is: the database opens all the same
		}
	}

	/** How {@link #requireOwn} names the data folder. */
	public static final String DATA_FOLDER = "the data folder";

	/** Why the data folder must be one's own. */
	public static final String WHY_OWN_FOLDER = "dmr-batch keeps every prompt and answer there, so it uses only a "
			+ "folder of its own";

	/**
	 * Refuses a file or folder of the store that belongs to another user than the one this process runs as: one
	 * sentence naming it, its owner and why. Nothing is refused where owners cannot be told (no POSIX file system,
	 * an unknown user).
	 * @param what how the sentence names it ({@code "the data folder"})
	 * @param why why it must be one's own
	 * @throws ForeignStoreException when it belongs to someone else
	 */
	public static void requireOwn(Path path, String what, String why) {
		Integer own = runningUid();
		if (own == null || !Files.exists(path)) {
			return;
		}
		try {
			Object uid = Files.getAttribute(path, "unix:uid");
			if (uid instanceof Integer owner && owner.intValue() != own.intValue()) {
				throw new ForeignStoreException(what + " " + path + " belongs to " + Files.getOwner(path).getName()
						+ ", not to " + runningUser() + ": " + why);
			}
		}
		catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
			// no owner to tell
		}
	}

	/** The user id this process runs as; {@code null} where there is none to tell (not a Unix). */
	public static Integer runningUid() {
		try {
			return posix() ? (int) new com.sun.security.auth.module.UnixSystem().getUid() : null;
		}
		catch (RuntimeException | LinkageError ex) {
			return null;
		}
	}

	/** The name of the user this process runs as, for messages. */
	public static String runningUser() {
		try {
			return new com.sun.security.auth.module.UnixSystem().getUsername();
		}
		catch (RuntimeException | LinkageError ex) {
			return System.getProperty("user.name");
		}
	}

	@Override
	public void onApplicationEvent(ApplicationStartedEvent event) {
		restrictFiles();
	}

	/**
	 * Makes the H2 store's files readable by their owner only: when the application has started, and when the store
	 * is first opened ({@link StoreSchema}), which a command may do later.
	 */
	void restrictFiles() {
		if (this.database == null || !posix() || !Files.isDirectory(this.database.getParent())) {
			return;
		}
		String name = this.database.getFileName().toString();
		try (Stream<Path> files = Files.list(this.database.getParent())) {
			for (Path file : files.filter((f) -> f.getFileName().toString().startsWith(name)).toList()) {
				if (Files.isRegularFile(file)) {
					Files.setPosixFilePermissions(file, FILE);
				}
			}
		}
		catch (IOException ex) {
			// the folder is the owner's only already
		}
	}

	/**
	 * Creates the folder, and those above it that are missing, readable by their owner only where the file system has
	 * POSIX permissions; a folder that is there already is left as it is.
	 */
	public static void createPrivate(Path folder) throws IOException {
		if (Files.isDirectory(folder)) {
			return;
		}
		if (posix()) {
			Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(FOLDER));
		}
		else {
			Files.createDirectories(folder);
		}
	}

	/**
	 * Makes a file about to be written readable by its owner only, where the file system has POSIX permissions:
	 * creates it {@code rw-------} when it is not there, makes it so when it is (an earlier version wrote it, say).
	 * Opening it for writing then keeps these permissions, whatever the umask.
	 * @return the file
	 * @throws IOException when it cannot be created, or is someone else's and cannot be changed
	 */
	public static Path privateFile(Path file) throws IOException {
		if (!posix()) {
			return file;
		}
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
		}
		catch (FileAlreadyExistsException ex) {
			if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
					&& !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
				Files.setPosixFilePermissions(file, FILE);
			}
		}
		return file;
	}

	private static boolean posix() {
		return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
	}

}
