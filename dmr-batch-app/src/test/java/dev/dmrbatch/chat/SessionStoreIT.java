package dev.dmrbatch.chat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.support.LocalPostgres;
import dev.dmrbatch.support.TestProperties;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chat sessions created at once on PostgreSQL, as the web app's chats are: each session's id comes from a job
 * instance the job repository creates at SERIALIZABLE, where two at once can be refused for a serialization conflict
 * (SQLState 40001); every session is stored all the same.
 */
class SessionStoreIT {

	private static final int AT_ONCE = 6;

	private static final int ROUNDS = 15;

	@TempDir
	Path dir;

	@Test
	void sessionsCreatedAtOnceAreAllStored() throws Exception {
		DataSource data = new DriverManagerDataSource(LocalPostgres.freshDatabase(), "dmrbatch", "dmrbatch");
		Flyway.configure()
			.dataSource(data)
			.locations("classpath:db/migration/common", "classpath:db/migration/postgresql")
			.load()
			.migrate();
		new ResourceDatabasePopulator(new ClassPathResource("org/springframework/batch/core/schema-postgresql.sql"))
			.execute(data);
		JdbcTransactionManager transactions = new JdbcTransactionManager(data);
		JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
		factory.setDataSource(data);
		factory.setTransactionManager(transactions);
		factory.afterPropertiesSet();
		JobRepository jobRepository = factory.getObject();
		ConversationStore store = new ConversationStore(new JdbcTemplate(data));
		SessionStore sessions = new SessionStore(transactions, jobRepository, store, null,
				TestProperties.home(this.dir));
		ModelSettings settings = ModelSettings.of(Map.of("model", "ai/tiny"));
		ExecutorService threads = Executors.newFixedThreadPool(AT_ONCE);
		try {
			for (int round = 0; round < ROUNDS; round++) {
				CyclicBarrier together = new CyclicBarrier(AT_ONCE);
				List<Future<?>> saved = new ArrayList<>();
				for (int i = 0; i < AT_ONCE; i++) {
					String name = "s" + round + "-" + i;
					saved.add(threads.submit(() -> {
						together.await();
						sessions.save(new ChatSession(name, settings));
						return null;
					}));
				}
				for (Future<?> one : saved) {
					one.get();
				}
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(sessions.sessions()).hasSize(AT_ONCE * ROUNDS);
	}

}
