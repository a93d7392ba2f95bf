package dev.dmrbatch.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;

/** A server-sent event stream read to its end, each event with the time it arrived. */
record Events(List<Event> all) {

	record Event(String name, JsonNode data, long nanos) {
	}

	static Events read(HttpClient http, HttpRequest request, String until) throws Exception {
		HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
		if (response.statusCode() != 200) {
			throw new AssertionError(request.uri() + ": " + response.statusCode());
		}
		if (!response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
			throw new AssertionError(request.uri() + " is not an event stream: " + response.headers());
		}
		List<Event> events = new ArrayList<>();
		String name = "message";
		StringBuilder data = new StringBuilder();
		try (Stream<String> lines = response.body()) {
			Iterator<String> it = lines.iterator();
			while (it.hasNext()) {
				String line = it.next();
				if (line.isEmpty()) {
					if (!data.isEmpty()) {
						events.add(new Event(name, Serve.JSON.readTree(data.toString()), System.nanoTime()));
						if (name.equals(until)) {
							break;
						}
					}
					name = "message";
					data.setLength(0);
				}
				else if (line.startsWith("event:")) {
					name = line.substring(6).strip();
				}
				else if (line.startsWith("data:")) {
					data.append(line.substring(5).strip());
				}
			}
		}
		return new Events(events);
	}

	static Events get(HttpClient http, URI uri, String until) throws Exception {
		return read(http, HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build(), until);
	}

	List<Event> named(String name) {
		return this.all.stream().filter((e) -> e.name().equals(name)).toList();
	}

}
