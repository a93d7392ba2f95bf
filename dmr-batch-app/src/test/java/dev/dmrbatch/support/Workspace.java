package dev.dmrbatch.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.server.SharedStore;
import tools.jackson.databind.json.JsonMapper;

/**
 * A working folder for one test: jobs/, templates/, input/, output/ and data/ of its own.
 * <p>
 * Its store is opened the way its commands need it. While every command runs in the test's JVM ({@link Dmr}), one
 * after another, the store is opened in that JVM ({@code dmr.store.shared=false}), as a user's single process may
 * open it: a store server, another JVM started for every fresh folder, would prove nothing the store's own tests
 * ({@code StoreServerTrustIT}, {@code OverlapIT}, {@code StorelessCommandsIT}) do not, and costs a second of start each.
 * Once a test starts dmr-batch as a process of its own here ({@link DmrProcess#command}), or asks for it with
 * {@link #shareStore()}, every command and query of the folder goes through the store server, as users' do.
 */
public final class Workspace {

	private final Path root;

	private volatile boolean sharedStore;

	public Workspace(Path root) {
		this.root = root;
	}

	/** Runs dmr-batch in this working folder against the local runner (started when it is not running yet). */
	public Dmr.Result dmr(String... args) {
		return Dmr.run(this, LocalRunner.baseUrl(), args);
	}

	/** Runs dmr-batch in this working folder against the runner at the given base URL (none: the profile's). */
	public Dmr.Result dmrAt(String baseUrl, String... args) {
		return Dmr.run(this, baseUrl, args);
	}

	public Path root() {
		return this.root;
	}

	/** From now on the store is opened through its store server, by this JVM's commands too (see above). */
	public Workspace shareStore() {
		this.sharedStore = true;
		return this;
	}

	/** Whether the store is opened through its store server (see above). */
	public boolean storeShared() {
		return this.sharedStore;
	}

	public Path path(String relative) {
		return this.root.resolve(relative);
	}

	/**
	 * The JDBC URL of this working folder's store as dmr-batch opens it: through its store server, found or started
	 * the same way, so that the test reads and writes it while dmr-batch processes have it open; or the file itself
	 * while only this JVM's commands use it.
	 */
	public String storeUrl() {
		if (!this.sharedStore) {
			return "jdbc:h2:file:" + path("data/dmr-batch") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
		}
		return SharedStore.url(path("data/dmr-batch"), "", Duration.ofSeconds(30));
	}

	/** A connection to this working folder's store (see {@link #storeUrl()}); the caller closes it. */
	public Connection store() throws SQLException {
		return DriverManager.getConnection(storeUrl(), "sa", "");
	}

	/** The number a query of this working folder's store counts ({@code select count(*) ...}): its first column. */
	public long count(String sql) throws SQLException {
		try (Connection connection = store(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	/** The records of an output folder's {@code results.jsonl} ({@code folder} relative to this one), in order. */
	@SuppressWarnings("unchecked")
	public List<Map<String, Object>> results(String folder) throws IOException {
		return Files.readAllLines(path(folder).resolve("results.jsonl"))
			.stream()
			.map((line) -> (Map<String, Object>) JsonMapper.shared().readValue(line, Map.class))
			.toList();
	}

	/**
	 * The job most tests run, {@code jobs/items.yaml}: one chat step, {@code answer}, over {@code input/items.csv}
	 * (columns {@code id} and {@code text}) with {@code ai/tiny} and 8 tokens; {@code more} lines of YAML after it (an
	 * export, the step's checks), as written.
	 */
	public Workspace itemsJob(String... more) {
		StringBuilder job = new StringBuilder("""
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""");
		for (String line : more) {
			job.append(line).append('\n');
		}
		return file("jobs/items.yaml", job.toString());
	}

	public Workspace file(String relative, String content) {
		Path file = this.root.resolve(relative);
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, content, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this;
	}

	public Workspace bytes(String relative, byte[] content) {
		Path file = this.root.resolve(relative);
		try {
			Files.createDirectories(file.getParent());
			Files.write(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this;
	}

	public String read(String relative) {
		try {
			return Files.readString(this.root.resolve(relative), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
