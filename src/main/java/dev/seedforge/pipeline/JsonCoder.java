package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * The Beam coder for the pipeline's records. Candidates, rejections and the label check's rows,
 * which cross the most shuffles, are written in a compact binary form ({@link BinaryRecords}: 1.7 to 3.7
 * times as fast as JSON and a third smaller, see the coder benchmark in the README); every other record as compact
 * JSON (Jackson). Both are deterministic: components in declaration order, maps sorted by key.
 */
public final class JsonCoder<T> extends CustomCoder<T> {
  private final Class<T> type;
  private final BinaryRecords.Codec<T> binary;
  private transient ObjectReader reader;
  private transient ObjectWriter writer;

  private JsonCoder(Class<T> type) {
    this.type = type;
    this.binary = BinaryRecords.forType(type);
  }

  public static <T> JsonCoder<T> of(Class<T> type) {
    return new JsonCoder<>(type);
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    if (binary != null) {
      BinaryRecords.encode(binary, value, out);
      return;
    }
    if (writer == null) {
      writer = Json.mapper().writerFor(type);
    }
    ByteArrayCoder.of().encode(writer.writeValueAsBytes(value), out);
  }

  @Override
  public T decode(InputStream in) throws IOException {
    if (binary != null) {
      return BinaryRecords.decode(binary, in);
    }
    if (reader == null) {
      reader = Json.mapper().readerFor(type);
    }
    return reader.readValue(ByteArrayCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public List<? extends org.apache.beam.sdk.coders.Coder<?>> getCoderArguments() {
    return List.of();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonCoder<?> c && c.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }
}
