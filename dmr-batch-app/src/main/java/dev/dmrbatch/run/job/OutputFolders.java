package dev.dmrbatch.run.job;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlanner;

import org.springframework.stereotype.Component;

/**
 * Keeps each output folder to one run. The first time a run writes into a folder it leaves a small marker there
 * ({@value #MARKER}) with its store's identity and its own id; a folder whose marker names another run, or that
 * holds exports without a marker, is refused before anything is sent. A run that starts again, and a run exported
 * again, keep writing into their own folder.
 */
@Component
public class OutputFolders {

	/** The marker's file name. */
	public static final String MARKER = ".dmr-batch-run";

	/** What dmr-batch writes into an output folder: such files without a marker are another run's. */
	private static final Set<String> OWN_FILES = Set.of("dmr-batch.log", "results.jsonl", "results.json",
			"results.csv", "results.md", "results.txt", "report.html", "results.pdf", "output.jsonl",
			"errors.jsonl");

	private final ConversationStore store;

	OutputFolders(ConversationStore store) {
		this.store = store;
	}

	/**
	 * Checks that a folder may take the exports of a run, without claiming it.
	 * @param runId the run's id; {@code null} for a run that has not started yet, which owns no folder
	 * @throws OutputFolderTakenException when the folder holds another run's exports
	 */
	public void check(Path folder, Long runId) {
		if (Files.isRegularFile(folder)) {
			throw new RunException("output " + folder + " is a file; output= names a folder for the exports");
		}
		Path marker = folder.resolve(MARKER);
		if (Files.exists(marker)) {
			Owner owner = read(marker);
			if (runId != null && owner.isRun(this.store.storeId(), runId)) {
				return;
			}
			throw new OutputFolderTakenException("output folder " + folder + " holds the exports of "
					+ owner.describe(this.store.storeId()) + "; give another output=<folder> or run=<label>, or move "
					+ "that folder away");
		}
		Optional<String> exports = exportsIn(folder);
		if (exports.isPresent() && !ownsByRecord(folder, runId)) {
			throw new OutputFolderTakenException("output folder " + folder + " already holds exports (" + exports.get()
					+ ") of a run that did not mark it as its own; give another output=<folder> or run=<label>, or "
					+ "move that folder away");
		}
	}

	/**
	 * Checks the folder as {@link #check} does and marks it as the run's own, creating it if need be.
	 * @throws OutputFolderTakenException when the folder holds another run's exports
	 */
	public void claim(Path folder, long runId, String jobName, String label) {
		check(folder, runId);
		Path marker = folder.resolve(MARKER);
		String content = "# written by dmr-batch: this folder holds the exports of this run, and no other run's\n"
				+ "store=" + this.store.storeId() + "\nrun=" + runId + "\njob=" + jobName + "\n"
				+ ((label != null) ? "label=" + label + "\n" : "");
		try {
			StoreFolder.createPrivate(folder);
			// written whole beside it, then linked in place in one step: a crash never leaves a half-written marker
			// that would lock the run out of its own folder, and of two processes only one gets the name
			Path written = Files.createTempFile(folder, MARKER, ".tmp");
			try {
				Files.writeString(written, content, StandardCharsets.UTF_8);
				Files.createLink(marker, written);
			}
			finally {
				Files.deleteIfExists(written);
			}
		}
		catch (FileAlreadyExistsException ex) {
			// ours already, or another process claimed it a moment ago: the marker says which
			check(folder, runId);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write into the output folder " + folder + ": " + ex.getMessage(), ex);
		}
	}

	/** Whether a folder is marked as the run's own: its exports are the run's, and go with it when it is deleted. */
	public boolean ownedBy(Path folder, long runId) {
		Path marker = folder.resolve(MARKER);
		return Files.isRegularFile(marker) && read(marker).isRun(this.store.storeId(), runId);
	}

	/** A folder from before markers: the run whose record names it may go on with it. */
	private boolean ownsByRecord(Path folder, Long runId) {
		if (runId == null) {
			return false;
		}
		Path own = this.store.findRun(runId).map(RunRecord::outputDir).map(Path::of).orElse(null);
		return own != null && own.toAbsolutePath().normalize().equals(folder.toAbsolutePath().normalize());
	}

	private static Optional<String> exportsIn(Path folder) {
		if (!Files.isDirectory(folder)) {
			return Optional.empty();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.map((file) -> file.getFileName().toString()).filter(OWN_FILES::contains).sorted().findFirst();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the output folder " + folder + ": " + ex.getMessage(), ex);
		}
	}

	private static Owner read(Path marker) {
		Properties properties = new Properties();
		try (Reader reader = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
			properties.load(reader);
		}
		catch (IOException | IllegalArgumentException ex) {
			// unreadable: owned by a run that cannot be told, so by another one
		}
		return new Owner(properties.getProperty("store"), properties.getProperty("run"), properties.getProperty("job"),
				properties.getProperty("label"));
	}

	/** The run a marker names. */
	private record Owner(String store, String run, String job, String label) {

		boolean isRun(String storeId, long runId) {
			return Objects.equals(this.store, storeId) && String.valueOf(runId).equals(this.run);
		}

		String describe(String storeId) {
			if (this.run == null || !safe(this.run) || !safe(this.job)) {
				return "another run";
			}
			String name = this.job + " run " + ((this.label != null && safe(this.label)) ? this.label + " (id "
					+ this.run + ")" : this.run);
			return Objects.equals(this.store, storeId) ? name : name + " of another conversation store";
		}

		/** Only what a run label may hold reaches a message. */
		private static boolean safe(String value) {
			return RunPlanner.isLabel(value);
		}

	}

}
