package dev.dmrbatch.step;

import java.util.List;

import dev.dmrbatch.cache.CachedCalls;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.Prompts;

/**
 * What the steps of a run's items send with, the same for every item of a runner's lane.
 *
 * @param cache the run's response cache, or {@code null} when it is off: then nothing is fingerprinted or looked up
 * @param prompts the job's compiled prompts
 * @param formats per step, what JSON its answer must be, or {@code null} for text
 * @param maxImageSide the longest side an image is sent with where a step gives no {@code max-image-side} (the
 * profile's {@code dmr.max-image-side}, else 1024)
 */
public record Sending(ChatService chat, LoadGate gate, CachedCalls cache, DmrProperties.Retry retry, Prompts prompts,
		List<StructuredOutput> formats, int maxImageSide) {
}
