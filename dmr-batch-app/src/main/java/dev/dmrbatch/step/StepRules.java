package dev.dmrbatch.step;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;

/** Rules that several step types share. */
final class StepRules {

	private StepRules() {
	}

	/** A step that sends its rendered prompt: exactly one of {@code prompt} or {@code template}, no options. */
	static void prompted(JobDefinition.Step step, String at, List<String> problems) {
		if ((step.prompt() == null) == (step.template() == null)) {
			problems.add(at + " needs exactly one of 'prompt' or 'template'");
		}
		if (step.options() != null) {
			problems.add(at + ".options is for steps of a type that a plugin provides");
		}
	}

	/** A step that does not join the conversation: its answer is not asked for as JSON. */
	static void apart(JobDefinition.Step step, String at, List<String> problems) {
		if (step.responseFormat() != null && !"text".equals(step.responseFormat())) {
			problems.add(at + " has type " + step.type() + ": response_format is for chat steps");
		}
		sendsNoImages(step, at, problems);
	}

	/** A step that sends no images: no {@code images:}, no {@code max-image-side}. */
	static void sendsNoImages(JobDefinition.Step step, String at, List<String> problems) {
		if (step.images() != null || step.maxImageSide() != null) {
			problems.add(at + " has type " + step.type() + ": images and max-image-side are for chat steps");
		}
	}

}
