package dev.seedforge.format;

import dev.seedforge.balance.BiasReport;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Turns (split, candidate) pairs into the lines of every configured format's data files:
 * (file, (sort key, line)). Prompt/completion separators and stop sequences are chosen over the
 * whole dataset first (a global OR of which candidates occur), and recorded in the ledger as
 * {@code formats/markers/<format>} so the manifest can name them. Without a prompt-completion
 * format nothing is chosen over the dataset: the output has no {@link #LEDGER}, and each record is
 * formatted in one pass.
 */
public final class FormatRecords extends PTransform<PCollection<KV<String, Candidate>>, PCollectionTuple> {
  public static final TupleTag<KV<String, KV<String, String>>> LINES = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};

  private final List<FormatSpec> formats;
  private final TaskType task;
  private final String systemMessage;
  private final String taskDescription;
  private final long seed;
  private TrainOn trainOn = TrainOn.ALL;
  private String biasFile;

  public FormatRecords(List<FormatSpec> formats, TaskType task, String systemMessage, String taskDescription, long seed) {
    this.formats = List.copyOf(formats);
    this.task = task;
    this.systemMessage = systemMessage;
    this.taskDescription = taskDescription;
    this.seed = seed;
  }

  /** The same stage writing conversations' weights as {@code output.train_on} asks. */
  public FormatRecords withTrainOn(TrainOn t) {
    FormatRecords copy = new FormatRecords(formats, task, systemMessage, taskDescription, seed);
    copy.trainOn = t;
    copy.biasFile = biasFile;
    return copy;
  }

  /**
   * The same stage also writing each record's row of the bias report ({@link #biasRow}) to
   * {@code file}, in the same pass as its data lines.
   */
  public FormatRecords withBiasRows(String file) {
    FormatRecords copy = withTrainOn(trainOn);
    copy.biasFile = file;
    return copy;
  }

  /** A record's row of the bias report: its label, its user text and whether it is a seed (JSON). */
  public static String biasRow(Candidate c, TaskType task) {
    return Json.write(new BiasReport.Row(c.label(), Example.of(c, task, null, null).user(), ExactDedup.isSeed(c)));
  }

  /** Whether any format chooses its markers over the whole dataset (prompt-completion's separators and stop sequences). */
  static boolean choosesMarkers(List<FormatSpec> formats) {
    return formats.stream().anyMatch(f -> f.kind().equals("prompt-completion"));
  }

  /** Every data file the formats write for the given splits, in a fixed order. */
  public static List<String> dataFiles(List<FormatSpec> formats, List<String> splits) {
    List<String> out = new ArrayList<>();
    for (FormatSpec f : formats) {
      for (String s : splits) {
        out.add(RecordFormats.fileName(f, s, formats.size()));
      }
    }
    return out;
  }

  /** The order of records in a data file: a shuffle fixed by the pipeline seed. */
  public static String shuffleKey(long seed, String id) {
    return String.format("%016x", Hashes.draw(seed, "shuffle|" + id)) + id;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, Candidate>> input) {
    KvCoder<String, KV<String, String>> lineCoder = KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    if (!choosesMarkers(formats)) {
      // no format's lines depend on the whole dataset: one pass, no side input to wait for
      PCollection<KV<String, KV<String, String>>> lines =
          input.apply("FormatLines", ParDo.of(new FormatFn(formats, task, systemMessage, taskDescription, seed, null).withTrainOn(trainOn).withBiasRows(biasFile)))
              .setCoder(lineCoder);
      return PCollectionTuple.of(LINES, lines);
    }
    List<FormatSpec> fs = formats;
    TaskType t = task;
    String sys = systemMessage;
    String desc = taskDescription;
    KvCoder<String, Long> kvLong = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    PCollection<KV<String, Long>> masks =
        input
            .apply("MarkerMasks", FlatMapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((KV<String, Candidate> kv) -> {
                  List<KV<String, Long>> l = new ArrayList<>();
                  Example e = Example.of(kv.getValue(), t, sys, desc);
                  for (FormatSpec f : fs) {
                    if (f.kind().equals("prompt-completion")) {
                      l.add(KV.of(f.name(), PromptCompletion.occurring(f, e)));
                    }
                  }
                  return l;
                }))
            .setCoder(kvLong)
            .apply("AnyRecord", Combine.perKey((SerializableFunction<Iterable<Long>, Long>) FormatRecords::or))
            .setCoder(kvLong);
    PCollectionView<Map<String, Long>> maskView = masks.apply("MaskView", View.asMap());
    PCollection<KV<String, KV<String, String>>> lines =
        input.apply("FormatLines", ParDo.of(new FormatFn(fs, t, sys, desc, seed, maskView).withTrainOn(trainOn).withBiasRows(biasFile)).withSideInputs(maskView))
            .setCoder(lineCoder);
    PCollection<KV<Ledger.Key, Long>> markerLedger =
        masks.apply("MarkerLedger", MapElements.into(new TypeDescriptor<KV<Ledger.Key, Long>>() {})
                .via((KV<String, Long> kv) -> Ledger.count(Counter.FORMAT_MARKERS, kv.getKey(), kv.getValue())))
            .setCoder(Ledger.coder());
    return PCollectionTuple.of(LINES, lines).and(LEDGER, markerLedger);
  }

  static Long or(Iterable<Long> values) {
    long m = 0;
    for (Long v : values) {
      m |= v;
    }
    return m;
  }

  static final class FormatFn extends DoFn<KV<String, Candidate>, KV<String, KV<String, String>>> {
    private final List<FormatSpec> formats;
    private final TaskType task;
    private final String systemMessage;
    private final String taskDescription;
    private final long seed;
    private final PCollectionView<Map<String, Long>> mask;
    private TrainOn trainOn = TrainOn.ALL;
    private String biasFile;

    FormatFn(List<FormatSpec> formats, TaskType task, String systemMessage, String taskDescription, long seed, PCollectionView<Map<String, Long>> mask) {
      this.formats = formats;
      this.task = task;
      this.systemMessage = systemMessage;
      this.taskDescription = taskDescription;
      this.seed = seed;
      this.mask = mask;
    }

    FormatFn withTrainOn(TrainOn t) {
      trainOn = t;
      return this;
    }

    FormatFn withBiasRows(String file) {
      biasFile = file;
      return this;
    }

    @ProcessElement
    public void process(ProcessContext ctx) {
      Map<String, Long> m = mask == null ? Map.of() : ctx.sideInput(mask);
      Map<String, PromptCompletion.Markers> markers = new TreeMap<>();
      for (FormatSpec f : formats) {
        if (f.kind().equals("prompt-completion")) {
          markers.put(f.name(), PromptCompletion.choose(f, m.getOrDefault(f.name(), 0L)));
        }
      }
      String split = ctx.element().getKey();
      Candidate c = ctx.element().getValue();
      Example e = Example.of(c, task, systemMessage, taskDescription);
      String key = shuffleKey(seed, c.id());
      for (FormatSpec f : formats) {
        String line = task == TaskType.CONVERSATION ? ConversationRecords.line(f, c, systemMessage, trainOn)
            : PreferenceRecords.handles(f) ? PreferenceRecords.line(f, c, e.system())
            : RecordFormats.line(f, e, markers.get(f.name()));
        ctx.output(KV.of(RecordFormats.fileName(f, split, formats.size()), KV.of(key, line)));
      }
      if (biasFile != null) {
        ctx.output(KV.of(biasFile, KV.of(c.id(), biasRow(c, task))));
      }
    }
  }
}
