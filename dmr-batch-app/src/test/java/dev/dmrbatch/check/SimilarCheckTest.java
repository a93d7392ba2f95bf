package dev.dmrbatch.check;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code type: similar}: the cosine similarity of the answer's and the rendered reference's embeddings is at least
 * {@code min}; its rules. Its embeddings come from the runner (see {@code SimilarCheckIT}).
 */
class SimilarCheckTest {

	@TempDir
	Path dir;

	@Test
	void cosineIsTheAngleBetweenTwoVectorsWhateverTheirLengths() {
		assertThat(SimilarCheck.cosine(new float[] { 1, 2, 3 }, new float[] { 2, 4, 6 })).isCloseTo(1.0, within(1e-9));
		assertThat(SimilarCheck.cosine(new float[] { 1, 0 }, new float[] { 0, 5 })).isCloseTo(0.0, within(1e-9));
		assertThat(SimilarCheck.cosine(new float[] { 1, 0 }, new float[] { -1, 0 })).isCloseTo(-1.0, within(1e-9));
		assertThat(SimilarCheck.cosine(new float[] { 1, 1 }, new float[] { 1, 0 })).isCloseTo(Math.sqrt(0.5),
				within(1e-6));
		// a zero vector has no direction: it is like nothing
		assertThat(SimilarCheck.cosine(new float[] { 0, 0 }, new float[] { 1, 0 })).isZero();
	}

	@Test
	void vectorsOfDifferentWidthsCannotBeCompared() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> SimilarCheck.cosine(new float[] { 1, 2 }, new float[] { 1, 2, 3 }))
			.withMessage("the embeddings have 2 and 3 dimensions");
	}

	@Test
	void theReasonNamesTheSimilarityAndTheLeastItPassesAt() {
		assertThat(SimilarCheck.reason(0.7349, 0.8)).isEqualTo("similarity 0.73, below 0.8");
		assertThat(SimilarCheck.reason(0.91, 0.8)).isEqualTo("similarity 0.91, at least 0.8");
		assertThat(SimilarCheck.reason(0.799, 0.8)).isEqualTo("similarity 0.799, below 0.8");
		// nothing less than 1 is shown as 1
		assertThat(SimilarCheck.reason(0.99996, 0.99)).isEqualTo("similarity 0.99996, at least 0.99");
		assertThat(SimilarCheck.reason(1.0, 0.99)).isEqualTo("similarity 1, at least 0.99");
	}

	@Test
	void aSimilarCheckNeedsAValueAMinFromZeroToOneAndAModel() {
		assertThat(LatencyCheckTest.problems(this.dir,
				"{ name: c, type: similar, value: '${text}', min: 0.8, model: { name: ai/tiny-embed } }")).isEmpty();
		assertThat(LatencyCheckTest.problems(this.dir,
				"{ name: c, type: similar, value: '${text}', min: 1, model: { name: ai/tiny-embed } }")).isEmpty();
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: similar, min: 0.8, model: { name: e } }"))
			.containsExactly("step s, check c: a similar check needs a 'value', the reference its answer is "
					+ "compared with");
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: similar, value: x, model: { name: e } }"))
			.containsExactly("step s, check c: a similar check needs 'min', the least cosine similarity from 0 to 1 "
					+ "it passes at, such as 0.8");
		assertThat(LatencyCheckTest.problems(this.dir,
				"{ name: c, type: similar, value: x, min: 1.5, model: { name: e } }"))
			.containsExactly("step s, check c: min must be a similarity from 0 to 1, such as 0.8");
		assertThat(LatencyCheckTest.problems(this.dir,
				"{ name: c, type: similar, value: x, min: -0.1, model: { name: e } }"))
			.containsExactly("step s, check c: min must be a similarity from 0 to 1, such as 0.8");
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: similar, value: x, min: 0.8 }"))
			.containsExactly("step s, check c: a similar check needs 'model' with the embedding model's name, such as "
					+ "{ name: ai/tiny-embed }");
		assertThat(LatencyCheckTest.problems(this.dir,
				"{ name: c, type: similar, value: x, min: 0.8, model: { name: e }, pattern: p }"))
			.containsExactly("step s, check c: 'pattern' does not apply to a similar check (it takes value, min, "
					+ "model)");
	}

	@Test
	void aLengthCheckStillCountsInWholeCharacters() {
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: length, min: 1.5 }"))
			.containsExactly("step s, check c: min and max must be whole numbers");
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: length, min: 1, max: 3 }")).isEmpty();
	}

}
