package dev.dmrbatch.support;

import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.check.CheckKind;
import dev.dmrbatch.check.CheckKinds;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.Extension;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.step.StepKind;
import dev.dmrbatch.step.StepKinds;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.util.ClassUtils;

/**
 * dmr-batch's own step and check types, found as the application finds them (every component under
 * {@code dev.dmrbatch} that is an {@link Extension}, in their {@code @Order}), for unit tests that build a part by hand;
 * steps and checks written as a job file writes them.
 */
public final class Kinds {

	private static final List<Extension> BUILT_IN = scan();

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	private Kinds() {
	}

	/** The working folder's plugins, which may not take a built-in name. */
	public static Plugins plugins(DmrProperties properties) {
		return new Plugins(properties, BUILT_IN);
	}

	public static StepKinds steps(Plugins plugins) {
		return new StepKinds(of(StepKind.class), plugins);
	}

	public static CheckKinds checks(Plugins plugins) {
		return new CheckKinds(of(CheckKind.class), plugins);
	}

	/** A step as a job file gives it, such as {@code { name: a, type: embed, prompt: x }}. */
	public static JobDefinition.Step step(String yaml) {
		return YAML.readValue(yaml, JobDefinition.Step.class);
	}

	/** A check as a job file gives it, such as {@code { name: c, type: contains, value: x }}. */
	public static JobDefinition.Check check(String yaml) {
		return YAML.readValue(yaml, JobDefinition.Check.class);
	}

	/** The built-in extensions of one sort, in their order. */
	public static <T> List<T> of(Class<T> type) {
		return BUILT_IN.stream().filter(type::isInstance).map(type::cast).toList();
	}

	private static List<Extension> scan() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(true);
		List<Extension> found = new ArrayList<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.dmrbatch")) {
			Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), Kinds.class.getClassLoader());
			if (Extension.class.isAssignableFrom(type)) {
				found.add((Extension) BeanUtils.instantiateClass(type));
			}
		}
		AnnotationAwareOrderComparator.sort(found);
		return List.copyOf(found);
	}

}
