package dev.dmrbatch.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code java -jar dmr-batch.jar}: Spring Boot's launcher finds every class inside the nested jars of the packed
 * jar, which on a cold JVM costs about a second of CPU before a command runs (docs/performance.md). A command that
 * starts the application runs instead from the same classes extracted once into a cache folder ({@code
 * $DMR_JAR_CACHE}, else {@code $XDG_CACHE_HOME/dmr-batch}, else {@code ~/.cache/dmr-batch}), one folder per build of
 * the jar, loaded by a plain class loader in this same JVM: same arguments, same process, same exit code. When the
 * folder cannot be written or is not this user's, or {@code DMR_JAR_CACHE=off}, the command runs from the packed jar
 * as before.
 * <p>
 * A build's folder is made under a temporary name and renamed when complete, so that processes starting at the same
 * moment never use half of one. Each process running from a folder, and each store server started from it, holds a
 * shared lock on its {@code .in-use} file until it exits; a clean-up removes a folder only under the exclusive lock
 * (renamed away first, so that nobody starts from it meanwhile): folders of other builds unused for
 * {@link #UNUSED_FOR}, and a folder with files gone, which is extracted again.
 */
public final class ExtractedJar {

	static final String CACHE = "DMR_JAR_CACHE";

	/** How long a folder of another build is kept unused. */
	static final Duration UNUSED_FOR = Duration.ofDays(2);

	/** How long an extraction, or a removal, left half-way by a process that died is kept. */
	private static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);

	private static final String CLASSES = "BOOT-INF/classes/";

	private static final String LIB = "BOOT-INF/lib/";

	private static final String INDEX = "BOOT-INF/classpath.idx";

	private static final String IN_USE = ".in-use";

	private static final String PARTIAL = ".partial-";

	private static final String TRASH = ".trash-";

	/** How many files the application's classes folder had when it was extracted. */
	private static final String CLASSES_FILES = "classes.files";

	/** The packed jar's own entries under {@code META-INF/}, which the application does not read. */
	private static final Set<String> LAUNCHERS_OWN = Set.of("META-INF/MANIFEST.MF",
			"META-INF/services/java.nio.file.spi.FileSystemProvider");

	/** The lock on the folder this process runs from, held until it exits. */
	private static FileLock inUse;

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
		List<Path> classPath = null;
		try {
			// a folder found broken is removed and extracted again, once
			for (int attempt = 0; attempt < 2 && classPath == null; attempt++) {
				classPath = usable(extracted(jar, root), application);
			}
		}
		catch (IOException | UncheckedIOException | SecurityException | java.nio.file.InvalidPathException ex) {
			// a cache that cannot be written: the packed jar, as without it
		}
		if (classPath == null) {
			return;
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
		URLClassLoader there = new URLClassLoader("dmr-batch", urls, ClassLoader.getPlatformClassLoader());
		java.lang.reflect.Method main;
		try {
			main = there.loadClass(application.getName()).getMethod("main", String[].class);
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return; // classes that do not load: the packed jar, as without the folder
		}
		// what starts another JVM of the application (the store server) starts it from these classes too
		System.setProperty("java.class.path",
				String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
		Thread.currentThread().setContextClassLoader(there);
		try {
			main.invoke(null, (Object) args);
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
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(application.getName() + "'s main cannot be called", ex);
		}
	}

	/**
	 * A JVM started from an extracted folder's class path (the store server) holds it in use as the process that
	 * started it does, until it exits; nothing for any other class path.
	 */
	public static void holdClassPathInUse() {
		String first = System.getProperty("java.class.path", "").split(File.pathSeparator, 2)[0];
		if (!first.isEmpty() && Path.of(first).getFileName() != null
				&& Path.of(first).getFileName().toString().equals("classes")) {
			Path folder = Path.of(first).toAbsolutePath().getParent();
			if (folder != null && Files.isRegularFile(folder.resolve(IN_USE))) {
				inUse = lockShared(folder);
			}
		}
	}

	/**
	 * The class path of a folder, held in use from now on; {@code null} when it is not this user's, or is broken
	 * (then removed, unless in use, so that the next attempt extracts it again).
	 */
	private static List<Path> usable(Path folder, Class<?> application) throws IOException {
		if (!ownFolder(folder)) {
			return null;
		}
		FileLock lock = lockShared(folder);
		if (lock == null) {
			retire(folder); // one without its lock file: made again
			return null;
		}
		List<Path> classPath = Files.isRegularFile(folder.resolve("classpath.idx")) ? classPath(folder) : List.of();
		Path main = folder.resolve("classes").resolve(application.getName().replace('.', '/') + ".class");
		// checked under the lock: a clean-up renames a folder away before it removes it
		if (classPath.size() > 1 && Files.isRegularFile(main) && classPath.stream().allMatch(Files::exists)
				&& complete(folder)) {
			inUse = lock;
			return classPath;
		}
		release(lock);
		retire(folder);
		return null;
	}

	/**
	 * Whether the classes folder still has every file it was extracted with: a file gone (a clean-up by hand, a cleaner
	 * of old files) would fail a command half-way, when it asks for it.
	 */
	private static boolean complete(Path folder) throws IOException {
		Path count = folder.resolve(CLASSES_FILES);
		if (!Files.isRegularFile(count)) {
			return false;
		}
		try {
			long extracted = Long.parseLong(Files.readString(count, StandardCharsets.UTF_8).strip());
			return extracted == files(folder.resolve("classes"));
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	private static long files(Path folder) throws IOException {
		long[] files = new long[1];
		Files.walkFileTree(folder, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
				if (attributes.isRegularFile()) {
					files[0]++;
				}
				return FileVisitResult.CONTINUE;
			}

		});
		return files[0];
	}

	/** The packed jar {@code java -jar} was given: the class path's one entry. */
	private static Path packedJar() {
		String classPath = System.getProperty("java.class.path", "");
		if (classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
			return null;
		}
		Path jar = Path.of(classPath).toAbsolutePath();
		return Files.isRegularFile(jar) ? jar : null;
	}

	static Path cacheRoot(String setting) {
		if (setting != null && !setting.isBlank()) {
			return Path.of(setting).toAbsolutePath().normalize();
		}
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
			return Path.of(xdg, "dmr-batch").normalize();
		}
		String home = System.getProperty("user.home");
		return (home == null || home.isBlank() || "?".equals(home)) ? null
				: Path.of(home, ".cache", "dmr-batch").toAbsolutePath().normalize();
	}

	/** The folder of this build of the jar, extracted now unless it was before. */
	static Path extracted(Path jar, Path root) throws IOException {
		Path folder = root.resolve(key(jar));
		if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
			touch(folder);
			return folder;
		}
		Files.createDirectories(root);
		Path partial = Files.createTempDirectory(root, PARTIAL);
		try {
			extract(jar, partial);
			Files.createFile(partial.resolve(IN_USE));
			try {
				Files.move(partial, folder, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException ex) {
				// another process extracted the same build a moment before (Linux says so with ENOTEMPTY, which Java
				// gives as a plain FileSystemException): its folder is the same
				if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
					throw ex;
				}
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
		CRC32 crc = new CRC32();
		crc.update((jar.toRealPath() + "\n" + size + "\n" + changed).getBytes(StandardCharsets.UTF_8));
		return String.format(Locale.ROOT, "%08x-%x", crc.getValue(), size);
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
					Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
		if (!Files.isRegularFile(folder.resolve("classpath.idx"))) {
			throw new IOException(jar + " has no " + INDEX);
		}
		Files.writeString(folder.resolve(CLASSES_FILES), Long.toString(files(folder.resolve("classes"))),
				StandardCharsets.UTF_8);
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

	/**
	 * Whether the folder is this process's user's, not a link: classes another user could have written are not run.
	 * Compared by user id where the system gives one ({@code /proc/self} is the process's own).
	 */
	private static boolean ownFolder(Path folder) throws IOException {
		try {
			Object process = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
			return process.equals(Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS));
		}
		catch (UnsupportedOperationException | IllegalArgumentException | NoSuchFileException ex) {
			return Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
		}
	}

	/**
	 * A shared lock on a folder's {@code .in-use}, waiting for a clean-up that holds it; {@code null} if there is none
	 * (a folder being removed).
	 */
	private static FileLock lockShared(Path folder) {
		try {
			FileChannel channel = FileChannel.open(folder.resolve(IN_USE), StandardOpenOption.READ);
			try {
				return channel.lock(0, Long.MAX_VALUE, true);
			}
			catch (IOException | OverlappingFileLockException ex) {
				channel.close();
				return null;
			}
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static void release(FileLock lock) {
		try {
			lock.channel().close();
		}
		catch (IOException ex) {
			// closed with the process
		}
	}

	/**
	 * Removes a folder nobody runs from: under the exclusive lock of its {@code .in-use}, renamed away first (a process
	 * that then takes the shared lock finds it gone), then deleted. Left when in use.
	 */
	private static void retire(Path folder) {
		Path trash = folder.resolveSibling(TRASH + folder.getFileName() + "-" + System.nanoTime());
		try (FileChannel channel = FileChannel.open(folder.resolve(IN_USE), StandardOpenOption.CREATE,
				StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			FileLock lock = channel.tryLock(0, Long.MAX_VALUE, false);
			if (lock == null) {
				return;
			}
			Files.move(folder, trash, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException | OverlappingFileLockException ex) {
			return; // in use, or gone: left as it is
		}
		delete(trash);
	}

	/** Marks a folder used now, so it is kept. */
	private static void touch(Path folder) {
		try {
			Files.setLastModifiedTime(folder, FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			// a folder another user made: not used
		}
	}

	/**
	 * Folders of other builds unused for {@link #UNUSED_FOR}, and extractions and removals that never ended (their
	 * process died), older than {@link #ABANDONED_AFTER}.
	 */
	private static void removeUnused(Path root, Path kept) {
		Instant now = Instant.now();
		try (Stream<Path> folders = Files.list(root)) {
			for (Path folder : folders.toList()) {
				if (folder.equals(kept) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
					continue;
				}
				String name = folder.getFileName().toString();
				Instant changed = Files.getLastModifiedTime(folder).toInstant();
				if (name.startsWith(PARTIAL) || name.startsWith(TRASH)) {
					if (changed.isBefore(now.minus(ABANDONED_AFTER))) {
						delete(folder);
					}
				}
				else if (changed.isBefore(now.minus(UNUSED_FOR)) && ownFolder(folder)) {
					retire(folder);
				}
			}
		}
		catch (IOException | UncheckedIOException ex) {
			// removed another time
		}
	}

	private static void delete(Path folder) {
		if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
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
