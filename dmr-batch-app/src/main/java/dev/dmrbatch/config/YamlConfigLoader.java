package dev.dmrbatch.config;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.text.SafeText;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.Resource;

/**
 * Reads {@code application.yaml} and its profile files with Spring Boot's own YAML loader, ahead of it, so that a
 * file that cannot be read (a key given twice, a syntax error) is named with its line and what is wrong in one
 * sentence ({@link ConfigFileException}), never the parser's excerpt of the file. Spring Boot takes the first loader
 * that claims an extension.
 */
public final class YamlConfigLoader implements PropertySourceLoader, Ordered {

	private static final Pattern DUPLICATE = Pattern.compile("found duplicate key (.+)");

	private final YamlPropertySourceLoader yaml = new YamlPropertySourceLoader();

	@Override
	public String[] getFileExtensions() {
		return this.yaml.getFileExtensions();
	}

	@Override
	public List<PropertySource<?>> load(String name, Resource resource) throws IOException {
		try {
			return this.yaml.load(name, resource);
		}
		catch (MarkedYAMLException ex) {
			int line = (ex.getProblemMark() != null) ? ex.getProblemMark().getLine() + 1 : 0;
			String problem = SafeText.firstLine(String.valueOf(ex.getProblem()));
			Matcher duplicate = DUPLICATE.matcher(problem);
			throw new ConfigFileException(resource, line, duplicate.matches()
					? "key '" + SafeText.excerpt(duplicate.group(1), 60) + "' is given twice (the second would "
							+ "replace the first)"
					: "not valid YAML, " + SafeText.excerpt(problem, 80));
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
