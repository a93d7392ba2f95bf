package dev.dmrbatch.prompt;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.text.Causes;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.template.TemplateNotFoundException;
import freemarker.core.ParseException;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.SimpleObjectWrapper;
import freemarker.template.Template;
import freemarker.template.TemplateExceptionHandler;

import org.springframework.stereotype.Component;

/**
 * Compiles a job's prompts with FreeMarker, configured so that templates can only format the data they are given:
 * templates load from {@code templates/} only; {@code ?new}, {@code ?api} and class access are off; the object
 * wrapper exposes maps, lists, strings, numbers and booleans and nothing else; and {@code ?eval}/{@code ?interpret},
 * which would run a string as a template, are refused, so item data is only ever a value.
 */
@Component
public class PromptTemplates {

	private static final Pattern EVALUATING_BUILTIN = Pattern.compile("\\?\\s*(interpret|eval)\\b");

	/** An include or import with a literal name, which can be found before the first item. */
	private static final Pattern INCLUDE = Pattern.compile("<#(include|import)\\s+\"([^\"]+)\"");

	private final Path folder;

	private final Configuration configuration;

	public PromptTemplates(DmrProperties properties) {
		this.folder = properties.resolve("templates");
		this.configuration = configuration(this.folder);
	}

	static Configuration configuration(Path folder) {
		if (!Files.isDirectory(folder)) {
			return configuration((TemplateLoader) null);
		}
		try {
			return configuration(new CheckedTemplateLoader(new FileTemplateLoader(folder.toFile())));
		}
		catch (IOException ex) {
			throw new PromptException("templates folder " + folder + " cannot be read: " + ex.getMessage());
		}
	}

	/** FreeMarker, locked down as for prompts, loading from the given loader (none: nothing can be loaded). */
	public static Configuration configuration(TemplateLoader loader) {
		Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
		if (loader != null) {
			configuration.setTemplateLoader(loader);
		}
		configuration.setObjectWrapper(new SimpleObjectWrapper(Configuration.VERSION_2_3_34));
		configuration.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
		configuration.setAPIBuiltinEnabled(false);
		configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
		configuration.setLogTemplateExceptions(false);
		configuration.setWrapUncheckedExceptions(true);
		configuration.setFallbackOnNullLoopVariable(false);
		configuration.setDefaultEncoding("UTF-8");
		configuration.setLocalizedLookup(false);
		configuration.setNumberFormat("computer");
		configuration.setBooleanFormat("c");
		return configuration;
	}

	/**
	 * Compiles the system prompt and every step of a job.
	 * @throws PromptException for a missing template or a syntax error, naming the file and line
	 */
	public Prompts compile(JobDefinition job) {
		return compile(job, Map.of());
	}

	/**
	 * As {@link #compile(JobDefinition)}, each step's template file taken from {@code kept} where it holds its source
	 * (by the name {@link Prompts#sources()} gives it): a resumed run's prompts as the run started, whatever became of
	 * the files since.
	 */
	public Prompts compile(JobDefinition job, Map<String, String> kept) {
		String jobFile = (job.source() != null) ? job.source().getFileName().toString() : job.name();
		Template system = (job.system() != null) ? inline(jobFile + " system", job.system()) : null;
		// the sources as compiled, kept with the run: what its prompts were, whatever becomes of the files
		Map<String, String> sources = new LinkedHashMap<>();
		if (job.system() != null) {
			sources.put("system", job.system());
		}
		List<Template> steps = new ArrayList<>();
		List<Template> conditions = new ArrayList<>();
		for (JobDefinition.Step step : job.steps()) {
			if (step.template() != null) {
				String key = "steps." + step.name() + " (" + step.template() + ")";
				steps.add(kept.containsKey(key) ? kept(step.template(), kept.get(key), sources, key)
						: file(step.template(), sources, key));
			}
			else if (step.prompt() == null) {
				steps.add(null); // a plugin's step: no prompt
			}
			else {
				steps.add(inline(jobFile + " steps." + step.name(), step.prompt()));
				sources.put("steps." + step.name(), step.prompt());
			}
			// the job author's condition, never item data: it becomes the test of an #if
			conditions.add((step.when() != null) ? inline(jobFile + " steps." + step.name() + ".when",
					"<#if " + step.when().strip() + ">true<#else>false</#if>") : null);
			if (step.when() != null) {
				sources.put("steps." + step.name() + ".when", step.when());
			}
		}
		return new Prompts(system, steps, conditions, sources);
	}

