package dev.seedforge.pipeline;

import dev.seedforge.balance.BalanceAndSplit;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.dedup.NearDedup;
import dev.seedforge.format.ChatFormat;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Failure;
import dev.seedforge.generate.GenerateCandidates;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.Rejection;
import dev.seedforge.generate.lexical.LexicalAugmenter;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.quality.GateStage;
import dev.seedforge.quality.LabelFilter;
import dev.seedforge.quality.QualityGate;
import dev.seedforge.quality.Texts;
import dev.seedforge.seed.TaskType;
import dev.seedforge.seed.Seed;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The batch job, reading like the flow in design.md: seeds → generate → quality gate → dedup →
 * balance and split → format → write. Every stage's rejections flow to rejected.jsonl, every failed
 * call to failed.jsonl, and every stage's counters to the ledger behind manifest.json.
 */
public final class SeedforgePipeline {
  public static final String TRAIN = "train.jsonl";
  public static final String VALIDATION = "validation.jsonl";
  public static final String REJECTED = "rejected.jsonl";
  public static final String FAILED = "failed.jsonl";
  public static final String LEDGER = ".ledger.jsonl";

  private static final TupleTag<Candidate> INPUT_OK = new TupleTag<>() {};
  private static final TupleTag<Rejection> INPUT_BAD = new TupleTag<>() {};
  private static final TupleTag<KV<String, Long>> INPUT_LEDGER = new TupleTag<>() {};

  private SeedforgePipeline() {}

  public static void build(Pipeline p, RunPlan plan) {
    build(p, plan, null);
  }

