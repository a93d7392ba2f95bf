package dev.dmrbatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code java -jar dmr-batch.jar}: Spring Boot's launcher finds every class inside the nested jars of the packed
 * jar, which on a cold JVM costs about a second of CPU before a command runs (docs/performance.md). A command that
 * starts the application runs instead from the same classes extracted once into a cache folder ({@code
 * $DMR_JAR_CACHE}, else {@code $XDG_CACHE_HOME/dmr-batch}, else {@code ~/.cache/dmr-batch}), one folder per build of
 * the jar, loaded by a plain class loader in this same JVM: same arguments, same process, same exit code. When the
 * folder cannot be written, or {@code DMR_JAR_CACHE=off}, the command runs from the packed jar as before.
 * <p>
 * A build's folder is made under a temporary name and renamed when complete, so that processes starting at the same
 * moment never use half of one; folders of other builds unused for {@link #UNUSED_FOR} are removed.
 */
public final class ExtractedJar {

	static final String CACHE = "DMR_JAR_CACHE";

	/** How long a folder of another build is kept unused. */
	static final Duration UNUSED_FOR = Duration.ofDays(2);

	private static final String CLASSES = "BOOT-INF/classes/";

	private static final String LIB = "BOOT-INF/lib/";

	private static final String INDEX = "BOOT-INF/classpath.idx";

	private static final String IN_USE = ".in-use";

	/** The packed jar's own entries under {@code META-INF/}, which the application does not read. */
	private static final java.util.Set<String> LAUNCHERS_OWN = java.util.Set.of("META-INF/MANIFEST.MF",
			"META-INF/services/java.nio.file.spi.FileSystemProvider");

	private ExtractedJar() {
	}

	/**
	 * Runs {@code application}'s {@code main} from the extracted jar when this process was started from the packed one
	 * (the JVM exits there); returns when it was not, and the command runs here. What {@code main} does for a command
	 * that starts the application ({@link AtOnce}), before the command line's classes are loaded from the packed jar.
	 */
	public static void runFromIt(Class<?> application, String[] args) {
		ClassLoader packed = application.getClassLoader();
		if (packed == null || !packed.getClass().getName().startsWith("org.springframework.boot.loader.")) {
			return;
		}
		String setting = System.getenv(CACHE);
		if ("off".equals(setting)) {
			return;
		}
		Path jar = packedJar();
		Path root = cacheRoot(setting);
		if (jar == null || root == null) {
			return;
		}
		List<Path> classPath;
		try {
			Path folder = extracted(jar, root);
			classPath = classPath(folder);
			if (!ownFolder(folder) || !classPath.stream().allMatch(Files::exists)) {
				return; // another user's folder, or one with files gone: the packed jar
			}
		}
		catch (IOException | UncheckedIOException | SecurityException ex) {
			return; // a cache that cannot be written: the packed jar, as without it
		}
		URL[] urls = new URL[classPath.size()];
		try {
			for (int i = 0; i < urls.length; i++) {
				urls[i] = classPath.get(i).toUri().toURL();
			}
		}
		catch (MalformedURLException ex) {
			return;
		}
		holdInUse(classPath.get(0).getParent());
		URLClassLoader there = new URLClassLoader("dmr-batch", urls, ClassLoader.getPlatformClassLoader());
		// what starts another JVM of the application (the store server) starts it from these classes too
		System.setProperty("java.class.path",
				String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
		Thread.currentThread().setContextClassLoader(there);
		try {
			there.loadClass(application.getName()).getMethod("main", String[].class).invoke(null, (Object) args);
		}
		catch (InvocationTargetException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (ex.getCause() instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(application.getName() + " is not in the extracted jar", ex);
		}
	}

	/** The packed jar {@code java -jar} was given: the class path's one entry. */
	private static Path packedJar() {
		String classPath = System.getProperty("java.class.path", "");
		if (classPath.isEmpty() || classPath.contains(java.io.File.pathSeparator) || !classPath.endsWith(".jar")) {
			return null;
		}
		Path jar = Path.of(classPath).toAbsolutePath();
		return Files.isRegularFile(jar) ? jar : null;
	}

	static Path cacheRoot(String setting) {
		if (setting != null && !setting.isBlank()) {
			return Path.of(setting).toAbsolutePath();
		}
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
			return Path.of(xdg, "dmr-batch");
		}
		String home = System.getProperty("user.home");
		return (home == null || home.isBlank() || "?".equals(home)) ? null : Path.of(home, ".cache", "dmr-batch");
	}

	/** The folder of this build of the jar, extracted now unless it was before. */
	static Path extracted(Path jar, Path root) throws IOException {
		Path folder = root.resolve(key(jar));
		if (Files.isDirectory(folder)) {
			touch(folder);
			return folder;
		}
		Files.createDirectories(root);
		Path partial = Files.createTempDirectory(root, ".partial-");
		try {
			extract(jar, partial);
			try {
				Files.move(partial, folder, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException ex) {
				// another process extracted the same build a moment before: its folder is the same
			}
			catch (AtomicMoveNotSupportedException ex) {
				throw new IOException("the cache folder " + root + " cannot rename atomically", ex);
			}
		}
		finally {
			delete(partial);
		}
		removeUnused(root, folder);
		return folder;
	}

	/** A build of the jar: its path, size and last change. */
	private static String key(Path jar) throws IOException {
		Object changed;
		try {
			changed = Files.getAttribute(jar, "unix:ctime");
		}
		catch (UnsupportedOperationException | IllegalArgumentException ex) {
			changed = Files.getLastModifiedTime(jar);
		}
		long size = Files.size(jar);
		java.util.zip.CRC32 crc = new java.util.zip.CRC32();
		crc.update((jar.toRealPath() + "\n" + size + "\n" + changed).getBytes(StandardCharsets.UTF_8));
		return String.format(java.util.Locale.ROOT, "%08x-%x", crc.getValue(), size);
	}

	private static void extract(Path jar, Path folder) throws IOException {
		try (ZipFile zip = new ZipFile(jar.toFile())) {
			Enumeration<? extends ZipEntry> entries = zip.entries();
			while (entries.hasMoreElements()) {
				ZipEntry entry = entries.nextElement();
				String name = entry.getName();
				Path target;
				if (name.startsWith(CLASSES)) {
					target = folder.resolve("classes").resolve(name.substring(CLASSES.length()));
				}
				else if (name.startsWith(LIB) || name.equals(INDEX)) {
					target = folder.resolve(name.substring("BOOT-INF/".length()));
				}
				else if (name.startsWith("META-INF/") && !LAUNCHERS_OWN.contains(name)) {
					// the application's own (spring.factories): Spring Boot's packaging puts them at the top
					target = folder.resolve("classes").resolve(name);
				}
				else {
					continue; // Spring Boot's launcher
				}
				if (!target.normalize().startsWith(folder)) {
					throw new IOException(jar + " holds an entry outside its folders: " + name);
				}
				if (entry.isDirectory()) {
					Files.createDirectories(target);
					continue;
				}
				Files.createDirectories(target.getParent());
				try (InputStream in = zip.getInputStream(entry)) {
					Files.copy(in, target);
				}
			}
		}
		if (!Files.isRegularFile(folder.resolve("classpath.idx"))) {
			throw new IOException(jar + " has no " + INDEX);
		}
	}

	/** The application's classes, then its libraries in the order of the jar's class path index. */
	static List<Path> classPath(Path folder) throws IOException {
		List<Path> classPath = new ArrayList<>();
		classPath.add(folder.resolve("classes"));
		for (String line : Files.readAllLines(folder.resolve("classpath.idx"), StandardCharsets.UTF_8)) {
			String entry = line.strip();
			if (entry.startsWith("- \"" + LIB) && entry.endsWith("\"")) {
				classPath.add(folder.resolve(entry.substring(3 + "BOOT-INF/".length(), entry.length() - 1)));
			}
		}
		return classPath;
	}

	/** The lock on the folder this process runs from, held until it exits: no clean-up removes the folder meanwhile. */
	private static java.nio.channels.FileLock inUse;

	private static void holdInUse(Path folder) {
		try {
			FileChannel channel = FileChannel.open(folder.resolve(IN_USE), StandardOpenOption.CREATE,
					StandardOpenOption.READ, StandardOpenOption.WRITE);
			inUse = channel.lock(0, Long.MAX_VALUE, true);
		}
		catch (IOException | RuntimeException ex) {
			// run all the same: only a clean-up days from now could miss it
		}
	}

	/** Whether a process runs from a folder now: it holds the lock that a clean-up would take. */
	private static boolean inUse(Path folder) {
		try (FileChannel channel = FileChannel.open(folder.resolve(IN_USE), StandardOpenOption.CREATE,
				StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			java.nio.channels.FileLock lock = channel.tryLock(0, Long.MAX_VALUE, false);
			if (lock == null) {
				return true;
			}
			lock.release();
			return false;
		}
		catch (java.nio.channels.OverlappingFileLockException ex) {
			return true;
		}
		catch (IOException ex) {
			return true;
		}
	}

	/** Whether this process's user owns the folder: classes another user could have written are not run. */
	private static boolean ownFolder(Path folder) throws IOException {
		return Files.getOwner(folder).getName().equals(System.getProperty("user.name"));
	}

	/** Marks a folder used now, so it is kept. */
	private static void touch(Path folder) {
		try {
			Files.setLastModifiedTime(folder, FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			// a folder another user made: used as it is
		}
	}

	/** Folders of other builds, and extractions that never ended, unused for {@link #UNUSED_FOR}. */
	private static void removeUnused(Path root, Path kept) {
		Instant before = Instant.now().minus(UNUSED_FOR);
		try (Stream<Path> folders = Files.list(root)) {
			for (Path folder : folders.toList()) {
				if (!folder.equals(kept) && Files.isDirectory(folder)
						&& Files.getLastModifiedTime(folder).toInstant().isBefore(before) && !inUse(folder)) {
					delete(folder);
				}
			}
		}
		catch (IOException | UncheckedIOException ex) {
			// removed another time
		}
	}

	private static void delete(Path folder) {
		if (!Files.exists(folder)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(folder)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				try {
					Files.deleteIfExists(path);
				}
				catch (NoSuchFileException ex) {
					// gone meanwhile
				}
			}
		}
		catch (IOException | UncheckedIOException ex) {
			// left for the next clean-up
		}
	}

}