	/**
	 * Compiles one template written in a job file beside the prompts, such as a check's expected value.
	 * @param name how messages name it, such as {@code classify.yaml steps.label.checks.label.value}
	 * @throws PromptException for a syntax error, naming it and the line
	 */
	public TextTemplate text(String name, String source) {
		return new TextTemplate(inline(name, source));
	}

	/**
	 * Compiles a template of {@code templates/} by its file name, as a step's {@code template:} is: through the one
	 * locked-down configuration, its includes checked, {@code ?eval} and {@code ?interpret} refused.
	 * @throws PromptException for a missing template, a syntax error or a forbidden built-in, naming it and the line
	 */
	public TextTemplate template(String name) {
		return new TextTemplate(file(name, new LinkedHashMap<>(), name));
	}

	private Template inline(String name, String source) {
		try {
			Template template = checked(new Template(name, new StringReader(source), this.configuration), source);
			checkIncludes(name, source, new HashSet<>());
			return template;
		}
		catch (ParseException ex) {
			throw syntaxError(ex, name);
		}
		catch (IOException ex) {
			throw new PromptException("prompt " + name + " cannot be read: " + ex.getMessage());
		}
	}

	/** A template file's source as a run kept it, compiled under the file's name. */
	private Template kept(String name, String source, Map<String, String> sources, String key) {
		try {
			Template template = checked(new Template(name, new StringReader(source), this.configuration), source);
			sources.put(key, source);
			checkIncludes(name, source, new HashSet<>(Set.of(name)));
			return template;
		}
		catch (ParseException ex) {
			throw syntaxError(ex, name);
		}
		catch (IOException ex) {
			throw new PromptException("template " + name + " cannot be read: " + ex.getMessage());
		}
	}

	private Template file(String name, Map<String, String> sources, String key) {
		try {
			Template template = this.configuration.getTemplate(name);
			String source = Files.readString(this.folder.resolve(name));
			checked(template, source);
			sources.put(key, source);
			checkIncludes(name, source, new HashSet<>(Set.of(name)));
			return template;
		}
		catch (TemplateNotFoundException ex) {
			throw new PromptException("template " + name + " not found in " + this.folder
					+ " (templates load from that folder only)");
		}
		catch (SecurityException ex) {
			throw linkedOut("template " + name + " is");
		}
		catch (ParseException ex) {
			throw syntaxError(ex, name);
		}
		catch (IOException ex) {
			if (isLinkedOut(ex)) {
				throw linkedOut("template " + name + " is");
			}
			throw refusedBefore(ex).orElseGet(() -> new PromptException("template " + name + " cannot be read: "
					+ ex.getMessage()));
		}
	}

	private static Template checked(Template template, String source) {
		check(template.getSourceName(), source);
		return template;
	}

	static void check(String name, String source) {
		Matcher evaluating = EVALUATING_BUILTIN.matcher(source);
		if (evaluating.find()) {
			int line = (int) source.substring(0, evaluating.start()).chars().filter((c) -> c == '\n').count() + 1;
			throw new PromptException("template " + name + " line " + line + ": ?" + evaluating.group(1)
					+ " is not allowed (it would run data as a template)");
		}
	}

