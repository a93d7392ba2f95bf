package dev.dmrbatch.conversation;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's schema is migrated by Flyway unless its history holds exactly this build's migrations, each applied:
 * only then is Flyway left out of the start.
 */
class StoreSchemaTest {

	private JdbcDataSource dataSource;

	private StoreSchema schema;

	@BeforeEach
	void store() {
		this.dataSource = new JdbcDataSource();
		this.dataSource.setURL("jdbc:h2:mem:schema-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		this.dataSource.setUser("sa");
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("spring.flyway.locations",
					"classpath:db/migration/common,classpath:db/migration/{vendor}")));
		this.schema = new StoreSchema(this.dataSource, environment, new PathMatchingResourcePatternResolver(),
				new StoreFolder());
	}

	@Test
	void aNewStoreIsMigratedAndThenCurrent() throws SQLException {
		assertThat(this.schema.current()).isFalse();

		this.schema.afterPropertiesSet();

		assertThat(count("select count(*) from dmr_run")).isZero();
		assertThat(this.schema.current()).isTrue();
		this.schema.afterPropertiesSet(); // nothing to do
		assertThat(count("select count(*) from \"flyway_schema_history\"")).isGreaterThan(1);
	}

	@Test
	void aStoreWithoutOneOfTheMigrationsIsNotCurrent() throws SQLException {
		this.schema.afterPropertiesSet();
		execute("delete from \"flyway_schema_history\" where \"version\" = '13'");

		assertThat(this.schema.current()).isFalse();
	}

	@Test
	void aStoreWithAMigrationThisBuildLacksIsNotCurrent() throws SQLException {
		this.schema.afterPropertiesSet();
		execute("insert into \"flyway_schema_history\" select \"installed_rank\" + 100, '999', \"description\", "
				+ "\"type\", \"script\", \"checksum\", \"installed_by\", \"installed_on\", \"execution_time\", "
				+ "\"success\" from \"flyway_schema_history\" where \"version\" = '13'");

		assertThat(this.schema.current()).isFalse();
	}

	@Test
	void aStoreWithAFailedMigrationIsNotCurrent() throws SQLException {
		this.schema.afterPropertiesSet();
		execute("update \"flyway_schema_history\" set \"success\" = false where \"version\" = '13'");

		assertThat(this.schema.current()).isFalse();
	}

	private void execute(String sql) throws SQLException {
		try (Connection connection = this.dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.executeUpdate(sql);
		}
	}

	private long count(String sql) throws SQLException {
		try (Connection connection = this.dataSource.getConnection(); Statement statement = connection.createStatement();
				var rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

}
