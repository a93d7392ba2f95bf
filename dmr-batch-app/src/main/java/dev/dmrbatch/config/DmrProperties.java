package dev.dmrbatch.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything under {@code dmr.*}: from {@code config/application*.yaml}, profiles and the environment
 * ({@code DMR_BASE_URL}, {@code DMR_DEFAULT_MODEL}, {@code DMR_MAX_TOKENS}, {@code DMR_API_KEY} by relaxed
 * binding).
 *
 * @param home the working folder that holds {@code jobs/}, {@code templates/}, {@code input/}, {@code output/}
 * and {@code data/}; relative paths resolve against it
 * @param baseUrl the OpenAI-compatible base URL, {@code /v1} included
 * @param apiKey sent as a bearer token; Docker Model Runner and llama-server accept any value. Never logged.
 * @param defaultModel the model used when neither the command line nor the job file names one
 * @param maxTokens always sent, because llama-server's own default is unlimited
 * @param stream stream answers (server-sent events), which records each answer's time to the first token
 * @param concurrency requests in flight at once when the job does not say
 * @param runners several runners serving the same models, each with its own concurrency; items are spread across
 * them. Empty: the one runner at {@code baseUrl}
 * @param baseUrls the same as {@code runners}, URLs only, each with concurrency auto: {@code DMR_BASE_URLS=a,b}
 * @param models per-model settings, keyed by model name (in YAML, bracket names with a slash:
 * {@code "[ai/qwen3]"})
 * @param progress {@code dmr.progress.*}, which {@code ProgressProperties} binds; named here so that any other key
 * under {@code dmr} is refused as unknown
 * @param export {@code dmr.export.*}: how the exports are written
 * @param logprobs the advanced request fields, as in a per-model block: the profile's defaults, or given at launch
 * ({@code --dmr.logprobs=true}, {@code DMR_TOP_LOGPROBS=3}, {@code --dmr.extra.store=true})
 * @param topLogprobs as {@code logprobs}
 * @param n as {@code logprobs}; only 1
 * @param extra as {@code logprobs}: further body fields; a value given at launch is read as JSON where it is JSON
 * @param plugins {@code dmr.plugins.*}: where plugin jars are found besides the working folder's {@code plugins/}
 * @param store {@code dmr.store.*}: how the processes of a working folder share an H2 file store
 * @param cluster {@code dmr.cluster.*}: workers beside each model runner taking partitions of runs over a broker
 * @param rate requests per second or minute each runner is sent at most, when the job does not say
 * ({@code 10/s}, {@code 120/min}; {@code DMR_RATE}); {@code null} for no limit but the concurrency
 * @param tokensRate prompt and completion tokens per second or minute each runner's answers may use, when the job
 * does not say ({@code 50000/min}; {@code DMR_TOKENS_RATE})
 * @param maxImageSide the longest side, in pixels, an image is sent with when a step gives no
 * {@code max-image-side} ({@code DMR_MAX_IMAGE_SIDE}), and a chat's images; {@code null} for 1024
 */
