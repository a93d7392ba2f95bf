package dev.dmrbatch.cluster;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;

import javax.net.ssl.SSLContext;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;

import org.springframework.amqp.AmqpAuthenticationException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.support.converter.ClassMapper;
import org.springframework.amqp.support.converter.JacksonJsonMessageConverter;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.batch.integration.partition.StepExecutionRequest;

/**
 * The broker of {@code dmr.cluster.broker} (RabbitMQ, AMQP 0-9-1): its connections, with the credentials of
 * {@code dmr.cluster.username} and {@code password} over the URL's own (RabbitMQ's {@code guest} when neither gives
 * any), and the queue of the partitions of one store's runs. Shown only as {@link #describe()}: scheme, host, port and
 * virtual host, never the credentials.
 */
final class Broker {

	/** Seconds between AMQP heartbeats: a worker whose host vanished has its partition back in the queue soon. */
	private static final int HEARTBEAT_SECONDS = 10;

	private final DmrProperties.Cluster settings;

	private final String queue;

	/** @param storeId the store's identity: the workers and managers of one store meet on one queue */
	Broker(DmrProperties.Cluster settings, String storeId) {
		this.settings = settings;
		this.queue = settings.queue() + "." + storeId;
	}

	String queueName() {
		return this.queue;
	}

	/** The broker as messages name it: {@code amqp://host:5672/vhost}, without user information. */
	String describe() {
		URI uri = this.settings.broker();
		return uri.getScheme() + "://" + uri.getHost() + ":" + port(uri) + "/" + ("/".equals(vhost(uri)) ? "" : vhost(uri));
	}

	/** The queue of partitions: durable, so partitions sent wait for workers across a restart of the broker. */
	Queue queue() {
		return QueueBuilder.durable(this.queue).build();
	}

	CachingConnectionFactory connections(String role) {
		URI uri = this.settings.broker();
		com.rabbitmq.client.ConnectionFactory rabbit = new com.rabbitmq.client.ConnectionFactory();
		rabbit.setHost(uri.getHost());
		rabbit.setPort(port(uri));
		rabbit.setVirtualHost(vhost(uri));
		String[] user = (uri.getRawUserInfo() != null) ? uri.getRawUserInfo().split(":", 2) : new String[0];
		rabbit.setUsername((this.settings.username() != null) ? this.settings.username()
				: (user.length > 0) ? decode(user[0]) : "guest");
		rabbit.setPassword((this.settings.password() != null) ? this.settings.password()
				: (user.length > 1) ? decode(user[1]) : "guest");
		if ("amqps".equalsIgnoreCase(uri.getScheme())) {
			try {
				// the JVM's trusted certificates and the host's name checked, never "trust all"
				rabbit.useSslProtocol(SSLContext.getDefault());
				rabbit.enableHostnameVerification();
			}
			catch (NoSuchAlgorithmException ex) {
				throw new RunException("dmr.cluster.broker " + describe() + " asks for TLS, which this JVM lacks: "
						+ ex.getMessage());
			}
		}
		rabbit.setRequestedHeartbeat(HEARTBEAT_SECONDS);
		// Spring AMQP reconnects itself (the client's own recovery is what it warns about)
		rabbit.setAutomaticRecoveryEnabled(false);
		rabbit.setConnectionTimeout(10_000);
		CachingConnectionFactory connections = new CachingConnectionFactory(rabbit);
		String name = "dmr-batch " + role + " " + ProcessHandle.current().pid();
		connections.setConnectionNameStrategy((factory) -> name);
		return connections;
	}

	/**
	 * Connects once, before anything is sent: the broker answers and takes the credentials.
	 * @throws RunException naming the broker, and the settings of the credentials when it refused them
	 */
	void check() {
		CachingConnectionFactory connections = connections("check");
		try (Connection connection = connections.createConnection()) {
			// connected: the credentials and the virtual host are good
		}
		catch (AmqpException ex) {
			throw unreachable(ex);
		}
		finally {
			connections.destroy();
		}
	}

	/** A broker that does not answer or refuses the credentials, in one sentence that names the setting. */
	RunException unreachable(AmqpException ex) {
		if (ex instanceof AmqpAuthenticationException) {
			return new RunException("the broker " + describe() + " refused the credentials (dmr.cluster.username and "
					+ "dmr.cluster.password, or the user of dmr.cluster.broker; RabbitMQ's guest may connect from the "
					+ "broker's own host only)");
		}
		Throwable root = Causes.root(ex);
		String why = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return new RunException("cannot reach the broker " + describe() + " (dmr.cluster.broker): "
				+ SafeText.firstLine(RunnerEndpoint.redact(why)));
	}

	/**
	 * Partition requests as JSON, and every message of the queue read as one: the type never comes from the
	 * message.
	 */
	static MessageConverter converter() {
		JacksonJsonMessageConverter converter = new JacksonJsonMessageConverter();
		converter.setClassMapper(new ClassMapper() {

			@Override
			public void fromClass(Class<?> clazz, MessageProperties properties) {
				// the queue holds partition requests only
			}

			@Override
			public Class<?> toClass(MessageProperties properties) {
				return StepExecutionRequest.class;
			}

		});
		return converter;
	}

	private static int port(URI uri) {
		return (uri.getPort() > 0) ? uri.getPort() : "amqps".equalsIgnoreCase(uri.getScheme()) ? 5671 : 5672;
	}

	private static String vhost(URI uri) {
		String path = uri.getRawPath();
		return (path == null || path.isEmpty() || path.equals("/")) ? "/" : decode(path.substring(1));
	}

	private static String decode(String text) {
		return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

}
