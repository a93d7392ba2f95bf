package dev.dmrbatch.chat;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code /set} and {@code /params}: the run settings' parameters, checked as a job file's are. */
class ChatSettingsTest {

	private static final ModelSettings PROFILE = ModelSettings.of(Map.of("model", "ai/tiny", "temperature", 0.2,
			"max_tokens", 512, "seed", 7L));

	@Test
	void eachParameterIsSetByItsJobFileName() {
		ModelSettings settings = PROFILE;
		settings = ChatSettings.set(settings, PROFILE, "temperature", "0.9");
		settings = ChatSettings.set(settings, PROFILE, "top_p", "0.5");
		settings = ChatSettings.set(settings, PROFILE, "max-tokens", "64");
		settings = ChatSettings.set(settings, PROFILE, "seed", "42");
		settings = ChatSettings.set(settings, PROFILE, "stop", "END|\\n\\n");
		settings = ChatSettings.set(settings, PROFILE, "presence_penalty", "-1.5");
		settings = ChatSettings.set(settings, PROFILE, "frequency_penalty", "2");
		assertThat(settings).isEqualTo(ModelSettings.of(Map.of("model", "ai/tiny", "temperature", 0.9, "top_p", 0.5,
				"max_tokens", 64, "stop", List.of("END", "\n\n"), "seed", 42L, "presence_penalty", -1.5,
				"frequency_penalty", 2.0)));
		assertThat(ChatSettings.shown(settings)).containsEntry("stop", "END | \\n\\n").containsEntry("max_tokens", "64");
	}

	/** Every field set, the advanced ones included, so that a field a change drops shows. */
	private static final ModelSettings FULL = new ModelSettings("ai/tiny", 0.2, 0.9, 512, List.of("END"), 7L, 0.1, 0.3,
			true, true, 2, 1, Map.of("vendor_flag", 1, "metadata", Map.of("team", "docs")));

	/** Each parameter /set takes, and a value it may be set to. */
	private static final Map<String, String> VALUES = Map.of("temperature", "0.7", "top_p", "0.5", "max_tokens", "64",
			"seed", "42", "stop", "a|b", "presence_penalty", "-1", "frequency_penalty", "1.5");

	@Test
	void setChangesItsParameterAndKeepsEveryOtherField() {
		assertThat(VALUES.keySet()).containsExactlyInAnyOrderElementsOf(ChatSettings.PARAMETERS);
		// every field of the settings, so that one added later is checked here too
		assertThat(ModelSettings.FIELDS).hasSize(ModelSettings.class.getRecordComponents().length);
		for (String parameter : ChatSettings.PARAMETERS) {
			ModelSettings set = ChatSettings.set(FULL, FULL, parameter, VALUES.get(parameter));
			assertThat(set.value(parameter)).as(parameter).isNotEqualTo(FULL.value(parameter));
			for (String field : ModelSettings.FIELDS) {
				if (!field.equals(parameter)) {
					assertThat(set.value(field)).as("/set " + parameter + " keeps " + field)
						.isEqualTo(FULL.value(field));
				}
			}
			ModelSettings back = ChatSettings.set(set, FULL, parameter, "default");
			assertThat(back).as("/set " + parameter + " default").isEqualTo(FULL);
		}
	}

	@Test
	void defaultGoesBackToTheProfilesValue() {
		ModelSettings changed = ChatSettings.set(PROFILE, PROFILE, "temperature", "1.5");
		assertThat(ChatSettings.set(changed, PROFILE, "temperature", "default").temperature()).isEqualTo(0.2);
		assertThat(ChatSettings.set(ChatSettings.set(PROFILE, PROFILE, "stop", "x"), PROFILE, "stop", "none").stop())
			.isNull();
	}

	@Test
	void aValueOutOfRangeOrAnUnknownParameterIsOneSentenceNamingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> ChatSettings.set(PROFILE, PROFILE, "temperature", "3"))
			.withMessage("temperature must be from 0 to 2, not 3");
		assertThatIllegalArgumentException().isThrownBy(() -> ChatSettings.set(PROFILE, PROFILE, "top_p", "much"))
			.withMessage("top_p must be a number from 0 to 1, not 'much'");
		assertThatIllegalArgumentException().isThrownBy(() -> ChatSettings.set(PROFILE, PROFILE, "max_tokens", "0"))
			.withMessage("max_tokens must be at least 1, not 0");
		assertThatIllegalArgumentException().isThrownBy(() -> ChatSettings.set(PROFILE, PROFILE, "warmth", "1"))
			.withMessageStartingWith("unknown parameter 'warmth': the parameters are temperature, top_p");
	}

}
