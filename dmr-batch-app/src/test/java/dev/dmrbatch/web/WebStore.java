package dev.dmrbatch.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dmrbatch.support.LocalPostgres;
import dev.dmrbatch.support.Workspace;

/**
 * The store the web app and the batch processes it watches share: the working folder's H2 file, which the processes
 * open through its store server, or PostgreSQL.
 */
enum WebStore {

	H2, POSTGRES;

	/** Prepares the workspace for this store; the arguments every process of the test gives. */
	String[] prepare(Workspace workspace) throws Exception {
		return switch (this) {
			case H2 -> new String[0];
			case POSTGRES -> {
				String database = LocalPostgres.freshDatabase();
				workspace.file("config/application-postgres.yaml",
						Files.readString(Path.of("config/application-postgres.yaml")));
				yield new String[] { "profile=postgres", "--spring.datasource.url=" + database };
			}
		};
	}

	static String[] with(String[] store, String... args) {
		List<String> all = new ArrayList<>(Arrays.asList(args));
		all.addAll(Arrays.asList(store));
		return all.toArray(String[]::new);
	}

}
