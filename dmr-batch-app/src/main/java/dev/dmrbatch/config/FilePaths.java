package dev.dmrbatch.config;

import java.beans.PropertyEditorSupport;
import java.nio.file.Path;
import java.util.Map;

import org.springframework.beans.factory.config.CustomEditorConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A setting that names a file or folder ({@code dmr.home}, the plugin folders, the font folder) is a path of the file
 * system, as given. Spring's own {@code PathEditor} looks a relative path (and even an absolute one) up on the class
 * path first, and finds it inside the application whenever its classes are a folder (the jar extracted, a build's
 * classes): {@code dmr.home=.} became the application's classes folder. Registered on the bean factory, this editor
 * replaces it for every setting bound, defaults included.
 */
@Configuration(proxyBeanMethods = false)
class FilePaths {

	@Bean
	static CustomEditorConfigurer filePathEditor() {
		CustomEditorConfigurer configurer = new CustomEditorConfigurer();
		configurer.setCustomEditors(Map.of(Path.class, FilePathEditor.class));
		return configurer;
	}

	/** A path of the file system, as written. */
	static class FilePathEditor extends PropertyEditorSupport {

		@Override
		public void setAsText(String text) {
			setValue(Path.of(text));
		}

		@Override
		public String getAsText() {
			return (getValue() != null) ? getValue().toString() : "";
		}

	}

}
