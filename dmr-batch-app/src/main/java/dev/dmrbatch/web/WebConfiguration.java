package dev.dmrbatch.web;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.Compression;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.servlet.ConfigurableServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The app's own script and stylesheet under {@code /static/}, from {@code web/static/} on the class path only; and its
 * answers compressed (Boot's {@code server.compression}, on unless a profile turns it off): pages, scripts, styles
 * and JSON of 1 KiB or more, never the event streams, which must reach the browser as they are written.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class WebConfiguration implements WebMvcConfigurer {

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler("/static/*").addResourceLocations("classpath:/web/static/");
	}

	/** Unordered, so after Boot's own customizer, which sets the compression from the (unset) properties. */
	@Bean
	WebServerFactoryCustomizer<ConfigurableServletWebServerFactory> compression(Environment environment) {
		return new WebServerFactoryCustomizer<>() {

			@Override
			public void customize(ConfigurableServletWebServerFactory factory) {
				if (environment.containsProperty("server.compression.enabled")) {
					return; // as the configuration says
				}
				Compression compression = new Compression();
				compression.setEnabled(true);
				compression.setMinResponseSize(DataSize.ofKilobytes(1));
				compression.setMimeTypes(new String[] { "text/html", "text/css", "text/javascript",
						"application/javascript", "application/json", "application/problem+json", "text/plain",
						"text/csv", "text/markdown", "application/jsonl", "image/svg+xml" });
				factory.setCompression(compression);
			}

		};
	}

}
