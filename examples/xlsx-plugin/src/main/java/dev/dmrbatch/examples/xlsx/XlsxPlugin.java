package dev.dmrbatch.examples.xlsx;

import java.util.List;

import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Export;
import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.Plugin;
import dev.dmrbatch.plugin.api.StepType;

/**
 * The example plugin: spreadsheets in ({@code input.format: xlsx}) and out ({@code export: [xlsx]}), a step type that
 * tidies text ({@code type: tidy}) and a check type that counts words ({@code type: word-count}). Named in
 * {@code META-INF/services/dev.dmrbatch.plugin.api.Plugin}.
 */
public class XlsxPlugin implements Plugin {

	@Override
	public String name() {
		return "xlsx-example";
	}

	@Override
	public String version() {
		// the jar's manifest (Implementation-Version), written by the build
		String version = XlsxPlugin.class.getPackage().getImplementationVersion();
		return (version != null) ? version : "dev";
	}

	@Override
	public List<InputFormat> inputFormats() {
		return List.of(new XlsxInput());
	}

	@Override
	public List<Export> exports() {
		return List.of(new XlsxExport());
	}

	@Override
	public List<StepType> stepTypes() {
		return List.of(new TidyStep());
	}

	@Override
	public List<CheckType> checkTypes() {
		return List.of(new WordCountCheck());
	}

}