	/**
	 * Loads what a template includes or imports by a literal name, and what those include in turn, so that a missing
	 * one, a syntax error or a forbidden built-in in one is found before the first item, not in every item.
	 */
	private void checkIncludes(String name, String source, Set<String> seen) {
		Matcher include = INCLUDE.matcher(source);
		while (include.find()) {
			String target = resolve(name, include.group(2));
			if (target == null || !seen.add(target)) {
				continue;
			}
			String where = "template " + name + " line " + lineOf(source, include.start()) + ": <#" + include.group(1)
					+ " \"" + include.group(2) + "\">";
			try {
				this.configuration.getTemplate(target);
				checkIncludes(target, Files.readString(this.folder.resolve(target)), seen);
			}
			catch (TemplateNotFoundException ex) {
				throw new PromptException(where + " names a template that is not in " + this.folder);
			}
			catch (SecurityException ex) {
				throw linkedOut(where + " names");
			}
			catch (ParseException ex) {
				throw syntaxError(ex, target);
			}
			catch (IOException ex) {
				if (isLinkedOut(ex)) {
					throw linkedOut(where + " names");
				}
				throw refusedBefore(ex).orElseGet(() -> new PromptException(where + " cannot be read: "
						+ ex.getMessage()));
			}
		}
	}

	/**
	 * FreeMarker's own rule, the working folder's: a template is read only when it is inside the templates folder
	 * with its links followed. It refuses one with a SecurityException, and says so again, as the cause of an
	 * IOException, when the same name is asked for later.
	 */
	private static boolean isLinkedOut(Throwable ex) {
		return Causes.has(ex, SecurityException.class);
	}

	private PromptException linkedOut(String what) {
		return new PromptException(what + " a link to a file outside " + this.folder + " (not read)");
	}

	/**
	 * The refusal of a template that FreeMarker's cache failed to load before (a chat's {@code /template} asks again):
	 * it gives the earlier error wrapped, and the refusal among its causes is what to say.
	 */
	private static java.util.Optional<PromptException> refusedBefore(IOException ex) {
		return Causes.find(ex.getCause(), PromptException.class);
	}

	/** A name as FreeMarker resolves it: from the including template's folder, or from the root with a leading /. */
	private static String resolve(String including, String name) {
		if (name.contains("://") || name.contains("*")) {
			return null;
		}
		String base = (including.contains("/") && !name.startsWith("/"))
				? including.substring(0, including.lastIndexOf('/') + 1) : "";
		String full = base + (name.startsWith("/") ? name.substring(1) : name);
		return Path.of(full).normalize().toString().replace('\\', '/');
	}

	private static int lineOf(String source, int index) {
		return (int) source.substring(0, index).chars().filter((c) -> c == '\n').count() + 1;
	}

	/**
	 * Checks every template FreeMarker loads, those a prompt {@code <#include>}s or {@code <#import>}s included, for
	 * {@code ?eval} and {@code ?interpret}.
	 */
	private record CheckedTemplateLoader(FileTemplateLoader files) implements TemplateLoader {

		@Override
		public Object findTemplateSource(String name) throws IOException {
			return this.files.findTemplateSource(name);
		}

		@Override
		public long getLastModified(Object source) {
			return this.files.getLastModified(source);
		}

		@Override
		public Reader getReader(Object source, String encoding) throws IOException {
			String text;
			try (Reader reader = this.files.getReader(source, encoding)) {
				StringWriter out = new StringWriter();
				reader.transferTo(out);
				text = out.toString();
			}
			check(source.toString(), text);
			return new StringReader(text);
		}

		@Override
		public void closeTemplateSource(Object source) throws IOException {
			this.files.closeTemplateSource(source);
		}

	}

	private static PromptException syntaxError(ParseException ex, String name) {
		String detail = ex.getEditorMessage();
		detail = (detail != null) ? detail.replaceAll("\\s+", " ").strip() : "syntax error";
		return new PromptException("template " + name + " line " + ex.getLineNumber() + ": syntax error: " + detail);
	}

}
