package dev.seedforge.pipeline;

import com.google.common.collect.Ordering;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.quality.LabelCheck;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;

/**
 * Compact binary forms of the records that cross the pipeline's shuffles most often: candidates,
 * rejections and the label check's rows. A record is written field by field in declaration order
 * (strings as UTF-8 with a length, maps in key order), so equal records give equal bytes; the whole
 * record goes out as one length-prefixed array, so a decode reads the stream once. Strings are
 * UTF-8 as in Beam's {@code StringUtf8Coder}: a lone surrogate becomes '?'.
 */
final class BinaryRecords {
  private BinaryRecords() {}

  /** How one record type is written and read. */
  interface Codec<T> extends Serializable {
    void write(T value, Writer out);

    T read(Reader in) throws CoderException;
  }

  /** The binary codec for {@code type}, or null when the type has none (it is written as JSON). */
  @SuppressWarnings("unchecked")
  static <T> Codec<T> forType(Class<T> type) {
    if (type == Candidate.class) {
      return (Codec<T>) new CandidateCodec();
    }
    if (type == Rejection.class) {
      return (Codec<T>) new RejectionCodec();
    }
    if (type == LabelCheck.Item.class) {
      return (Codec<T>) new ItemCodec();
    }
    return null;
  }

  static <T> void encode(Codec<T> codec, T value, OutputStream out) throws IOException {
    Writer w = new Writer();
    codec.write(value, w);
    VarInt.encode(w.size, out);
    out.write(w.buf, 0, w.size);
  }

  static <T> T decode(Codec<T> codec, InputStream in) throws IOException {
    int size = VarInt.decodeInt(in);
    byte[] buf = new byte[size];
    new DataInputStream(in).readFully(buf);
    Reader r = new Reader(buf);
    T value = codec.read(r);
    if (r.pos != size) {
      throw new CoderException("a record of " + size + " bytes was read as " + r.pos + " bytes");
    }
    return value;
  }

