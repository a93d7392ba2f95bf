package dev.dmrbatch.chat;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ModelReply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A session's turns: numbered steps, the model of each call, a system prompt where it was set, undo. */
class ChatSessionTest {

	@Test
	void eachAnswerIsAStepWithTheModelItWasAskedOf() {
		ChatSession session = new ChatSession("s", ModelSettings.NONE.withName("ai/tiny"));
		session.system("Be brief.");
		session.add("one", reply("uno"), "ai/tiny", "{}");
		session.add("two", reply("dos"), "ai/tiny2", "{}");
		assertThat(session.messages()).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("one"),
				ChatMessage.assistant("uno"), ChatMessage.user("two"), ChatMessage.assistant("dos"));
		assertThat(session.calls()).extracting((c) -> c.call().step() + " " + c.call().requestModel())
			.containsExactly("turn-1 ai/tiny", "turn-2 ai/tiny2");
		assertThat(session.conversationModel()).isEqualTo("ai/tiny");
	}

	@Test
	void undoTakesBackTheLastPromptAndAnswerAndItsCall() {
		ChatSession session = new ChatSession("s", ModelSettings.NONE.withName("ai/tiny"));
		session.add("one", reply("uno"), "ai/tiny", "{}");
		session.add("two", reply("dos"), "ai/tiny", "{}");
		assertThat(session.undo()).isEqualTo("two");
		assertThat(session.answers()).isEqualTo(1);
		assertThat(session.calls()).hasSize(1);
		session.add("three", reply("tres"), "ai/tiny", "{}");
		assertThat(session.calls()).extracting((c) -> c.call().step()).containsExactly("turn-1", "turn-2");
		session.undo();
		session.undo();
		assertThat(session.undo()).isNull();
	}

	@Test
	void aSystemPromptSetLaterStaysWhereItWasSetAndIsSentThere() {
		ChatSession session = new ChatSession("s", ModelSettings.NONE.withName("ai/tiny"));
		session.system("Be brief.");
		session.add("one", reply("uno"), "ai/tiny", "{}");
		session.system("Be briefer.");
		// not sent yet: a second one replaces it
		session.system("Be briefest.");
		assertThat(session.system()).isEqualTo("Be briefest.");
		assertThat(session.messagesWith("two")).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("one"),
				ChatMessage.assistant("uno"), ChatMessage.system("Be briefest."), ChatMessage.user("two"));
		session.add("two", reply("dos"), "ai/tiny", "{}");
		assertThat(session.messages()).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("one"),
				ChatMessage.assistant("uno"), ChatMessage.system("Be briefest."), ChatMessage.user("two"),
				ChatMessage.assistant("dos"));
	}

	@Test
	void aSystemPromptNotSentYetIsRemovedAndOneSentStaysInTheConversation() {
		ChatSession session = new ChatSession("s", ModelSettings.NONE.withName("ai/tiny"));
		session.system("Be brief.");
		session.system("");
		assertThat(session.system()).isNull();
		assertThat(session.messages()).isEmpty();
		session.system("Be brief.");
		session.add("one", reply("uno"), "ai/tiny", "{}");
		assertThatIllegalArgumentException().isThrownBy(() -> session.system(""))
			.withMessageContaining("stays in the conversation");
		assertThat(session.messages()).hasSize(3);
		// set after the last answer, it stays when that answer is taken back
		session.system("Be briefer.");
		assertThat(session.undo()).isEqualTo("one");
		assertThat(session.messages()).containsExactly(ChatMessage.system("Be brief."), ChatMessage.system("Be briefer."));
	}

	private static ModelReply reply(String text) {
		return ModelReply.answer("ai/tiny", text).finishReason("stop").tokens(10, 3).latency(100).ttft(20L).attempts(1).build();
	}

}
