package dev.dmrbatch.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dmrbatch.check.CheckKind;
import dev.dmrbatch.check.CheckKinds;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.export.ExportFormats;
import dev.dmrbatch.export.ExportKind;
import dev.dmrbatch.input.InputFormatKind;
import dev.dmrbatch.input.InputFormats;
import dev.dmrbatch.input.LinesFormat;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.step.StepKind;
import dev.dmrbatch.step.StepKinds;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.core.type.filter.TypeFilter;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

/**
 * The built-in kinds (input formats, exports, step types, check types) as the application has them, for unit tests
 * that build a part by hand: every {@code @Component} of the kind under {@code dev.dmrbatch}, in its {@code @Order}, as
 * component scanning finds them, so a new kind is here without a list to edit. Steps and checks written as a job
 * file writes them.
 */
public final class Kinds {

	private Kinds() {
	}

	private static final Map<Class<?>, List<?>> FOUND = new ConcurrentHashMap<>();

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	/** The built-in beans of that type (stateless, so found once and shared). */
	@SuppressWarnings("unchecked")
	public static <T> List<T> builtIn(Class<T> type) {
		return (List<T>) FOUND.computeIfAbsent(type, Kinds::scan);
	}

	private static <T> List<T> scan(Class<T> type) {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		TypeFilter component = new AnnotationTypeFilter(Component.class);
		TypeFilter kind = new AssignableTypeFilter(type);
		scanner.addIncludeFilter((reader, factory) -> component.match(reader, factory) && kind.match(reader, factory));
		List<T> found = new ArrayList<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.dmrbatch")) {
			Class<?> bean = ClassUtils.resolveClassName(candidate.getBeanClassName(), Kinds.class.getClassLoader());
			found.add(type.cast(BeanUtils.instantiateClass(bean)));
		}
		AnnotationAwareOrderComparator.sort(found);
		return List.copyOf(found);
	}

	/** The built-in input format of that name; {@code lines} is the OpenAI Batch job's, which is no bean. */
	public static InputFormatKind inputFormat(String name) {
		if (name.equals("lines")) {
			return new LinesFormat();
		}
		return builtIn(InputFormatKind.class).stream()
			.filter((format) -> format.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no built-in input format " + name));
	}

	/** The plugins of the working folder, refusing the built-in kinds' names. */
	public static Plugins plugins(DmrProperties properties) {
		return new Plugins(properties, builtIn(Kind.class));
	}

	public static InputFormats inputFormats(Plugins plugins) {
		return new InputFormats(builtIn(InputFormatKind.class), plugins);
	}

	public static ExportFormats exportFormats(Plugins plugins) {
		return new ExportFormats(builtIn(ExportKind.class), plugins);
	}

	public static StepKinds stepKinds(Plugins plugins) {
		return new StepKinds(builtIn(StepKind.class), plugins);
	}

	public static CheckKinds checkKinds(Plugins plugins) {
		return new CheckKinds(builtIn(CheckKind.class), plugins);
	}

	/** A step as a job file gives it, such as {@code { name: a, type: embed, prompt: x }}. */
	public static JobDefinition.Step step(String yaml) {
		return YAML.readValue(yaml, JobDefinition.Step.class);
	}

	/** A check as a job file gives it, such as {@code { name: c, type: contains, value: x }}. */
	public static JobDefinition.Check check(String yaml) {
		return YAML.readValue(yaml, JobDefinition.Check.class);
	}

}
