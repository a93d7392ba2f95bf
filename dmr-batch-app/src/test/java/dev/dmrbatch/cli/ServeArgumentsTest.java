package dev.dmrbatch.cli;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code serve}: the one command with a web server, on the port and address given; every other runs without one. */
class ServeArgumentsTest {

	@Test
	void serveAloneListensOnLoopbackPort8080() {
		String[] args = { "serve", "--dmr.home=/w" };
		assertThat(CommandLine.serve(Arguments.parse(List.of("serve")), args)).containsExactly("serve", "--dmr.home=/w",
				"--spring.main.web-application-type=servlet", "--spring.main.lazy-initialization=false",
				"--spring.autoconfigure.exclude=", "--server.port=8080", "--server.address=127.0.0.1");
	}

	@Test
	void theWorkingFolderIsTheCurrentOneAsAnAbsolutePath() {
		String here = java.nio.file.Path.of("").toAbsolutePath().toString();
		String[] none = { "serve" };
		assertThat(CommandLine.serve(Arguments.parse(List.of(none)), none)).contains("--dmr.home=" + here);
		String[] relative = { "serve", "--dmr.home=w" };
		assertThat(CommandLine.serve(Arguments.parse(List.of("serve")), relative))
			.contains("--dmr.home=" + java.nio.file.Path.of(here, "w"))
			.doesNotContain("--dmr.home=w", "--dmr.home=" + here);
	}

	@Test
	void portAndAddressAreTheServers() {
		String[] args = { "job=serve", "port=0", "address=0.0.0.0" };
		assertThat(CommandLine.serve(Arguments.parse(List.of(args)), args)).contains("--server.port=0",
				"--server.address=0.0.0.0", "--spring.main.web-application-type=servlet");
	}

	@Test
	void noOtherCommandStartsAWebServer() {
		String[] args = { "job=summarize", "--dmr.home=w" };
		assertThat(CommandLine.serve(Arguments.parse(List.of("job=summarize")), args)).containsExactly(args);
		String[] runs = { "runs" };
		assertThat(CommandLine.serve(Arguments.parse(List.of(runs)), runs)).containsExactly(runs);
	}

	@Test
	void aWrongPortOrAddressIsOneSentence() {
		assertThatThrownBy(() -> CommandLine.serve(Arguments.parse(List.of("serve", "port=http")), new String[0]))
			.isInstanceOf(ArgumentException.class)
			.hasMessage("port=http is not a port number (0 to 65535)");
		assertThatThrownBy(() -> CommandLine.serve(Arguments.parse(List.of("serve", "port=70000")), new String[0]))
			.hasMessage("port=70000 is not a port number (0 to 65535)");
		assertThatThrownBy(() -> CommandLine.serve(Arguments.parse(List.of("serve", "address=a b")), new String[0]))
			.hasMessage("address=a b is not a host name or IP address");
	}

	@Test
	void anotherCommandRefusesPortAddressAndToken() {
		Arguments runs = Arguments.parse(List.of("job=runs", "port=9000"));
		assertThatThrownBy(() -> JobCommand.refuseUnused(runs, java.util.Set.of("of"), "job=runs"))
			.hasMessage("job=runs does not take port=; its arguments are job=<name>, profile=");
	}

}
