package dev.dmrbatch.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.dmrbatch.conversation.Conversation;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A run's items a page at a time, filtered by status and searched on the server: the record numbers of one page
 * (by the conversations' primary key, in input order, {@code LIMIT}/{@code OFFSET}), whose conversations the store
 * then reads; the search looks at the item ids and the messages.
 */
@Component
@ConditionalOnWebApplication
class RunItems {

	static final int MAX_SIZE = 200;

	private final JdbcClient jdbc;

	RunItems(JdbcTemplate jdbc) {
		this.jdbc = JdbcClient.create(jdbc);
	}

	/** One page: the record numbers on it and how many items match in all. */
	record Page(List<Long> itemSeqs, long total, int page, int size) {

		long pages() {
			return Math.max(1, (this.total + this.size - 1) / this.size);
		}

	}

	/**
	 * @param status {@code ok}, {@code failed} or {@code null} for all
	 * @param query text the item id or one of its messages holds, case ignored; {@code null} for all
	 * @param page from 1
	 */
	Page page(long runId, String status, String query, int page, int size) {
		StringBuilder where = new StringBuilder(" from dmr_conversation c where c.run_id = ?");
		List<Object> params = new ArrayList<>();
		params.add(runId);
		// one conversation per item and model: with one model, the rows are the items, read in the primary key's
		// order up to the page, with no set of record numbers to build
		List<String> models = this.jdbc.sql("select distinct model from dmr_conversation where run_id = ? and item_seq = "
				+ "(select min(item_seq) from dmr_conversation where run_id = ?)")
			.params(runId, runId)
			.query(String.class)
			.list();
		boolean one = models.size() <= 1;
		if ("ok".equals(status)) {
			where.append(" and c.status = ?");
			params.add(Conversation.OK);
		}
		else if ("failed".equals(status)) {
			where.append(" and c.status <> ?");
			params.add(Conversation.OK);
		}
		if (query != null && !query.isBlank()) {
			String like = "%" + query.strip().toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
				.replace("_", "\\_") + "%";
			where.append(" and (lower(c.item_id) like ? escape '\\' or exists (select 1 from dmr_message m"
					+ " where m.run_id = c.run_id and m.item_seq = c.item_seq and m.model = c.model"
					+ " and lower(m.content) like ? escape '\\'))");
			params.add(like);
			params.add(like);
		}
		long total = this.jdbc.sql((one ? "select count(*)" : "select count(distinct c.item_seq)") + where)
			.params(params)
			.query(Long.class)
			.single();
		List<Object> pageParams = new ArrayList<>(params);
		pageParams.add(size);
		pageParams.add((long) (page - 1) * size);
		List<Long> seqs = this.jdbc.sql((one ? "select c.item_seq" : "select distinct c.item_seq") + where
				+ " order by c.item_seq limit ? offset ?")
			.params(pageParams)
			.query(Long.class)
			.list();
		return new Page(seqs, total, page, size);
	}

	/** The record number of a run's item by its id, if it has one. */
	java.util.Optional<Long> seqOf(long runId, String itemId) {
		return this.jdbc.sql("select min(item_seq) from dmr_conversation where run_id = ? and item_id = ?")
			.params(runId, itemId)
			.query((rs, row) -> rs.getObject(1, Long.class))
			.list()
			.stream()
			.filter(java.util.Objects::nonNull)
			.findFirst();
	}

	/** Items stored after a record number, in input order: what a watcher has not seen yet. */
	List<Stored> storedAfter(long runId, long afterSeq, int limit) {
		return this.jdbc.sql("select item_seq, item_id, model, status from dmr_conversation where run_id = ? and item_seq > ?"
				+ " order by item_seq, model limit ?")
			.params(runId, afterSeq, limit)
			.query((rs, row) -> new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
			.list();
	}

	record Stored(long seq, String id, String model, String status) {
	}

}
