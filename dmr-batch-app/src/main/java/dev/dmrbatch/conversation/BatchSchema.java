package dev.dmrbatch.conversation;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

import org.springframework.boot.batch.jdbc.autoconfigure.BatchDataSourceScriptDatabaseInitializer;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcProperties;
import org.springframework.boot.sql.init.AbstractScriptDatabaseInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Spring Batch's tables, created by Spring Boot's schema script the first time only. Run on every start, the script
 * fails on each existing table (Boot carries on), and the database records every failure: H2 in its trace file,
 * which then grows at each start.
 */
@Configuration(proxyBeanMethods = false)
class BatchSchema {

	@Bean
	BatchDataSourceScriptDatabaseInitializer batchDataSourceInitializer(DataSource dataSource,
			BatchJdbcProperties properties) {
		// no prefix set: Spring Batch's own, BATCH_
		String table = ((properties.getTablePrefix() != null) ? properties.getTablePrefix() : "BATCH_") + "JOB_INSTANCE";
		return new BatchDataSourceScriptDatabaseInitializer(dataSource, properties) {

			@Override
			protected void runScripts(AbstractScriptDatabaseInitializer.Scripts scripts) {
				if (!exists(getDataSource(), table)) {
					super.runScripts(scripts);
				}
			}

		};
	}

	/** Whether the table is there, asked of the JDBC metadata: a query on a missing table is an error too. */
	static boolean exists(DataSource dataSource, String table) {
		Connection connection = DataSourceUtils.getConnection(dataSource);
		try {
			DatabaseMetaData metadata = connection.getMetaData();
			for (String name : new String[] { table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT) }) {
				try (ResultSet tables = metadata.getTables(connection.getCatalog(), connection.getSchema(), name,
						new String[] { "TABLE" })) {
					if (tables.next()) {
						return true;
					}
				}
			}
			return false;
		}
		catch (SQLException ex) {
			// cannot tell: the script runs, as it would without this check
			return false;
		}
		finally {
			DataSourceUtils.releaseConnection(connection, dataSource);
		}
	}

}
