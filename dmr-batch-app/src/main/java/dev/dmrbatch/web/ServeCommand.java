package dev.dmrbatch.web;

import java.util.Set;
import java.util.concurrent.CountDownLatch;

import dev.dmrbatch.cli.Arguments;
import dev.dmrbatch.cli.Command;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code serve}: the web app on the working folder's store, until Ctrl-C. The command line starts the web server
 * for this command only; by the time it runs, the server listens, and it prints the address to open.
 */
@Component
@Order(60)
class ServeCommand implements Command, ApplicationListener<ContextClosedEvent> {

	private final ApplicationContext context;

	private final ObjectProvider<WebAccess> access;

	private final CountDownLatch closed = new CountDownLatch(1);

	ServeCommand(ApplicationContext context, ObjectProvider<WebAccess> access) {
		this.context = context;
		this.access = access;
	}

	@Override
	public String name() {
		return "serve";
	}

	@Override
	public String usage() {
		return "job=serve [port=<8080>] [address=<127.0.0.1>] [token=<secret>|off] [token-file=<path>]\n"
				+ "  (the web app: runs watched live, conversations, compare, chat, jobs started; Ctrl-C ends it;\n"
				+ "  the address it prints holds its token, also taken from DMR_SERVE_TOKEN)";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("port", "address", "token", "token-file");
	}

	@Override
	public int run(Arguments arguments) throws InterruptedException {
		WebAccess access = this.access.getIfAvailable();
		if (!(this.context instanceof WebServerApplicationContext web) || access == null) {
			throw new IllegalStateException("job=serve started without its web server");
		}
		int port = web.getWebServer().getPort();
		// stdout: scripts and tests read the address from it
		System.out.println("dmr-batch web app: " + access.url(port));
		System.out.flush();
		this.closed.await();
		return 0;
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		this.closed.countDown();
	}

}
