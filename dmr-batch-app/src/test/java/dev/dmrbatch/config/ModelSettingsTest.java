package dev.dmrbatch.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Settings made and changed by field name: the one list of a request's settings. */
class ModelSettingsTest {

	private static final ModelSettings FULL = new ModelSettings("ai/tiny", 0.2, 0.9, 512, List.of("END"), 7L, 0.1, 0.3,
			true, true, 2, 1, Map.of("vendor_flag", 1));

	@Test
	void settingsMadeByNameHoldEveryFieldGiven() {
		Map<String, Object> fields = new LinkedHashMap<>();
		ModelSettings.FIELDS.forEach((field) -> fields.put(field, FULL.value(field)));
		assertThat(ModelSettings.of(fields)).isEqualTo(FULL);
		assertThat(ModelSettings.of(Map.of())).isEqualTo(ModelSettings.NONE);
		assertThat(ModelSettings.of(Map.of("max_tokens", 9)).maxTokens()).isEqualTo(9);
	}

	@Test
	void withChangesOneFieldAndKeepsTheOthers() {
		for (String field : ModelSettings.FIELDS) {
			ModelSettings cleared = FULL.with(field, null);
			assertThat(cleared.value(field)).as(field).isNull();
			ModelSettings.FIELDS.stream()
				.filter((other) -> !other.equals(field))
				.forEach((other) -> assertThat(cleared.value(other)).as(field + " keeps " + other)
					.isEqualTo(FULL.value(other)));
		}
	}

	@Test
	void aNameThatIsNoFieldIsRefusedNamingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> ModelSettings.of(Map.of("warmth", 1.0)))
			.withMessage("not a request setting: warmth");
		assertThatIllegalArgumentException().isThrownBy(() -> FULL.with("warmth", 1.0))
			.withMessage("not a request setting: warmth");
	}

}
