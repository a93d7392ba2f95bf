package dev.dmrbatch.cluster;

import java.net.URI;
import java.time.Duration;

import dev.dmrbatch.config.DmrProperties;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.batch.integration.partition.StepExecutionRequest;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerTest {

	private static Broker broker(String url, String username, String password) {
		return new Broker(new DmrProperties.Cluster(true, URI.create(url), username, password, "dmr-batch",
				Duration.ofSeconds(1)), "store-1");
	}

	@Test
	void aPartitionRequestGoesAsJsonAndComesBackWhateverTheMessageSaysItIs() {
		MessageConverter converter = Broker.converter();
		Message message = converter.toMessage(new StepExecutionRequest("conversations", 42L), new MessageProperties());
		message.getMessageProperties().setHeader("__TypeId__", "java.lang.ProcessBuilder");

		assertThat(new String(message.getBody())).isEqualTo("{\"stepName\":\"conversations\",\"stepExecutionId\":42}");
		Object back = converter.fromMessage(message);
		assertThat(back).isInstanceOf(StepExecutionRequest.class);
		assertThat(((StepExecutionRequest) back).getStepExecutionId()).isEqualTo(42L);
		assertThat(((StepExecutionRequest) back).getStepName()).isEqualTo("conversations");
	}

	@Test
	void theBrokerIsShownWithoutItsCredentialsAndTheQueueIsTheStoresOwn() {
		Broker broker = broker("amqp://alice:s3cret@mq.example:5673/batch%2Fone", null, null);

		assertThat(broker.describe()).isEqualTo("amqp://mq.example:5673/batch/one").doesNotContain("s3cret");
		assertThat(broker.queueName()).isEqualTo("dmr-batch.store-1");
		assertThat(broker("amqps://mq.example", null, null).describe()).isEqualTo("amqps://mq.example:5671/");
		assertThat(broker.toString()).doesNotContain("s3cret");
	}

	@Test
	void anUnreachableBrokerIsSaidWithItsInnermostCauseAndNoCredentials() {
		Broker broker = broker("amqp://alice:s3cret@mq.example:5673/", null, null);
		AmqpConnectException refused = new AmqpConnectException(
				new RuntimeException("wrapped", new java.net.ConnectException("Connection refused\nat line two")));

		assertThat(broker.unreachable(refused).getMessage()).isEqualTo(
				"cannot reach the broker amqp://mq.example:5673/ (dmr.cluster.broker): Connection refused")
			.doesNotContain("s3cret");
		assertThat(broker.unreachable(new AmqpConnectException(null)).getMessage())
			.endsWith("(dmr.cluster.broker): AmqpConnectException");
	}

	@Test
	void theSettingsCredentialsWinOverTheUrlsAndGuestIsTheDefault() {
		CachingConnectionFactory fromUrl = broker("amqp://alice:s%40cret@mq.example/", null, null).connections("t");
		CachingConnectionFactory fromSettings = broker("amqp://alice:x@mq.example/", "bob", "pw").connections("t");
		CachingConnectionFactory none = broker("amqp://mq.example", null, null).connections("t");

		assertThat(fromUrl.getRabbitConnectionFactory().getUsername()).isEqualTo("alice");
		assertThat(fromUrl.getRabbitConnectionFactory().getPassword()).isEqualTo("s@cret");
		assertThat(fromUrl.getRabbitConnectionFactory().getVirtualHost()).isEqualTo("/");
		assertThat(fromSettings.getRabbitConnectionFactory().getUsername()).isEqualTo("bob");
		assertThat(fromSettings.getRabbitConnectionFactory().getPassword()).isEqualTo("pw");
		assertThat(none.getRabbitConnectionFactory().getUsername()).isEqualTo("guest");
		assertThat(none.getRabbitConnectionFactory().getPort()).isEqualTo(5672);
	}

}
