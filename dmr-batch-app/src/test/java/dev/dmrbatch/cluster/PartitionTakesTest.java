package dev.dmrbatch.cluster;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The partitions workers took of a run go with the run when it is deleted; other runs' stay. */
class PartitionTakesTest {

	@Test
	void forgettingARunDeletesThePartitionsTakenOfItAndNoOthers() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.h2.Driver(),
				"jdbc:h2:mem:takes;DB_CLOSE_DELAY=-1", "sa", ""));
		String schema = new ClassPathResource("db/migration/common/V15__cluster.sql")
			.getContentAsString(StandardCharsets.UTF_8);
		for (String statement : schema.replaceAll("(?m)^--.*$", "").split(";")) {
			if (!statement.isBlank()) {
				jdbc.execute(statement);
			}
		}
		for (long run : new long[] { 1, 1, 2 }) {
			jdbc.update("insert into dmr_cluster_take (run_id, job_execution_id, step_execution_id, partition_name, "
					+ "worker_id, host, pid, runner, taken_at, heartbeat_at, write_count_at_take, items) values "
					+ "(?, 1, 1, 'p0', 'w', 'h', 1, 'http://runner', current_timestamp, current_timestamp, 0, 0)", run);
		}

		new PartitionTakes(jdbc, null).forget(1);

		assertThat(jdbc.queryForList("select run_id from dmr_cluster_take", Long.class)).containsExactly(2L);
	}

}
