package dev.dmrbatch.config;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.core.convert.converter.Converter;
import org.springframework.stereotype.Component;

/**
 * A setting that names a file or folder ({@code dmr.home}, the plugin folders, the font folder) is a path of the file
 * system, as given. Spring's own conversion to {@link Path} looks a relative path up on the class path first, and
 * finds it inside the application whenever its classes are a folder (the jar extracted, a build's classes): with it,
 * the default home {@code .} became the application's classes folder.
 */
@Component
@ConfigurationPropertiesBinding
class FilePathConverter implements Converter<String, Path> {

	@Override
	public Path convert(String source) {
		return Path.of(source);
	}

}
