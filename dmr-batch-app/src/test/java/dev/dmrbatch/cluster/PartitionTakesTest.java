package dev.dmrbatch.cluster;

import java.util.List;

import dev.dmrbatch.run.job.RemotePartitions.WorkerShare;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The partitions workers took of a run go with the run when it is deleted; other runs' stay. Each worker's share of a
 * run says, live, the partition it is running and whether it is alive.
 */
class PartitionTakesTest {

	@Test
	void aWorkersShareSaysThePartitionItRunsAndWhetherItIsAliveOrGone() throws Exception {
		JdbcTemplate jdbc = ClusterDatabase.create("shares");
		// gpu-1 is alive and running its second partition; gpu-2 took one and left (no worker row); gpu-3 is alive, idle
		jdbc.update("insert into dmr_cluster_worker (worker_id, host, pid, runner, started_at, heartbeat_at) values "
				+ "('gpu-1:11:0', 'gpu-1', 11, 'http://a', current_timestamp, current_timestamp), "
				+ "('gpu-3:33:0', 'gpu-3', 33, 'http://c', current_timestamp, current_timestamp)");
		String take = "insert into dmr_cluster_take (run_id, job_execution_id, step_execution_id, partition_name, "
				+ "worker_id, host, pid, runner, taken_at, heartbeat_at, ended_at, write_count_at_take, items, outcome) "
				+ "values (1, 1, ?, ?, ?, ?, ?, ?, dateadd('SECOND', -10, current_timestamp), current_timestamp, ?, 0, ?, ?)";
		jdbc.update(take, 1, "conversations:p1", "gpu-1:11:0", "gpu-1", 11, "http://a",
				new java.sql.Timestamp(System.currentTimeMillis()), 50, "COMPLETED");
		jdbc.update(take, 2, "conversations:p2", "gpu-2:22:0", "gpu-2", 22, "http://b",
				new java.sql.Timestamp(System.currentTimeMillis()), 40, "COMPLETED");
		jdbc.update(take, 3, "conversations:p3", "gpu-1:11:0", "gpu-1", 11, "http://a", null, 10, null);
		jdbc.update(take, 4, "conversations:p4", "gpu-3:33:0", "gpu-3", 33, "http://c",
				new java.sql.Timestamp(System.currentTimeMillis()), 30, "HANDED_BACK");

		List<WorkerShare> shares = new PartitionTakes(jdbc, ClusterDatabase.processes(jdbc)).shares(1);

		assertThat(shares).extracting(WorkerShare::host, WorkerShare::partitions, WorkerShare::items,
				WorkerShare::running, WorkerShare::alive)
			.containsExactly(tuple("gpu-1", 2, 60L, "conversations:p3", true), tuple("gpu-2", 1, 40L, null, false),
					tuple("gpu-3", 1, 30L, null, true));
		assertThat(shares.get(0).line()).endsWith("(running conversations:p3)");
		assertThat(shares.get(1).line()).startsWith("worker gpu-2 (pid 22), runner http://b: 1 partition, 40 items, ")
			.endsWith(" items/s (gone)");
		assertThat(shares.get(2).line()).endsWith(" items/s");
	}

	@Test
	void forgettingARunDeletesThePartitionsTakenOfItAndNoOthers() throws Exception {
		JdbcTemplate jdbc = ClusterDatabase.create("takes");
		for (long run : new long[] { 1, 1, 2 }) {
			jdbc.update("insert into dmr_cluster_take (run_id, job_execution_id, step_execution_id, partition_name, "
					+ "worker_id, host, pid, runner, taken_at, heartbeat_at, write_count_at_take, items) values "
					+ "(?, 1, 1, 'p0', 'w', 'h', 1, 'http://runner', current_timestamp, current_timestamp, 0, 0)", run);
		}

		new PartitionTakes(jdbc, null).forget(1);

		assertThat(jdbc.queryForList("select run_id from dmr_cluster_take", Long.class)).containsExactly(2L);
	}

}
