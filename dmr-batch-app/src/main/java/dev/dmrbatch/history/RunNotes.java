package dev.dmrbatch.history;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * What people add to a run: its tags (given at launch with {@code tag=}, or in the web app) and a note, in the
 * store's tables {@code dmr_run_tag} and {@code dmr_run_note}.
 */
@Repository
public class RunNotes {

	/** A tag: letters, digits, {@code .}, {@code _}, {@code -}, {@code :} and {@code /}, up to 100 characters. */
	private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}._:/-]{1,100}");

	/** The longest note kept. */
	public static final int NOTE_LENGTH = 10_000;

	private final JdbcClient db;

	RunNotes(JdbcTemplate jdbc) {
		this.db = JdbcClient.create(jdbc);
	}

	/**
	 * The tags in a list as given ({@code a,b c}: separated by commas or white space), checked, each once, in order.
	 * @param where what gave them, for the message ({@code tag=}, {@code tags})
	 * @throws RunException naming the tag that is not one
	 */
	public static List<String> parse(String given, String where) {
		Set<String> tags = new LinkedHashSet<>();
		if (given != null) {
			for (String tag : given.split("[,\\s]+")) {
				if (tag.isEmpty()) {
					continue;
				}
				if (!TAG.matcher(tag).matches()) {
					throw new RunException(where + ": '" + SafeText.firstLine(tag) + "' is not a tag (letters, digits, "
							+ "'.', '_', ':', '/' and '-', up to 100 characters)");
				}
				tags.add(tag);
			}
		}
		return List.copyOf(tags);
	}

	/** A run's tags, in the order they sort. */
	public List<String> tags(long runId) {
		return this.db.sql("select tag from dmr_run_tag where run_id = ? order by tag")
			.param(runId)
			.query(String.class)
			.list();
	}

	/** Every run's tags, by run id; a run without tags is absent. */
	public Map<Long, List<String>> tagsByRun() {
		Map<Long, List<String>> tags = new HashMap<>();
		this.db.sql("select run_id, tag from dmr_run_tag order by run_id, tag")
			.query((rs) -> {
				tags.computeIfAbsent(rs.getLong(1), (id) -> new ArrayList<>()).add(rs.getString(2));
			});
		return tags;
	}

	/** Gives a run these tags, and only these. */
	public void setTags(long runId, List<String> tags) {
		this.db.sql("delete from dmr_run_tag where run_id = ?").param(runId).update();
		for (String tag : tags) {
			this.db.sql("insert into dmr_run_tag (run_id, tag) values (?, ?)").params(runId, tag).update();
		}
	}

	/** Adds tags to a run's (given at launch: a resumed run keeps those it had). */
	public void addTags(long runId, List<String> tags) {
		Set<String> all = new LinkedHashSet<>(tags(runId));
		all.addAll(tags);
		setTags(runId, List.copyOf(all));
	}

	/** A run's note, if it has one. */
	public Optional<String> note(long runId) {
		return this.db.sql("select note from dmr_run_note where run_id = ?").param(runId).query(String.class).optional();
	}

	/** Every run's note, by run id. */
	public Map<Long, String> notesByRun() {
		Map<Long, String> notes = new HashMap<>();
		this.db.sql("select run_id, note from dmr_run_note").query((rs) -> {
			notes.put(rs.getLong(1), rs.getString(2));
		});
		return notes;
	}

	/**
	 * Sets a run's note; a blank one removes it.
	 * @throws RunException when it is longer than {@value #NOTE_LENGTH} characters
	 */
	public void setNote(long runId, String note) {
		if (note != null && note.length() > NOTE_LENGTH) {
			throw new RunException("note: " + note.length() + " characters, at most " + NOTE_LENGTH + " are kept");
		}
		this.db.sql("delete from dmr_run_note where run_id = ?").param(runId).update();
		if (note != null && !note.isBlank()) {
			this.db.sql("insert into dmr_run_note (run_id, note, updated_at) values (?, ?, ?)")
				.params(runId, note.strip(), Timestamp.from(Instant.now()))
				.update();
		}
	}

	/** Forgets a run's tags and note (the run is deleted). */
	void delete(long runId) {
		this.db.sql("delete from dmr_run_tag where run_id = ?").param(runId).update();
		this.db.sql("delete from dmr_run_note where run_id = ?").param(runId).update();
	}

}
