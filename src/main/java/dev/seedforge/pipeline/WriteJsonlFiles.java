package dev.seedforge.pipeline;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes named JSONL files into the run directory, each sorted by its sort key (so the bytes are
 * the same on every run and runner) and each written whole or not at all: a temp file first, then
 * a rename. Files with no lines are still written, empty. Uses Beam's FileSystems so the run
 * directory may be local or on a cluster's shared file system.
 *
 * <p>No file is gathered onto one worker: its lines are spread over {@link #SHARDS} groups by a
 * hash of their sort key; each group is sorted and written as a part file, and one last step per
 * file merges its sorted parts (a k-way merge that holds one line per part), so a worker holds a
 * shard of a file, not the file, and the shards sort in parallel.
 */
public final class WriteJsonlFiles extends PTransform<PCollection<KV<String, KV<String, String>>>, PDone> {
  /** Parts per file. */
  public static final int SHARDS = 16;

  private final String outDir;
  private final List<String> fileNames;
  private final java.util.Set<String> withBom;
  private final int shards;

  public WriteJsonlFiles(String outDir, List<String> fileNames) {
    this(outDir, fileNames, java.util.Set.of());
  }

  /** {@code withBom}: files written as UTF-8 with a byte-order mark (Azure OpenAI accepts it). */
  public WriteJsonlFiles(String outDir, List<String> fileNames, java.util.Set<String> withBom) {
    this(outDir, fileNames, withBom, SHARDS);
  }

  private WriteJsonlFiles(String outDir, List<String> fileNames, java.util.Set<String> withBom, int shards) {
    this.outDir = outDir;
    this.fileNames = List.copyOf(fileNames);
    this.withBom = java.util.Set.copyOf(withBom);
    this.shards = shards;
  }

  /** The same writer with {@code shards} parts per file: the files' bytes do not depend on it. */
  public WriteJsonlFiles withShards(int shards) {
    return new WriteJsonlFiles(outDir, fileNames, withBom, shards);
  }

  @Override
  public PDone expand(PCollection<KV<String, KV<String, String>>> lines) {
    KvCoder<String, String> pairCoder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    // a shard's lines cross the shuffle in parts of about a megabyte (BundledGroupByKey): a bundle's
    // whole shard as one record would outgrow a runner's sort buffer (Flink's is a few megabytes)
    PCollection<KV<String, String>> parts =
        lines
            .apply("Shard", ParDo.of(new ShardFn(shards)))
            .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()), pairCoder))
            .apply("GroupByShard", BundledGroupByKey.create())
            .apply("WritePart", ParDo.of(new WritePartFn(outDir)))
            .setCoder(pairCoder);
    // every file gets a group, so a file with no lines is still written (empty)
    PCollection<KV<String, String>> markers =
        lines.getPipeline()
            .apply("Files", Impulse.create())
            .apply("FileMarkers", ParDo.of(new MarkersFn(fileNames)))
            .setCoder(pairCoder);
    PCollectionList.of(parts)
        .and(markers)
        .apply("WithMarkers", Flatten.pCollections())
        .apply("GroupParts", GroupByKey.create())
        .apply("MergeParts", ParDo.of(new MergeFn(outDir, withBom)));
    return PDone.in(lines.getPipeline());
  }

  /** The marker of a file in the merge step: no part. */
  static final String NO_PART = "";

  /** One marker per file name, from the pipeline's single impulse: one bundle, however many files. */
  static final class MarkersFn extends DoFn<byte[], KV<String, String>> {
    private final List<String> fileNames;

    MarkersFn(List<String> fileNames) {
      this.fileNames = fileNames;
    }

    @ProcessElement
    public void process(OutputReceiver<KV<String, String>> out) {
      for (String f : fileNames) {
        out.output(KV.of(f, NO_PART));
      }
    }
  }

  /** Keys each line by its file and shard (a hash of its sort key). */
  static final class ShardFn extends DoFn<KV<String, KV<String, String>>, KV<KV<String, Integer>, KV<String, String>>> {
    private final int shards;

    ShardFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element KV<String, KV<String, String>> line, OutputReceiver<KV<KV<String, Integer>, KV<String, String>>> out) {
      out.output(KV.of(KV.of(line.getKey(), shard(line.getValue().getKey(), shards)), line.getValue()));
    }
  }

  static int shard(String sortKey) {
    return shard(sortKey, SHARDS);
  }

  static int shard(String sortKey, int shards) {
    return Math.floorMod(sortKey.hashCode() * 0x9E3779B9, shards);
  }

  /** The order of lines in a file: by sort key, then by the line itself. */
  static final Comparator<KV<String, String>> ORDER = Comparator.comparing((KV<String, String> kv) -> kv.getKey()).thenComparing(KV::getValue);

  /** The folder of a file name relative to the run directory ({@code alpaca/train.jsonl}: one folder per format). */
  static ResourceId folderOf(String outDir, String file) {
    ResourceId dir = FileSystems.matchNewResource(outDir, true);
    int slash = file.lastIndexOf('/');
    if (slash >= 0) {
      for (String part : file.substring(0, slash).split("/")) {
        dir = dir.resolve(part, ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY);
      }
    }
    return dir;
  }

  static String baseName(String file) {
    return file.substring(file.lastIndexOf('/') + 1);
  }

  /** Sorts one shard of a file and writes it as a part file: (key, line) records, length-prefixed. */
  static final class WritePartFn extends DoFn<KV<KV<String, Integer>, Iterable<KV<String, String>>>, KV<String, String>> {
    private final String outDir;

    WritePartFn(String outDir) {
      this.outDir = outDir;
    }

    @ProcessElement
    public void process(@Element KV<KV<String, Integer>, Iterable<KV<String, String>>> shard, OutputReceiver<KV<String, String>> out) throws IOException {
      String file = shard.getKey().getKey();
      List<KV<String, String>> lines = new ArrayList<>();
      for (KV<String, String> kv : shard.getValue()) {
        if (!kv.getValue().isEmpty()) {
          lines.add(kv);
        }
      }
      lines.sort(ORDER);
      ResourceId part = folderOf(outDir, file).resolve(
          "." + baseName(file) + ".part" + shard.getKey().getValue() + "." + UUID.randomUUID() + ".tmp", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(FileSystems.create(part, "application/octet-stream")), 1 << 16))) {
        for (KV<String, String> kv : lines) {
          writeBytes(o, kv.getKey().getBytes(StandardCharsets.UTF_8));
          writeBytes(o, kv.getValue().getBytes(StandardCharsets.UTF_8));
        }
      }
      out.output(KV.of(file, part.toString()));
    }

    private static void writeBytes(DataOutputStream o, byte[] b) throws IOException {
      o.writeInt(b.length);
      o.write(b);
    }
  }

  /** One part file being read during the merge: its current record. */
  private static final class PartReader implements AutoCloseable {
    final DataInputStream in;
    KV<String, String> current;

    PartReader(ResourceId part) throws IOException {
      this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(FileSystems.open(part)), 1 << 16));
      advance();
    }

    void advance() throws IOException {
      int n;
      try {
        n = in.readInt();
      } catch (EOFException e) {
        current = null;
        return;
      }
      String key = new String(in.readNBytes(n), StandardCharsets.UTF_8);
      String line = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
      current = KV.of(key, line);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Merges a file's sorted parts into the file (temp file, then rename) and deletes the parts. */
  static final class MergeFn extends DoFn<KV<String, Iterable<String>>, Void> {
    private final String outDir;
    private final java.util.Set<String> withBom;

    MergeFn(String outDir, java.util.Set<String> withBom) {
      this.outDir = outDir;
      this.withBom = withBom;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> file) throws IOException {
      List<ResourceId> parts = new ArrayList<>();
      for (String p : file.getValue()) {
        if (!p.equals(NO_PART)) {
          parts.add(FileSystems.matchNewResource(p, false));
        }
      }
      parts.sort(Comparator.comparing(ResourceId::toString));
      String name = baseName(file.getKey());
      ResourceId dir = folderOf(outDir, file.getKey());
      ResourceId target = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      ResourceId tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      List<PartReader> readers = new ArrayList<>();
      try {
        PriorityQueue<PartReader> queue = new PriorityQueue<>((a, b) -> ORDER.compare(a.current, b.current));
        for (ResourceId p : parts) {
          PartReader r = new PartReader(p);
          readers.add(r);
          if (r.current != null) {
            queue.add(r);
          }
        }
        try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(FileSystems.create(tmp, "application/jsonl")), 1 << 16)) {
          if (withBom.contains(file.getKey())) {
            out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
          }
          while (!queue.isEmpty()) {
            PartReader r = queue.poll();
            out.write(r.current.getValue().getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            r.advance();
            if (r.current != null) {
              queue.add(r);
            }
          }
        }
      } finally {
        for (PartReader r : readers) {
          r.close();
        }
      }
      FileSystems.rename(List.of(tmp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      FileSystems.delete(parts, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }
}
