package dev.dmrbatch.conversation;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The conversation store's tables, from Flyway's migrations ({@code spring.flyway.locations}, a folder per database
 * for {@code {vendor}}): a start on a store whose schema history holds exactly this build's migrations, all applied,
 * asks that table once and makes no Flyway at all (Flyway's set-up and scan cost more than most commands' own work).
 * Any other store (new, older, newer, a failed migration) is given to Flyway, with its defaults, which migrates it or
 * says what is wrong. Spring Boot's own Flyway set-up is off ({@code spring.flyway.enabled=false}), since it would
 * make Flyway on every start; this bean is a database initializer as Boot's is ({@link Detector}), so the store's
 * users wait for it. Once the store is open its files are made readable by their owner only ({@link StoreFolder}).
 */
@Component
class StoreSchema implements InitializingBean {

	/** {@code V<version>__<description>.sql}: Flyway's versioned migrations, {@code _} in a version standing for {@code .}. */
	private static final Pattern VERSIONED = Pattern.compile("V(.+?)__.*\\.sql");

	/** Flyway's schema history table. */
	private static final String HISTORY = "flyway_schema_history";

	private final DataSource dataSource;

	private final Environment environment;

	private final ResourcePatternResolver resources;

	private final StoreFolder folder;

	StoreSchema(DataSource dataSource, Environment environment, ResourcePatternResolver resources, StoreFolder folder) {
		this.dataSource = dataSource;
		this.environment = environment;
		this.resources = resources;
		this.folder = folder;
	}

	@Override
	public void afterPropertiesSet() {
		List<String> locations = locations();
		if (!current(locations)) {
			Flyway.configure(this.resources.getClassLoader())
				.dataSource(this.dataSource)
				.locations(locations.toArray(String[]::new))
				.load()
				.migrate();
		}
		this.folder.restrictFiles();
	}

	/** {@code spring.flyway.locations} with {@code {vendor}} replaced by the database's ({@code h2}, {@code postgresql}). */
	private List<String> locations() {
		List<String> locations = Binder.get(this.environment)
			.bind("spring.flyway.locations", String[].class)
			.map(List::of)
			.orElse(List.of("classpath:db/migration"));
		if (locations.stream().noneMatch((location) -> location.contains("{vendor}"))) {
			return locations;
		}
		try (Connection connection = this.dataSource.getConnection()) {
			DatabaseDriver driver = DatabaseDriver.fromJdbcUrl(connection.getMetaData().getURL());
			return (driver == DatabaseDriver.UNKNOWN) ? locations
					: locations.stream().map((location) -> location.replace("{vendor}", driver.getId())).toList();
		}
		catch (SQLException ex) {
			throw new org.springframework.jdbc.CannotGetJdbcConnectionException("cannot open the store", ex);
		}
	}

	/** Whether the store's schema history holds exactly this build's migrations, each applied. */
	boolean current() {
		return current(locations());
	}

	private boolean current(List<String> locations) {
		Set<String> available = available(locations);
		if (available == null) {
			return false;
		}
		Set<String> applied = new HashSet<>();
		// asked of the metadata first: a query on a missing table is an error, which H2 records in its trace file
		if (!BatchSchema.exists(this.dataSource, HISTORY)) {
			return false;
		}
		try (Connection connection = this.dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("select \"version\", \"success\" from \"" + HISTORY + "\"")) {
			while (rows.next()) {
				if (!rows.getBoolean(2)) {
					return false;
				}
				if (rows.getString(1) != null) {
					applied.add(rows.getString(1));
				}
			}
		}
		catch (SQLException ex) {
			// no history yet, or one that cannot be read: Flyway's to say
			return false;
		}
		return applied.equals(available);
	}

	/** The versions of the migrations in the locations; {@code null} when they hold anything but versioned ones. */
	private Set<String> available(List<String> locations) {
		Set<String> versions = new HashSet<>();
		try {
			for (String location : locations) {
				if (!location.startsWith("classpath:")) {
					return null;
				}
				String folder = location.substring("classpath:".length()).replaceAll("^/+|/+$", "");
				for (Resource resource : this.resources.getResources("classpath*:" + folder + "/**/*.sql")) {
					String name = resource.getFilename();
					Matcher versioned = (name != null) ? VERSIONED.matcher(name) : null;
					if (versioned == null || !versioned.matches()) {
						return null;
					}
					versions.add(versioned.group(1).replace('_', '.'));
				}
			}
		}
		catch (IOException ex) {
			return null;
		}
		return versions;
	}

	/** Makes {@link StoreSchema} one of the database's initializers, which the store's users are made to wait for. */
	static final class Detector extends AbstractBeansOfTypeDatabaseInitializerDetector {

		@Override
		protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
			return Set.of(StoreSchema.class);
		}

	}

}
