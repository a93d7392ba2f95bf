package dev.dmrbatch.config;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HomeConfigLocationTest {

	@Test
	void theHomesConfigFolderUnlessItIsTheWorkingFolders() {
		Path work = Path.of("/srv/work");
		assertThat(HomeConfigLocation.location("/data/dmr", work)).isEqualTo("optional:file:/data/dmr/config/");
		assertThat(HomeConfigLocation.location("../dmr", work)).isEqualTo("optional:file:/srv/dmr/config/");
		assertThat(HomeConfigLocation.location(".", work)).isNull();
		assertThat(HomeConfigLocation.location("/srv/work/", work)).isNull();
		assertThat(HomeConfigLocation.location(null, work)).isNull();
		assertThat(HomeConfigLocation.location("", work)).isNull();
	}

}