  /**
   * The job; with {@code curateInput} (a JSONL file, see {@link CurateInput}) its records replace
   * generation and go through the same gate, dedup, balance, split and output stages.
   */
  public static void build(Pipeline p, RunPlan plan, String curateInput) {
    PipelineSpec spec = plan.spec();
    KvCoder<String, Long> ledgerCoder = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    List<PCollection<Rejection>> rejections = new ArrayList<>();
    List<PCollection<KV<String, Long>>> ledger = new ArrayList<>();
    PCollection<Failure> failures;

    PCollection<Seed> seeds = p.apply("ReadSeeds", Create.of(plan.seeds()).withCoder(JsonCoder.of(Seed.class)));
    ledger.add(
        p.apply("CountSeeds", Create.of(seedCounts(plan)).withCoder(ledgerCoder)));

    PCollection<Candidate> generated;
    if (curateInput != null) {
      CurateInput parser = new CurateInput(plan.pack().task(), plan.pack().labels().keySet(), java.nio.file.Path.of(curateInput).getFileName().toString());
      PCollectionTuple read =
          p.apply("ReadInput", TextIO.read().from(curateInput))
              .apply("ParseInput", ParDo.of(new DoFn<String, Candidate>() {
                    @ProcessElement
                    public void process(@Element String line, MultiOutputReceiver out) {
                      CurateInput.Parsed parsed = parser.parse(line);
                      if (parsed == null) {
                        return;
                      }
                      if (parsed.candidate() != null) {
                        out.get(INPUT_OK).output(parsed.candidate());
                        out.get(INPUT_LEDGER).output(Ledger.count("generated", "candidates", parsed.candidate().label(), 1));
                      } else {
                        out.get(INPUT_BAD).output(parsed.rejection());
                        out.get(INPUT_LEDGER).output(Ledger.count("rejected", "input/" + parsed.rejection().filter(), parsed.rejection().label(), 1));
                      }
                    }
                  }).withOutputTags(INPUT_OK, TupleTagList.of(INPUT_BAD).and(INPUT_LEDGER)));
      generated = read.get(INPUT_OK).setCoder(JsonCoder.of(Candidate.class));
      rejections.add(read.get(INPUT_BAD).setCoder(JsonCoder.of(Rejection.class)));
      ledger.add(read.get(INPUT_LEDGER).setCoder(ledgerCoder));
      failures = p.apply("NoFailures", Create.empty(JsonCoder.of(Failure.class)));
    } else if (plan.usesLlm()) {
      ledger.add(p.apply("CountPlanned", Create.of(plannedCounts(plan)).withCoder(ledgerCoder)));
      PCollectionTuple g =
          p.apply("PlanRequests", Create.of(plan.requests()).withCoder(JsonCoder.of(GenerationRequest.class)))
              .apply("Generate", new GenerateCandidates(plan.modelSettings()));
      generated = g.get(GenerateCandidates.CANDIDATES);
      rejections.add(g.get(GenerateCandidates.REJECTIONS));
      failures = g.get(GenerateCandidates.FAILURES);
      ledger.add(g.get(GenerateCandidates.LEDGER));
    } else {
      LexicalAugmenter augmenter = new LexicalAugmenter(spec.lexical(), spec.seed(), plan.pack().task());
      generated =
          seeds.apply("GenerateLexical", FlatMapElements.into(TypeDescriptor.of(Candidate.class)).via(augmenter::variants))
              .setCoder(JsonCoder.of(Candidate.class));
      ledger.add(
          generated.apply("CountLexical", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                  .via((Candidate c) -> Ledger.count("generated", "candidates", c.label(), 1)))
              .setCoder(ledgerCoder));
      failures = p.apply("NoFailures", Create.empty(JsonCoder.of(Failure.class)));
    }

    PCollectionTuple gated = generated.apply("QualityGate", new GateStage(gate(plan)));
    rejections.add(gated.get(GateStage.REJECTIONS));
    ledger.add(gated.get(GateStage.LEDGER));

    PCollection<Candidate> pool = gated.get(GateStage.KEPT);
    if (spec.output().includeSeeds()) {
      PCollection<Candidate> seedCandidates =
          seeds.apply("SeedsAsCandidates", MapElements.into(TypeDescriptor.of(Candidate.class)).via(SeedforgePipeline::asCandidate))
              .setCoder(JsonCoder.of(Candidate.class));
      pool = PCollectionList.of(pool).and(seedCandidates).apply("WithSeeds", Flatten.pCollections());
    }
    PCollectionTuple deduped = pool.apply("Dedup", new ExactDedup());
    rejections.add(deduped.get(ExactDedup.REJECTIONS));
    ledger.add(deduped.get(ExactDedup.LEDGER));
    PCollection<Candidate> unique = deduped.get(ExactDedup.KEPT);
    if (spec.dedup().near()) {
      List<Candidate> extraSeeds = spec.output().includeSeeds() ? List.of() : plan.seeds().stream().map(SeedforgePipeline::asCandidate).toList();
      PCollectionTuple near = unique.apply("NearDedup", new NearDedup(spec.dedup(), plan.pack().task(), spec.seed(), extraSeeds));
      rejections.add(near.get(NearDedup.REJECTIONS));
      ledger.add(near.get(NearDedup.LEDGER));
      unique = near.get(NearDedup.KEPT);
    }

    ledger.add(
        unique.apply("CountAccepted", FlatMapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((Candidate c) -> ExactDedup.SEED_GENERATOR.equals(c.provenance().generator())
                    ? List.<KV<String, Long>>of()
                    : List.of(Ledger.count("acceptance", "kept", GateStage.acceptanceKey(c), 1))))
            .setCoder(ledgerCoder));

    PCollectionTuple balanced =
        unique
            .apply("BalanceAndSplit", new BalanceAndSplit(spec.targets().perLabel(), spec.targets().labels(), spec.split().validation(), spec.seed()));
    rejections.add(balanced.get(BalanceAndSplit.REJECTIONS));
    ledger.add(balanced.get(BalanceAndSplit.LEDGER));

    ChatFormat format = new ChatFormat(plan.pack().task(), spec.output().systemMessage());
    long seed = spec.seed();
    TypeDescriptor<KV<String, KV<String, String>>> fileLine =
        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()));
    PCollection<KV<String, KV<String, String>>> dataLines =
        balanced.get(BalanceAndSplit.ASSIGNED)
            .apply("Format", MapElements.into(fileLine).via((KV<String, Candidate> kv) ->
                KV.of(kv.getKey() + ".jsonl", KV.of(shuffleKey(seed, kv.getValue().id()), format.line(kv.getValue())))));
    PCollection<KV<String, KV<String, String>>> rejectedLines =
        PCollectionList.of(rejections).apply("AllRejections", Flatten.pCollections())
            .apply("RejectionLines", MapElements.into(fileLine).via((Rejection r) ->
                KV.of(REJECTED, KV.of(r.stage() + "|" + r.filter() + "|" + r.id(), Json.write(r)))));
    PCollection<KV<String, KV<String, String>>> failedLines =
        failures.apply("FailureLines", MapElements.into(fileLine).via((Failure f) -> KV.of(FAILED, KV.of(f.requestId(), Json.write(f)))));
    PCollection<KV<String, KV<String, String>>> ledgerLines =
        PCollectionList.of(ledger).apply("AllCounters", Flatten.pCollections())
            .apply("SumCounters", Sum.longsPerKey())
            .apply("LedgerLines", MapElements.into(fileLine).via((KV<String, Long> kv) ->
                KV.of(LEDGER, KV.of(kv.getKey(), kv.getKey() + "\t" + kv.getValue()))));

    PCollectionList.of(dataLines).and(rejectedLines).and(failedLines).and(ledgerLines)
        .apply("AllLines", Flatten.pCollections())
        .apply("Write", new WriteJsonlFiles(spec.output().dir(), List.of(TRAIN, VALIDATION, REJECTED, FAILED, LEDGER)));
  }

  /** The quality gate for a run: it sees the seeds' answers and the pack's templates. */
  static QualityGate gate(RunPlan plan) {
    TaskType task = plan.pack().task();
    List<String> seedOutputs = plan.seeds().stream().map(s -> Texts.output(asCandidate(s), task)).toList();
    List<String> templates = plan.pack().strategies().stream().map(st -> st.template().text()).toList();
    return QualityGate.fromSpec(plan.spec().quality(), task, new QualityGate.Context(seedOutputs, labelled(plan), plan.pack().labels(), templates));
  }

  /** The seeds with a label, as label-model training examples. */
  public static List<LabelFilter.Example> labelled(RunPlan plan) {
    TaskType task = plan.pack().task();
    return plan.seeds().stream()
        .filter(s -> s.label() != null && !s.label().isBlank())
        .map(s -> new LabelFilter.Example(Texts.of(asCandidate(s), task), s.label()))
        .toList();
  }

  /** The order of records in a data file: a shuffle fixed by the pipeline seed. */
  static String shuffleKey(long seed, String id) {
    return String.format("%016x", Hashes.draw(seed, "shuffle|" + id)) + id;
  }

  static Candidate asCandidate(Seed s) {
    return new Candidate(
        s.id(), s.label(), s.fields(),
        new Candidate.Provenance(List.of(s.id()), "seed", null, ExactDedup.SEED_GENERATOR, null, null, 0),
        null);
  }

  private static List<KV<String, Long>> seedCounts(RunPlan plan) {
    List<KV<String, Long>> out = new ArrayList<>();
    for (Seed s : plan.seeds()) {
      out.add(Ledger.count("seeds", "read", s.label(), 1));
    }
    return out;
  }

  private static List<KV<String, Long>> plannedCounts(RunPlan plan) {
    List<KV<String, Long>> out = new ArrayList<>();
    for (GenerationRequest r : plan.requests()) {
      out.add(Ledger.count("calls", "planned", r.label(), 1));
    }
    return out;
  }
}
