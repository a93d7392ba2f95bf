package dev.dmrbatch.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.integration.amqp.dsl.Amqp;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.IntegrationRegistrar;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.messaging.MessageChannel;

import com.rabbitmq.client.Channel;

/**
 * The cluster's messaging, in a Spring context of its own that only a cluster run's manager and a worker open (the
 * rest of dmr-batch never loads Spring Integration or the broker's client): Spring Integration's AMQP adapters
 * between Spring Batch's partition requests and the broker's queue.
 * <ul>
 * <li>the manager: the channel {@code MessageChannelPartitionHandler} sends each partition's
 * {@link StepExecutionRequest} to, into the queue (each send a broker transaction, so a request sent is a request
 * stored);</li>
 * <li>a worker: one consumer of the queue, one message at a time (prefetch 1: the next partition stays in the queue
 * for whichever worker is free first), acknowledged by the worker itself once the partition has ended, or given back
 * to the queue; a message of a worker that dies is never acknowledged, so the broker gives it to another.</li>
 * </ul>
 */
final class Messaging implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(Messaging.class);

	static final String REQUESTS = "partitionRequests";

	private final AnnotationConfigApplicationContext context;

	private Messaging(AnnotationConfigApplicationContext context) {
		this.context = context;
	}

	/** A manager's messaging: {@link #requests()} goes to the broker. */
	static Messaging manager(Broker broker) {
		AnnotationConfigApplicationContext context = integration(broker);
		context.register(ManagerFlow.class);
		context.refresh();
		return new Messaging(context);
	}

	/** A worker's messaging: each request of the queue goes to {@code partitions}, one at a time. */
	static Messaging worker(Broker broker, Partitions partitions) {
		AnnotationConfigApplicationContext context = integration(broker);
		context.registerBean(Partitions.class, () -> partitions);
		context.register(WorkerFlow.class);
		context.refresh();
		return new Messaging(context);
	}

	/**
	 * A context with Spring Integration's infrastructure, as {@code @EnableIntegration} registers it. The annotation
	 * itself is not used: the application's component scan reads the annotations of every class of the package, and
	 * would load Spring Integration's classes for it in every command.
	 */
	private static AnnotationConfigApplicationContext integration(Broker broker) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		new IntegrationRegistrar().registerBeanDefinitions(AnnotationMetadata.introspect(Messaging.class), context);
		context.registerBean(Broker.class, () -> broker);
		return context;
	}

	MessageChannel requests() {
		return this.context.getBean(REQUESTS, MessageChannel.class);
	}

	/** The worker's consumer: stopped while its runner does not answer, started again when it does. */
	SimpleMessageListenerContainer consumer() {
		return this.context.getBean(SimpleMessageListenerContainer.class);
	}

	@Override
	public void close() {
		this.context.close();
	}

	/** What a worker does with each partition request: acknowledges it, or gives it back to the queue. */
	interface Partitions {

		/** @return true to acknowledge the request (the partition ended, or is no one's to run), false to give it back */
		boolean take(StepExecutionRequest request);

	}

	/**
	 * The broker's connections and the queue, declared by whoever connects first. These configurations are no
	 * {@code @Configuration}: the application's component scan must never find them, only {@link #manager} and
	 * {@link #worker} register them, in their own context.
	 */
	static class BrokerConnections {

		@Bean
		CachingConnectionFactory brokerConnections(Broker broker) {
			return broker.connections("cluster");
		}

		@Bean
		Queue partitionQueue(Broker broker) {
			return broker.queue();
		}

		@Bean
		RabbitAdmin brokerAdmin(ConnectionFactory connections) {
			return new RabbitAdmin(connections);
		}

	}

	@Import(BrokerConnections.class)
	static class ManagerFlow {

		@Bean
		RabbitTemplate partitionSender(ConnectionFactory connections) {
			RabbitTemplate template = new RabbitTemplate(connections);
			template.setMessageConverter(Broker.converter());
			template.setChannelTransacted(true);
			return template;
		}

		@Bean(REQUESTS)
		DirectChannel partitionRequests() {
			return new DirectChannel();
		}

		@Bean
		IntegrationFlow partitionRequestsToBroker(RabbitTemplate partitionSender, Broker broker) {
			return IntegrationFlow.from(REQUESTS)
				.handle(Amqp.outboundAdapter(partitionSender).routingKey(broker.queueName()))
				.get();
		}

	}

	@Import(BrokerConnections.class)
	static class WorkerFlow {

		/** A worker says when it loses the broker and when it has it back: the manager needs it only to send. */
		@Bean
		ConnectionListener brokerWatch(CachingConnectionFactory connections, Broker broker) {
			ConnectionListener listener = new ConnectionListener() {

				private volatile boolean lost;

				@Override
				public void onCreate(org.springframework.amqp.rabbit.connection.Connection connection) {
					if (this.lost) {
						log.info("connected to the broker {} again", broker.describe());
						this.lost = false;
					}
				}

				@Override
				public void onShutDown(com.rabbitmq.client.ShutdownSignalException signal) {
					if (!signal.isInitiatedByApplication() && !this.lost) {
						this.lost = true;
						log.warn("lost the broker {}; reconnecting", broker.describe());
					}
				}

			};
			connections.addConnectionListener(listener);
			return listener;
		}

		@Bean
		SimpleMessageListenerContainer partitionConsumer(ConnectionFactory connections, Broker broker) {
			SimpleMessageListenerContainer consumer = new SimpleMessageListenerContainer(connections);
			consumer.setQueueNames(broker.queueName());
			consumer.setConcurrentConsumers(1);
			consumer.setPrefetchCount(1);
			consumer.setAcknowledgeMode(AcknowledgeMode.MANUAL);
			consumer.setDefaultRequeueRejected(true);
			consumer.setRecoveryInterval(2000);
			return consumer;
		}

		@Bean
		IntegrationFlow partitionRequestsFromBroker(SimpleMessageListenerContainer partitionConsumer,
				Partitions partitions) {
			return IntegrationFlow.from(Amqp.inboundAdapter(partitionConsumer).messageConverter(Broker.converter()))
				.handle(StepExecutionRequest.class, (request, headers) -> {
					Channel channel = headers.get(AmqpHeaders.CHANNEL, Channel.class);
					Long tag = headers.get(AmqpHeaders.DELIVERY_TAG, Long.class);
					boolean done = partitions.take(request);
					try {
						if (done) {
							channel.basicAck(tag, false);
						}
						else {
							channel.basicNack(tag, false, true);
						}
					}
					catch (java.io.IOException | RuntimeException ex) {
						// the channel is gone (the broker restarted): the broker gives the message out again
						log.debug("the partition request could not be {}: {}", done ? "acknowledged" : "given back",
								ex.getMessage());
					}
					return null;
				})
				.get();
		}

	}

}
