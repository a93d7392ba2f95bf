package dev.dmrbatch.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dmrbatch.support.LocalPostgres;
import dev.dmrbatch.support.Workspace;

/**
 * The store the web app and the batch processes it watches share. A run going on in another process can be watched
 * only on a store several processes open at once: PostgreSQL (the H2 file is held by one process at a time).
 */
enum WebStore {

	POSTGRES;

	/** Prepares the workspace for this store; the arguments every process of the test gives. */
	String[] prepare(Workspace workspace) throws Exception {
		return switch (this) {
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
