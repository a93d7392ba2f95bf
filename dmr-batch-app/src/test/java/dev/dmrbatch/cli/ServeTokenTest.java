package dev.dmrbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code job=serve}'s token: {@code token=}, then {@code token-file=}, then {@code DMR_SERVE_TOKEN}, else generated;
 * {@code off} on loopback only; one that cannot be trusted refused in one sentence that never holds it, before
 * anything starts.
 */
class ServeTokenTest {

	@TempDir
	Path dir;

	@Test
	void noneGivenIsOneGeneratedOnLoopbackToo() {
		assertThat(ServeToken.of(null, null, null, "127.0.0.1")).matches("[0-9a-f]{40}");
		assertThat(ServeToken.of(null, null, "", "127.0.0.1")).matches("[0-9a-f]{40}");
		assertThat(ServeToken.of(null, null, null, "127.0.0.1")).isNotEqualTo(ServeToken.of(null, null, null, "127.0.0.1"));
	}

	@Test
	void theCommandLineThenTheFileThenTheEnvironment() throws Exception {
		assertThat(ServeToken.of(null, null, "from-environment-0123", "127.0.0.1")).isEqualTo("from-environment-0123");
		assertThat(ServeToken.of("from-the-command-line", null, "from-environment-0123", "127.0.0.1"))
			.isEqualTo("from-the-command-line");
		Path file = ownerOnly("token", "from+the/file=0123456789&#%\nsecond line\n");
		assertThat(ServeToken.of(null, file.toString(), "from-environment-0123", "127.0.0.1"))
			.isEqualTo("from+the/file=0123456789&#%");
	}

	@Test
	void offOnLoopbackOnly() {
		assertThat(ServeToken.of("off", null, "from-environment-0123", "127.0.0.1")).isNull();
		assertThat(ServeToken.of("off", null, null, "localhost")).isNull();
		refused(() -> ServeToken.of("off", null, null, "0.0.0.0"), "token=off is only for a loopback address: "
				+ "address=0.0.0.0 is reachable from other machines, so the app needs its token", "\u0000");
	}

	@Test
	void aTokenThatCannotBeTrustedIsOneSentenceWithoutIt() throws Exception {
		String shortOne = " is shorter than 16 characters: give a longer one, or none and the app makes one";
		refused(() -> ServeToken.of("short-secret", null, null, "127.0.0.1"), "token=" + shortOne, "short-secret");
		refused(() -> ServeToken.of(null, null, "env-secret", "127.0.0.1"), "DMR_SERVE_TOKEN" + shortOne, "env-secret");
		for (String bad : List.of("a secret with spaces", "a-secret;0123456789", "a-secret,0123456789",
				"a-secret\"0123456789", "a-secret\\0123456789", "a-secret-0123456789\u00e9", "a-secret\t0123456789")) {
			refused(() -> ServeToken.of(bad, null, null, "127.0.0.1"), "token= may hold only printable ASCII characters "
					+ "other than space, quote, comma, semicolon and backslash (it goes in a cookie)", "a-secret");
		}
		Path open = this.dir.resolve("open");
		Files.writeString(open, "an-open-secret-0123456789\n");
		Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
		refused(() -> ServeToken.of(null, open.toString(), null, "127.0.0.1"), "token-file=" + open
				+ " is open to other users (rw-r--r--): make it its owner's only, chmod 600 " + open, "an-open-secret");
		Path group = this.dir.resolve("group");
		Files.writeString(group, "a-group-secret-0123456789\n");
		Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rw--w----"));
		refused(() -> ServeToken.of(null, group.toString(), null, "127.0.0.1"), "token-file=" + group
				+ " is open to other users (rw--w----): make it its owner's only, chmod 600 " + group, "a-group-secret");
		Path tiny = ownerOnly("tiny", "tiny-secret\n");
		refused(() -> ServeToken.of(null, tiny.toString(), null, "127.0.0.1"), "the token in token-file=" + tiny
				+ shortOne, "tiny-secret");
		Path none = this.dir.resolve("none");
		refused(() -> ServeToken.of(null, none.toString(), null, "127.0.0.1"), "token-file=" + none + " does not exist",
				"\u0000");
		refused(() -> ServeToken.of(null, this.dir.toString(), null, "127.0.0.1"), "token-file=" + this.dir
				+ " is not a file", "\u0000");
		refused(() -> ServeToken.of("given-secret-0123456789", tiny.toString(), null, "127.0.0.1"),
				"give token= or token-file=, not both", "given-secret");
	}

	@Test
	void serveChecksItBeforeAnythingStarts() {
		assertThatThrownBy(() -> CommandLine.serve(Arguments.parse(List.of("serve", "token=short-secret")),
				new String[0]))
			.isInstanceOf(ArgumentException.class)
			.hasMessageStartingWith("token= is shorter than 16 characters");
		assertThatThrownBy(() -> CommandLine.serve(Arguments.parse(List.of("serve", "token=off", "address=0.0.0.0")),
				new String[0]))
			.hasMessageStartingWith("token=off is only for a loopback address");
		assertThat(CommandLine.serve(Arguments.parse(List.of("serve", "token=off")), new String[] { "serve", "token=off" }))
			.contains("token=off");
	}

	private Path ownerOnly(String name, String content) throws Exception {
		Path file = this.dir.resolve(name);
		Files.writeString(file, content);
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		return file;
	}

	private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String sentence,
			String secret) {
		assertThatThrownBy(call).isInstanceOf(ArgumentException.class).hasMessage(sentence).message()
			.doesNotContain(secret);
	}

}
