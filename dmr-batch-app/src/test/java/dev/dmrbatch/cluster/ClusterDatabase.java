package dev.dmrbatch.cluster;

import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;

import dev.dmrbatch.run.process.RunProcesses;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/** An in-memory H2 database with the cluster's tables, and the processes' liveness as the app has it. */
final class ClusterDatabase {

	private ClusterDatabase() {
	}

	/** A fresh database named {@code name}, with the cluster's tables and the class path's SQL scripts given. */
	static JdbcTemplate create(String name, String... scripts) throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.h2.Driver(),
				"jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", ""));
		for (String script : scripts) {
			run(jdbc, script);
		}
		run(jdbc, "db/migration/common/V15__cluster.sql");
		return jdbc;
	}

	private static void run(JdbcTemplate jdbc, String script) throws Exception {
		String sql = new ClassPathResource(script).getContentAsString(StandardCharsets.UTF_8);
		for (String statement : sql.replaceAll("(?m)^--.*$", "").split(";")) {
			if (!statement.isBlank()) {
				jdbc.execute(statement);
			}
		}
	}

	/** The processes' liveness as the app has it: on another host, by the heartbeat. */
	static RunProcesses processes(JdbcTemplate jdbc) throws Exception {
		Constructor<RunProcesses> constructor = RunProcesses.class.getDeclaredConstructor(JdbcTemplate.class);
		constructor.setAccessible(true);
		return constructor.newInstance(jdbc);
	}

}
