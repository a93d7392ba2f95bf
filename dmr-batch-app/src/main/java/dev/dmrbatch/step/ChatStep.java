package dev.dmrbatch.step;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.cache.CachedCalls;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.ImageFiles;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatImage;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.StepAnswer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: chat}, a step's type when it gives none: a turn of the item's conversation. Its rendered prompt joins
 * the conversation so far, which is sent; the reply joins it too, so the next chat step sees this exchange. A step that
 * asks for JSON has its answer parsed and validated, and asked for again when it does not hold. With the response
 * cache on, the call is first looked up, and an answer that holds is stored as it arrives.
 */
@Component
@Order(1)
class ChatStep implements StepKind {

	static final String NAME = "chat";

	private static final Logger log = LoggerFactory.getLogger(ChatStep.class);

	private static final JsonMapper JSON = JsonMapper.shared();

	/** The field of {@code images:} that sends a PDF's page without a text layer, rendered. */
	private static final String PDF_PAGE = "page";

	/** The field of a PDF read a document at a time that lists its pages without a text layer ({@code 2, 5}). */
	private static final String PDF_TEXTLESS = "textless_pages";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public List<String> keys() {
		return StepKinds.keysBut("options");
	}

	@Override
	public void validate(JobDefinition.Step step, String at, List<String> problems) {
		StepRules.prompted(step, at, problems);
		if (step.images() != null && step.images().stream().anyMatch((field) -> field == null || field.isBlank())) {
			problems.add(at + ".images lists the fields that name image files: a field name is empty");
		}
		if (step.maxImageSide() != null && step.maxImageSide() < 1) {
			problems.add(at + ".max-image-side must be 1 or more (pixels)");
		}
	}

	@Override
	public ChatService.Preview preview(int index, JobDefinition.Step step, Exchange exchange) {
		try {
			String prompt = exchange.prompt(index, step);
			if (exchange.unanswered()) {
				throw new StepAnswer.NotYetAnswered(); // the conversation it carries on holds an answer not there yet
			}
			List<ChatMessage> messages = new java.util.ArrayList<>(exchange.messages());
			List<ImageFiles.Prepared> images;
			try {
				images = images(step, exchange.item(),
						messages.stream().noneMatch((message) -> message.role().equals("user")),
						step.maxImageSideOr(exchange.sending().maxImageSide()));
			}
			catch (ImageFiles.ImageException ex) {
				throw new PromptException(ex.getMessage()); // what the run would fail the item for
			}
			// the images as the run sends them, so the body and its tokens are those of the request
			messages.add(ChatMessage.user(prompt, images.stream()
				.map((image) -> new ChatImage(image.mediaType(), image.sent()))
				.toList()));
			return exchange.sending().chat().previewChat(exchange.settings(index), messages,
					exchange.sending().formats().get(index));
		}
		finally {
			// rendered or not, its answer joins the conversation: the chat steps that carry it on cannot be rendered
			exchange.unanswered(true);
		}
	}

