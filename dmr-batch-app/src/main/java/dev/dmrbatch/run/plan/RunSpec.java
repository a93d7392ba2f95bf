package dev.dmrbatch.run.plan;

import java.util.List;

import dev.dmrbatch.config.ModelSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a run is started with, kept with it so that a resumed run carries on as it started, whoever resumes it
 * (the command line, the web app, cron) and whatever became of the files since. The templates' sources are kept
 * beside it ({@code ConversationStore.templates}).
 *
 * @param jobFile the job file's text as it was read
 * @param models the settings of each model of the run, in order
 * @param steps per model, per step, the settings its requests carry, as resolved from the profile, the job file and
 * the launch
 * @param repeat how many times each item is asked of each model ({@code repeat=}); {@code null} for once, as a run
 * kept before it existed
 * @param maxImageSide the longest side an image is sent with where a step gives no {@code max-image-side} (the
 * profile's {@code dmr.max-image-side} when the run started); {@code null} for a run kept before it existed, which
 * goes on with the profile's of the resuming process
 */
public record RunSpec(String jobFile, List<ModelSettings> models, List<List<ModelSettings>> steps, Integer repeat,
		Integer maxImageSide) {

	public RunSpec(String jobFile, List<ModelSettings> models, List<List<ModelSettings>> steps) {
		this(jobFile, models, steps, null, null);
	}

	/** How many times each item is asked of each model, from 1. */
	public int repetitions() {
		return (this.repeat != null) ? this.repeat : 1;
	}

	private static final JsonMapper JSON = JsonMapper.shared();

	public String toJson() {
		return JSON.writeValueAsString(this);
	}

	/**
	 * A kept spec read back.
	 * @param run how messages name the run
	 * @throws RunException when it cannot be read: the run is not resumed under other settings
	 */
	public static RunSpec fromJson(String json, String run) {
		try {
			return JSON.readValue(json, RunSpec.class);
		}
		catch (JacksonException ex) {
			throw new RunException("the settings " + run + " was started with cannot be read back ("
					+ dev.dmrbatch.text.SafeText.excerpt(ex.getOriginalMessage(), 120) + "); give run=new for a new run");
		}
	}

}
