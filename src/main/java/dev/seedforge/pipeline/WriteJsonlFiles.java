package dev.seedforge.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
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
 */
public final class WriteJsonlFiles extends PTransform<PCollection<KV<String, KV<String, String>>>, PDone> {
  private final String outDir;
  private final List<String> fileNames;
  private final java.util.Set<String> withBom;

  public WriteJsonlFiles(String outDir, List<String> fileNames) {
    this(outDir, fileNames, java.util.Set.of());
  }

  /** {@code withBom}: files written as UTF-8 with a byte-order mark (Azure OpenAI accepts it). */
  public WriteJsonlFiles(String outDir, List<String> fileNames, java.util.Set<String> withBom) {
    this.outDir = outDir;
    this.fileNames = List.copyOf(fileNames);
    this.withBom = java.util.Set.copyOf(withBom);
  }

  @Override
  public PDone expand(PCollection<KV<String, KV<String, String>>> lines) {
    KvCoder<String, KV<String, String>> coder = KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    List<KV<String, KV<String, String>>> markers = new ArrayList<>();
    for (String f : fileNames) {
      markers.add(KV.of(f, KV.of("", "")));
    }
    PCollection<KV<String, KV<String, String>>> empty = lines.getPipeline().apply("FileMarkers", Create.of(markers).withCoder(coder));
    PCollectionList.of(lines)
        .and(empty)
        .apply("WithMarkers", Flatten.pCollections())
        .apply("GroupByFile", GroupByKey.create())
        .apply("WriteFile", ParDo.of(new WriteFn(outDir, withBom)));
    return PDone.in(lines.getPipeline());
  }

  static final class WriteFn extends DoFn<KV<String, Iterable<KV<String, String>>>, Void> {
    private final String outDir;
    private final java.util.Set<String> withBom;

    WriteFn(String outDir, java.util.Set<String> withBom) {
      this.outDir = outDir;
      this.withBom = withBom;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, String>>> file) throws IOException {
      List<KV<String, String>> lines = new ArrayList<>();
      for (KV<String, String> kv : file.getValue()) {
        if (!kv.getValue().isEmpty()) {
          lines.add(kv);
        }
      }
      lines.sort(Comparator.comparing((KV<String, String> kv) -> kv.getKey()).thenComparing(KV::getValue));
      ResourceId dir = FileSystems.matchNewResource(outDir, true);
      String name = file.getKey();
      int slash = name.lastIndexOf('/');
      if (slash >= 0) {
        // one folder per format: alpaca/train.jsonl
        for (String part : name.substring(0, slash).split("/")) {
          dir = dir.resolve(part, ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY);
        }
        name = name.substring(slash + 1);
      }
      ResourceId target = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      ResourceId tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(tmp, "application/jsonl"))) {
        if (withBom.contains(file.getKey())) {
          out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        byte[] nl = {'\n'};
        for (KV<String, String> kv : lines) {
          out.write(kv.getValue().getBytes(StandardCharsets.UTF_8));
          out.write(nl);
        }
      }
      FileSystems.rename(List.of(tmp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }
}