	@Override
	public String run(int index, JobDefinition.Step step, Exchange exchange) {
		String prompt = exchange.prompt(index, step);
		Sending sending = exchange.sending();
		InputItem item = exchange.item();
		String model = exchange.settings().name();
		List<ChatMessage> messages = exchange.messages();
		List<ImageFiles.Prepared> images;
		try {
			images = images(step, item, messages.stream().noneMatch((message) -> message.role().equals("user")),
					step.maxImageSideOr(sending.maxImageSide()));
		}
		catch (ImageFiles.ImageException ex) {
			return ex.getMessage();
		}
		messages.add(ChatMessage.user(prompt, images.stream()
			.map((image) -> new ChatImage(image.mediaType(), image.sent()))
			.toList()));
		// the stored turn keeps what identifies each image, never its bytes
		exchange.turns().add(new Conversation.Turn("user", step.name(), prompt, null, images.isEmpty() ? null
				: JSON.writeValueAsString(images.stream().map(ImageFiles.Prepared::reference).toList())));
		ModelSettings settings = exchange.settings(index);
		StructuredOutput format = sending.formats().get(index);
		int tries = (format != null) ? 1 + step.jsonRetriesOrDefault() : 1;
		for (int attempt = 1;; attempt++) {
			// not for a second answer to the same request (the stored one broke the schema), nor where the answer's
			// log probabilities are asked for (the cache keeps the answer, not them)
			CachedCalls.Lookup cached = (sending.cache() != null && !settings.wantsLogprobs())
					? sending.cache().lookup(sending.chat(), settings, messages, format, item.seq(), model, index,
							exchange.repetition())
					: null;
			if (cached != null && attempt > 1) {
				cached = cached.askedAgain();
			}
			ModelReply reply;
			if (exchange.given() != null) {
				reply = exchange.given(); // another choice of the request an earlier repetition sent (n)
			}
			else if (cached != null && cached.found()) {
				reply = cached.reply();
			}
			else {
				reply = sending.chat().complete(settings, messages, format, sending.retry(), sending.gate());
				exchange.answered(reply);
			}
			JsonNode json = null;
			String invalid = null;
			if (format != null) {
				try {
					json = format.check(reply.content());
				}
				catch (StructuredOutput.InvalidAnswerException ex) {
					invalid = ex.getMessage();
				}
			}
			exchange.calls().add(reply.call(index, step.name())
				.error(invalid)
				.requestModel(exchange.servedBy(reply))
				.reusedFrom((cached != null) ? cached.reusedFrom() : null)
				.logprobs(reply.logprobs())
				.build());
			if (cached != null && invalid == null) {
				sending.cache().keep(cached, item.seq(), item.id(), model, index, reply);
			}
			if (invalid != null && attempt < tries) {
				log.debug("item {} step {}: {}; asking again ({} of {})", item.id(), step.name(), invalid, attempt + 1,
						tries);
				continue;
			}
			String jsonText = (json != null) ? JSON.writeValueAsString(json) : null;
			messages.add(ChatMessage.assistant(reply.content()));
			exchange.turns()
				.add(new Conversation.Turn("assistant", step.name(), reply.content(), reply.reasoning(), jsonText));
			if (invalid != null) {
				return invalid + ((tries > 1) ? " (after " + tries + " answers)" : "");
			}
			exchange.answer(step.name(), new StepAnswer(reply.content(), reply.reasoning(),
					(json != null) ? JSON.treeToValue(json, Object.class) : null, false));
			return null;
		}
	}

	/**
	 * The images this step sends, made ready: those of the fields its {@code images:} names, else, when it opens its
	 * conversation, the image of an {@code images} input's item. A PDF's page read per page brings itself under
	 * {@code page} when it has no text layer, and is rendered; one with text brings none, and sends its text alone. A
	 * PDF read a document at a time brings itself under {@code page} when pages have no text layer: each of them
	 * ({@code textless_pages}) is rendered, in page order. A text or web page of a mixed folder sends its text alone.
	 */
	private static List<ImageFiles.Prepared> images(JobDefinition.Step step, InputItem item, boolean opens,
			int maxSide) {
		List<String> fields = (step.images() != null) ? step.images()
				: (opens && item.images().containsKey("file")) ? List.of("file") : List.of();
		List<ImageFiles.Prepared> images = new ArrayList<>(fields.size());
		for (String field : fields) {
			Path file = item.images().get(field);
			boolean onePage = field.equals(PDF_PAGE) && item.fields().get(PDF_PAGE) instanceof Integer;
			boolean document = field.equals(PDF_PAGE) && !onePage && item.fields().get("pages") instanceof Integer
					&& item.fields().get(PDF_TEXTLESS) instanceof String;
			if (file == null && field.equals(PDF_PAGE) && item.fields().get("text") instanceof String) {
				continue; // a PDF's page, or document, with its text layer, or a text of a mixed folder: its text alone
			}
			if (file == null) {
				throw new ImageFiles.ImageException("the item brings no image under field '" + field + "' (images:)");
			}
			Object name = (onePage || document) ? item.fields().get("file") : item.fields().get(field);
			try {
				if (onePage) {
					images.add(ImageFiles.preparePage(file, String.valueOf(name), (Integer) item.fields().get(PDF_PAGE),
							maxSide));
				}
				else if (document) {
					images.addAll(ImageFiles.preparePages(file, String.valueOf(name),
							pageList((String) item.fields().get(PDF_TEXTLESS)), maxSide));
				}
				else {
					images.add(ImageFiles.prepare(file, String.valueOf(name), maxSide));
				}
			}
			catch (IOException ex) {
				throw new ImageFiles.ImageException(name + " cannot be read: " + ex.getClass().getSimpleName());
			}
		}
		return images;
	}

	/** The pages a {@code textless_pages} field lists, {@code 2, 5}: in the order given. */
	private static List<Integer> pageList(String pages) {
		return java.util.Arrays.stream(pages.split(","))
			.map(String::strip)
			.filter((page) -> !page.isEmpty())
			.map(Integer::valueOf)
			.toList();
	}

}
