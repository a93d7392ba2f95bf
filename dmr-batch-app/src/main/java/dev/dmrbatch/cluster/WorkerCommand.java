package dev.dmrbatch.cluster;

import java.net.URI;
import java.util.Set;

import dev.dmrbatch.cli.Arguments;
import dev.dmrbatch.cli.Command;
import dev.dmrbatch.config.Concurrency;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.RunnerClients;
import dev.dmrbatch.run.job.ConversationJobFactory;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlanner;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code worker}: a worker of the cluster, beside a model runner. It takes partitions of any run whose job file is in
 * its working folder from the queue of {@code dmr.cluster.broker}, runs each on its own runner as a partition of a
 * run with several runners runs here, and stays until Ctrl-C or SIGTERM ({@link Worker}).
 */
@Component
@Order(97)
class WorkerCommand implements Command {

	private final DmrProperties properties;

	private final RunPlanner planner;

	private final JobFiles jobFiles;

	private final ConversationRuns runs;

	private final ConversationJobFactory jobs;

	private final JobRepository jobRepository;

	private final ConversationStore store;

	private final PartitionTakes takes;

	private final RunnerClients clients;

	WorkerCommand(DmrProperties properties, RunPlanner planner, JobFiles jobFiles, ConversationRuns runs,
			ConversationJobFactory jobs, JobRepository jobRepository, ConversationStore store, PartitionTakes takes,
			RunnerClients clients) {
		this.properties = properties;
		this.planner = planner;
		this.jobFiles = jobFiles;
		this.runs = runs;
		this.jobs = jobs;
		this.jobRepository = jobRepository;
		this.store = store;
		this.takes = takes;
		this.clients = clients;
	}

	@Override
	public String name() {
		return "worker";
	}

	@Override
	public String usage() {
		return """
				worker [base-url=<its runner>] [concurrency=<n|auto>]
				  (a worker of the cluster: partitions of runs from the queue of dmr.cluster.broker, run on its
				  runner, stored in the shared database; Ctrl-C or SIGTERM gives the partition in progress back)""";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("base-url", "concurrency");
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		URI runner = this.properties.baseUrl();
		if (arguments.get("base-url") != null) {
			try {
				runner = RunnerEndpoint.normalise(URI.create(arguments.get("base-url").strip()));
			}
			catch (IllegalArgumentException ex) {
				throw new RunException("base-url= is not a URL: " + RunnerEndpoint.redact(ex.getMessage()));
			}
			if (runner.getScheme() == null || runner.getHost() == null) {
				throw new RunException("base-url= must be one runner's absolute URL, such as "
						+ "http://localhost:12434/engines/llama.cpp/v1");
			}
		}
		String concurrency = arguments.get("concurrency");
		try {
			Concurrency.parse(concurrency, "concurrency=");
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
		Broker broker = new Broker(this.properties.cluster(), this.store.storeId());
		return new Worker(broker, runner, concurrency, this.planner, this.jobFiles, this.runs, this.jobs,
				this.jobRepository, this.takes, this.clients).run();
	}

}
