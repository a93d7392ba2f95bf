package dev.dmrbatch.export;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import tools.jackson.databind.json.JsonMapper;

/**
 * The vectors of each {@code embed} step as one matrix in NumPy's {@code .npy} format (version 1.0, little-endian
 * float32, C order, shape {@code [rows, dimension]}): one row per item and model, in the order of the other exports;
 * a conversation without the step's vector (failed, skipped) is a row of NaN. {@code embeddings.npy} when the run
 * has one embed step, {@code embeddings-<step>.npy} per step when it has several. Rows are written as they come;
 * the header, of a fixed size, is written again at the end with the final shape. Nothing is written for a run
 * without embeddings.
 */
final class NpyExporter implements Exporter {

	static final String FILE = "embeddings.npy";

	/** Magic, version, header length and a header dictionary padded to a multiple of 64 bytes. */
	private static final int HEADER = 128;

	private final Path folder;

	private final List<String> embedSteps;

	private final JsonMapper json;

	private final Map<String, Matrix> matrices = new LinkedHashMap<>();

	private final List<String> warnings = new ArrayList<>();

	NpyExporter(Path folder, List<String> embedSteps, JsonMapper json) {
		this.folder = folder;
		this.embedSteps = embedSteps;
		this.json = json;
	}

	/** The files written, known once every conversation is written. */
	@Override
	public List<Path> files() {
		return this.matrices.values().stream().map((m) -> m.file).toList();
	}

	@Override
	public void write(Conversation conversation) throws IOException {
		if (this.embedSteps.isEmpty()) {
			return;
		}
		Map<String, String> vectors = new LinkedHashMap<>();
		for (Conversation.Call call : conversation.calls()) {
			if (call.embedding() != null) {
				vectors.put(call.step(), call.embedding());
			}
		}
		for (String step : this.embedSteps) {
			Matrix matrix = this.matrices.computeIfAbsent(step, (s) -> new Matrix(this.folder
				.resolve((this.embedSteps.size() == 1) ? FILE : "embeddings-" + s.replaceAll("[^A-Za-z0-9._-]", "_")
						+ ".npy")));
			String vector = vectors.get(step);
			float[] values = (vector != null) ? this.json.readValue(vector, float[].class) : null;
			if (values != null && matrix.dimension > 0 && values.length != matrix.dimension) {
				this.warnings.add(matrix.file.getFileName() + ": item " + conversation.itemId() + " has a vector of "
						+ values.length + " numbers, not " + matrix.dimension + "; its row is NaN");
				values = null;
			}
			matrix.add(values);
		}
	}

	@Override
	public void finish() throws IOException {
		for (Matrix matrix : this.matrices.values()) {
			matrix.finish();
		}
	}

	@Override
	public List<String> warnings() {
		return this.warnings;
	}

	@Override
	public void close() throws IOException {
		for (Matrix matrix : this.matrices.values()) {
			matrix.close();
		}
	}

	/** One step's matrix; rows before the first vector wait as a count, their width being unknown until then. */
	private static final class Matrix {

		private final Path file;

		private RandomAccessFile out;

		private int dimension;

		private long rows;

		private long pending;

		Matrix(Path file) {
			this.file = file;
		}

		void add(float[] values) throws IOException {
			if (values == null && this.dimension == 0) {
				this.pending++;
				return;
			}
			if (this.out == null) {
				this.dimension = values.length;
				this.out = new RandomAccessFile(StoreFolder.privateFile(this.file).toFile(), "rw");
				this.out.setLength(0);
				this.out.write(header(0));
				for (; this.pending > 0; this.pending--) {
					row(null);
				}
			}
			row(values);
		}

		private void row(float[] values) throws IOException {
			ByteBuffer buffer = ByteBuffer.allocate(this.dimension * 4).order(ByteOrder.LITTLE_ENDIAN);
			for (int i = 0; i < this.dimension; i++) {
				buffer.putFloat((values != null) ? values[i] : Float.NaN);
			}
			this.out.write(buffer.array());
			this.rows++;
		}

		void finish() throws IOException {
			if (this.out != null) {
				this.out.seek(0);
				this.out.write(header(this.rows));
			}
		}

		private byte[] header(long rows) {
			String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + this.dimension + "), }";
			int length = HEADER - 10;
			String padded = dict + " ".repeat(length - dict.length() - 1) + "\n";
			ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
			header.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
			header.putShort((short) length);
			header.put(padded.getBytes(StandardCharsets.US_ASCII));
			return header.array();
		}

		void close() throws IOException {
			if (this.out != null) {
				this.out.close();
			}
		}

	}

}
