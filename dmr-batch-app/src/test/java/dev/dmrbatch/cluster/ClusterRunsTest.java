package dev.dmrbatch.cluster;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster run left running by a manager that is gone is settled before it is recovered: stopped first, so that no
 * worker takes a waiting partition under the recovery, and recovered from its partitions as the workers left them.
 */
class ClusterRunsTest {

	@Test
	void aRunWithNoPartitionRunningIsStoppedAndRecoveredFromItsPartitionsAsTheyAreNow() throws Exception {
		JdbcTemplate jdbc = ClusterDatabase.create("settle", "org/springframework/batch/core/schema-h2.sql");
		DataSource dataSource = jdbc.getDataSource();
		JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
		factory.setDataSource(dataSource);
		factory.setTransactionManager(new DataSourceTransactionManager(dataSource));
		factory.afterPropertiesSet();
		JobRepository repository = factory.getObject();

		JobInstance instance = repository.createJobInstance("items", new JobParameters());
		JobExecution execution = repository.createJobExecution(instance, new JobParameters(), new ExecutionContext());
		execution.setStatus(BatchStatus.STARTED);
		repository.update(execution);
		StepExecution waiting = repository.createStepExecution("conversations:partition0", execution);
		waiting.setStatus(BatchStatus.STARTING);
		repository.update(waiting);
		// the execution as the resuming manager first read it; then a worker took the waiting partition, committed
		// 40 items and died (no take of it is alive)
		JobExecution abandoned = repository.getJobExecution(execution.getId());
		StepExecution taken = repository.getStepExecution(waiting.getId());
		taken.setStatus(BatchStatus.STARTED);
		repository.update(taken);
		taken.setWriteCount(40);
		repository.update(taken);

		ClusterRuns runs = new ClusterRuns(null, repository, null, new PartitionTakes(jdbc, ClusterDatabase.processes(jdbc)));
		JobExecution settled = runs.settle(abandoned);

		// stopped before anything else, so that a worker looking at the run now leaves its partitions alone
		assertThat(repository.getJobExecution(execution.getId()).getStatus()).isEqualTo(BatchStatus.STOPPING);
		// and recovered as the worker left it: its partition failed with the 40 items it committed, not 0
		StepExecution partition = settled.getStepExecutions().iterator().next();
		assertThat(partition.getWriteCount()).isEqualTo(40);
		partition.setStatus(BatchStatus.FAILED); // as the job operator's recovery does
		repository.update(partition);
		assertThat(repository.getStepExecution(waiting.getId()).getWriteCount()).isEqualTo(40);
	}

}