@ConfigurationProperties(prefix = "dmr", ignoreUnknownFields = false)
@Validated
public record DmrProperties(@DefaultValue(".") Path home,
		@DefaultValue("http://localhost:12434/engines/llama.cpp/v1") @NotNull URI baseUrl,
		@DefaultValue("not-needed") String apiKey, @DefaultValue("ai/gemma3") @NotBlank String defaultModel,
		@DefaultValue("512") @Positive int maxTokens, @DecimalMin("0") @DecimalMax("2") Double temperature,
		@DecimalMin("0") @DecimalMax("1") Double topP, Long seed, List<String> stop,
		@DecimalMin("-2") @DecimalMax("2") Double presencePenalty,
		@DecimalMin("-2") @DecimalMax("2") Double frequencyPenalty, Boolean stream,
		@DefaultValue("4") @Positive @Max(Concurrency.MAX) int concurrency, List<@Valid RunnerEndpoint> runners, List<URI> baseUrls,
		@DefaultValue @Valid Timeouts timeout, @DefaultValue @Valid Retry retry,
		Map<String, @Valid ModelSettings> models, Map<String, String> progress, @DefaultValue @Valid Export export,
		Boolean logprobs, @Min(0) @Max(20) Integer topLogprobs,
		@Min(value = 1, message = ModelSettings.N_MESSAGE) @Max(value = 1, message = ModelSettings.N_MESSAGE) Integer n,
		Map<String, Object> extra, @DefaultValue Plugins plugins,
		@DefaultValue @Valid Store store, @DefaultValue @Valid Cluster cluster, String rate, String tokensRate,
		@Positive Integer maxImageSide) {

	@ConstructorBinding
	public DmrProperties {
		Pacing.parse(rate, "dmr.rate", tokensRate, "dmr.tokens-rate");
		// a relative font folder is one of the working folder's, like templates/ and jobs/
		if (export != null && export.fontFolder() != null && home != null) {
			export = new Export(home.resolve(export.fontFolder()).normalize());
		}
		baseUrl = RunnerEndpoint.normalise(RunnerEndpoint.refuseCredentials(baseUrl, "dmr.base-url"));
		if (models != null) {
			// as in a job file: a field with a setting of its own, or one dmr-batch sends itself, is not an extra
			models.forEach((model, settings) -> {
				for (String key : (settings != null) ? settings.ownFieldsInExtra() : List.<String>of()) {
					throw new IllegalArgumentException("dmr.models.\"[" + model + "]\".extra." + key
							+ " is not an extra field: it is a setting of its own, or one dmr-batch sends itself");
				}
			});
		}
		if (extra != null) {
			for (String key : extra.keySet()) {
				if (ModelSettings.OWN_FIELDS.contains(key)) {
					throw new IllegalArgumentException("dmr.extra." + key + " is not an extra field: it is a setting "
							+ "of its own, or one dmr-batch sends itself");
				}
			}
		}
		if (baseUrls != null) {
			baseUrls = baseUrls.stream()
				.map((url) -> RunnerEndpoint.normalise(RunnerEndpoint.refuseCredentials(url, "dmr.base-urls")))
				.toList();
		}
	}

	/**
	 * @param path folders of plugin jars, each {@code *.jar} in them loaded as the working folder's {@code plugins/}
	 * are; relative to the working folder
	 */
	public record Plugins(List<Path> path) {

		/** The folders to look for plugin jars in: {@code plugins/} of the working folder first, then these. */
		public List<Path> folders(Path home) {
			List<Path> folders = new java.util.ArrayList<>();
			folders.add(home.resolve("plugins").normalize());
			if (path != null) {
				path.forEach((folder) -> folders.add(home.resolve(folder).normalize()));
			}
			return folders;
		}

	}

	/**
	 * The settings without the advanced request fields ({@code logprobs}, {@code top-logprobs}, {@code n},
	 * {@code extra}) and with the working folder's {@code plugins/} alone.
	 */
	public DmrProperties(Path home, URI baseUrl, String apiKey, String defaultModel, int maxTokens, Double temperature,
			Double topP, Long seed, List<String> stop, Double presencePenalty, Double frequencyPenalty, Boolean stream,
			int concurrency, List<RunnerEndpoint> runners, List<URI> baseUrls, Timeouts timeout, Retry retry,
			Map<String, ModelSettings> models, Map<String, String> progress, Export export) {
		this(home, baseUrl, apiKey, defaultModel, maxTokens, temperature, topP, seed, stop, presencePenalty,
				frequencyPenalty, stream, concurrency, runners, baseUrls, timeout, retry, models, progress, export, null,
				null, null, null, new Plugins(null), new Store(true, Duration.ofSeconds(30)), Cluster.OFF, null,
				null, null);
	}

	/**
	 * @param connect how long to wait for a TCP connection
	 * @param request how long one request may take in all; generous, because a model's first request blocks
	 * while the runner loads it (Docker Model Runner gives up after about 5 minutes)
	 */
	public record Timeouts(@DefaultValue("10s") Duration connect, @DefaultValue("10m") Duration request) {
	}

	/**
	 * @param fontFolder a folder of fonts (.ttf, .otf, .ttc) that {@code results.pdf} tries before the system's
	 * for characters its own fonts do not have; relative to the working folder
	 */
	public record Export(Path fontFolder) {

		@AssertTrue(message = "must be an existing folder of fonts")
		public boolean isFontFolderValid() {
			return fontFolder == null || Files.isDirectory(fontFolder);
		}

	}

	/**
	 * An H2 file store is opened through a store server of its own that every process of the working folder uses
	 * ({@code conversation.server}), so that several can run at once; the store server is found or started before
	 * these settings are bound, from the same properties.
	 * @param shared false: the process opens the file itself (embedded), and a second process is refused while it
	 * runs
	 * @param idle how long a store server stays without a process connected before it ends
	 */
	public record Store(@DefaultValue("true") boolean shared, @DefaultValue("30s") @NotNull Duration idle) {
	}

	/**
	 * One run across many machines: {@code worker} processes beside each model runner take the partitions of a run
	 * from a RabbitMQ queue (Spring Batch remote partitioning) and share this job repository and store.
	 * @param enabled every run is a cluster run (its manager): {@code cluster=on} at launch or {@code cluster: true} in
	 * a job file turn it on for one run, {@code cluster=off} off
	 * @param broker the broker, an {@code amqp://} or {@code amqps://} URL ({@code DMR_CLUSTER_BROKER}); its user
	 * information, if any, gives the credentials. Never printed with them
	 * @param username the broker's user, over the URL's; RabbitMQ's {@code guest} when neither gives one
	 * @param password the user's password, over the URL's. Never printed
	 * @param queue the name the partitions' queue starts with; the store's identity follows it, so the workers and
	 * managers of one store meet on one queue, and one broker serves several stores
	 * @param pollInterval how often a manager reads the job repository for its partitions' progress
	 */
	public record Cluster(@DefaultValue("false") boolean enabled,
			@DefaultValue("amqp://localhost:5672") @NotNull URI broker, String username, String password,
			@DefaultValue("dmr-batch") @NotBlank String queue, @DefaultValue("1s") @NotNull Duration pollInterval) {

		/** The cluster off, every setting at its default. */
		public static final Cluster OFF = new Cluster(false, URI.create("amqp://localhost:5672"), null, null,
				"dmr-batch", Duration.ofSeconds(1));

		@AssertTrue(message = "must be an amqp:// or amqps:// URL with a host, such as amqp://broker-host:5672")
		public boolean isBrokerValid() {
			return broker == null || (("amqp".equalsIgnoreCase(broker.getScheme())
					|| "amqps".equalsIgnoreCase(broker.getScheme())) && broker.getHost() != null);
		}

		@Override
		public String toString() {
			// the password and the URL's user information stay out of every log and dump
			return "Cluster[enabled=" + enabled + ", broker=" + broker.getScheme() + "://" + broker.getHost()
					+ ((broker.getPort() > 0) ? ":" + broker.getPort() : "") + ", queue=" + queue + "]";
		}

	}

	/**
	 * Transient faults (connection refused or reset, timeouts, 429, 5xx) are retried with exponential backoff.
	 * @param attempts attempts in all, the first included
	 */
	public record Retry(@DefaultValue("4") @Min(1) int attempts, @DefaultValue("1s") Duration backoff,
			@DefaultValue("30s") Duration maxBackoff) {
	}

	/** A base URL without a scheme or host would fail at the first request, with a message naming neither. */
	@AssertTrue(message = "must be an absolute http or https URL, such as http://localhost:12434/engines/llama.cpp/v1, "
			+ "or a Unix socket's, such as " + RunnerEndpoint.UNIX_EXAMPLE)
	public boolean isBaseUrlValid() {
		return baseUrl == null || RunnerEndpoint.isUnixSocket(baseUrl) || (("http".equalsIgnoreCase(baseUrl.getScheme())
				|| "https".equalsIgnoreCase(baseUrl.getScheme())) && baseUrl.getHost() != null);
	}

	/** The profile's defaults, which a model's own settings, the job file and the command line override. */
	public ModelSettings profileDefaults() {
		return new ModelSettings(defaultModel, temperature, topP, maxTokens, stop, seed, presencePenalty,
				frequencyPenalty, stream, logprobs, topLogprobs, n, extra);
	}

	/** The settings of the profile for one model: its defaults, then {@code dmr.models."<name>"}. */
	public ModelSettings settingsFor(String model) {
		ModelSettings own = (models != null) ? models.get(model) : null;
		return profileDefaults().overriddenBy(own).withName(model);
	}

	/** These settings for another runner: the same, at another base URL. */
	public DmrProperties withBaseUrl(URI url) {
		return new DmrProperties(home, url, apiKey, defaultModel, maxTokens, temperature, topP, seed, stop,
				presencePenalty, frequencyPenalty, stream, concurrency, runners, baseUrls, timeout, retry, models,
				progress, export, logprobs, topLogprobs, n, extra, plugins, store, cluster, rate, tokensRate,
				maxImageSide);
	}

	/** The longest side an image is sent with where a step does not say: {@code dmr.max-image-side}, else 1024. */
	public int maxImageSideOrDefault() {
		return (maxImageSide != null) ? maxImageSide : DEFAULT_MAX_IMAGE_SIDE;
	}

	/** The longest side an image is sent with when neither the step nor the profile says. */
	public static final int DEFAULT_MAX_IMAGE_SIDE = 1024;

	/** The profile's {@code dmr.rate} and {@code dmr.tokens-rate}. */
	public Pacing pacing() {
		return Pacing.parse(rate, "dmr.rate", tokensRate, "dmr.tokens-rate");
	}

	/** The runners of the profile: {@code dmr.base-urls}, else {@code dmr.runners}, else the one at the base URL. */
	public List<RunnerEndpoint> runnersOrDefault() {
		if (baseUrls != null && !baseUrls.isEmpty()) {
			return baseUrls.stream().map((url) -> new RunnerEndpoint(url, null)).toList();
		}
		if (runners != null && !runners.isEmpty()) {
			return runners;
		}
		return List.of(new RunnerEndpoint(baseUrl, null));
	}

	public Path resolve(String path) {
		return home.resolve(path).normalize();
	}

	/**
	 * A path as messages and a run's identity name it: relative to the working folder when it is inside it, else
	 * absolute; normalised either way.
	 */
	public Path relative(Path path) {
		Path folder = home.toAbsolutePath().normalize();
		Path absolute = path.toAbsolutePath().normalize();
		return absolute.startsWith(folder) ? folder.relativize(absolute) : absolute;
	}

	@Override
	public String toString() {
		// the API key stays out of every log and dump
		return "DmrProperties[home=" + home + ", baseUrl=" + baseUrl + ", apiKey=****, defaultModel=" + defaultModel
				+ ", maxTokens=" + maxTokens + ", concurrency=" + concurrency + "]";
	}

}