  /** A growing byte array; strings and maps may be null (a length of 0 means null, n+1 a length of n). */
  static final class Writer {
    private byte[] buf = new byte[256];
    private int size;

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    void varInt(int v) {
      ensure(5);
      while ((v & ~0x7F) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void bool(boolean b) {
      ensure(1);
      buf[size++] = (byte) (b ? 1 : 0);
    }

    void int32(int v) {
      ensure(4);
      buf[size++] = (byte) (v >>> 24);
      buf[size++] = (byte) (v >>> 16);
      buf[size++] = (byte) (v >>> 8);
      buf[size++] = (byte) v;
    }

    void int64(long v) {
      int32((int) (v >>> 32));
      int32((int) v);
    }

    void string(String s) {
      if (s == null) {
        varInt(0);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varInt(b.length + 1);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    void nullableDouble(Double d) {
      bool(d != null);
      if (d != null) {
        int64(Double.doubleToLongBits(d));
      }
    }

    void nullableInt(Integer i) {
      bool(i != null);
      if (i != null) {
        int32(i);
      }
    }

    /** Entries in key order whatever the map's own order, so equal maps give equal bytes. */
    void stringMap(Map<String, String> m) {
      if (m == null) {
        varInt(0);
        return;
      }
      Map<String, String> sorted = inKeyOrder(m);
      varInt(sorted.size() + 1);
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        string(e.getKey());
        string(e.getValue());
      }
    }

    void doubleMap(Map<String, Double> m) {
      Map<String, Double> sorted = inKeyOrder(m);
      varInt(sorted.size());
      for (Map.Entry<String, Double> e : sorted.entrySet()) {
        string(e.getKey());
        int64(Double.doubleToLongBits(e.getValue()));
      }
    }

    private static <V> Map<String, V> inKeyOrder(Map<String, V> m) {
      if (m instanceof SortedMap<String, V> s
          && (s.comparator() == null || s.comparator() == Ordering.natural() || s.comparator() == Comparator.naturalOrder())) {
        return m;
      }
      return new TreeMap<>(m);
    }

    void stringList(List<String> list) {
      varInt(list.size());
      for (String s : list) {
        string(s);
      }
    }
  }

  /** Reads what a {@link Writer} wrote, from one array. */
  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    private void need(int n) throws CoderException {
      if (n < 0 || pos + n > buf.length) {
        throw new CoderException("record truncated at byte " + pos + " of " + buf.length);
      }
    }

    int varInt() throws CoderException {
      int v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        need(1);
        byte b = buf[pos++];
        v |= (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new CoderException("malformed length at byte " + pos);
    }

    boolean bool() throws CoderException {
      need(1);
      return buf[pos++] != 0;
    }

    int int32() throws CoderException {
      need(4);
      int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
      pos += 4;
      return v;
    }

    long int64() throws CoderException {
      long hi = int32() & 0xFFFFFFFFL;
      return hi << 32 | (int32() & 0xFFFFFFFFL);
    }

    String string() throws CoderException {
      int n = varInt() - 1;
      if (n < 0) {
        return null;
      }
      need(n);
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    Double nullableDouble() throws CoderException {
      return bool() ? Double.longBitsToDouble(int64()) : null;
    }

    Integer nullableInt() throws CoderException {
      return bool() ? int32() : null;
    }

    /** A map in the written (key) order, as a JSON decode gives it. */
    Map<String, String> stringMap() throws CoderException {
      int n = varInt() - 1;
      if (n < 0) {
        return null;
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        m.put(string(), string());
      }
      return m;
    }

    Map<String, Double> doubleMap() throws CoderException {
      int n = varInt();
      Map<String, Double> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        m.put(string(), Double.longBitsToDouble(int64()));
      }
      return m;
    }

    List<String> stringList() throws CoderException {
      int n = varInt();
      List<String> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(string());
      }
      return list;
    }
  }

  static final class CandidateCodec implements Codec<Candidate> {
    @Override
    public void write(Candidate c, Writer out) {
      out.string(c.id());
      out.string(c.label());
      out.stringMap(c.fields());
      Candidate.Provenance p = c.provenance();
      out.bool(p != null);
      if (p != null) {
        out.stringList(p.seedIds());
        out.string(p.strategy());
        out.string(p.templateId());
        out.string(p.generator());
        out.string(p.model());
        out.string(p.requestId());
        out.int32(p.round());
        Candidate.Grounding g = p.grounding();
        out.bool(g != null);
        if (g != null) {
          out.string(g.document());
          out.string(g.chunkId());
          out.int32(g.start());
          out.int32(g.end());
          out.nullableInt(g.page());
          out.string(g.heading());
        }
        Candidate.Evolution e = p.evolution();
        out.bool(e != null);
        if (e != null) {
          out.int32(e.depth());
          out.string(e.operation());
          out.string(e.parentId());
        }
      }
      out.doubleMap(c.features());
    }

    @Override
    public Candidate read(Reader in) throws CoderException {
      String id = in.string();
      String label = in.string();
      Map<String, String> fields = in.stringMap();
      Candidate.Provenance provenance = null;
      if (in.bool()) {
        List<String> seedIds = in.stringList();
        String strategy = in.string();
        String templateId = in.string();
        String generator = in.string();
        String model = in.string();
        String requestId = in.string();
        int round = in.int32();
        Candidate.Grounding grounding = in.bool()
            ? new Candidate.Grounding(in.string(), in.string(), in.int32(), in.int32(), in.nullableInt(), in.string())
            : null;
        Candidate.Evolution evolution = in.bool() ? new Candidate.Evolution(in.int32(), in.string(), in.string()) : null;
        provenance = new Candidate.Provenance(seedIds, strategy, templateId, generator, model, requestId, round, grounding, evolution);
      }
      return new Candidate(id, label, fields, provenance, in.doubleMap());
    }
  }

  static final class RejectionCodec implements Codec<Rejection> {
    @Override
    public void write(Rejection r, Writer out) {
      out.string(r.id());
      out.string(r.label());
      out.string(r.stage());
      out.string(r.filter());
      out.string(r.reason());
      out.nullableDouble(r.score());
      out.nullableDouble(r.threshold());
      out.string(r.relatedId());
      out.stringMap(r.fields());
      out.string(r.raw());
      out.string(r.requestId());
      out.string(r.strategy());
      out.string(r.templateId());
      out.string(r.generator());
    }

    @Override
    public Rejection read(Reader in) throws CoderException {
      return new Rejection(in.string(), in.string(), in.string(), in.string(), in.string(), in.nullableDouble(), in.nullableDouble(),
          in.string(), in.stringMap(), in.string(), in.string(), in.string(), in.string(), in.string());
    }
  }

  static final class ItemCodec implements Codec<LabelCheck.Item> {
    @Override
    public void write(LabelCheck.Item item, Writer out) {
      out.string(item.id());
      out.string(item.text());
      out.string(item.label());
    }

    @Override
    public LabelCheck.Item read(Reader in) throws CoderException {
      return new LabelCheck.Item(in.string(), in.string(), in.string());
    }
  }
}
