package dev.seedforge.pipeline;

import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.balance.BalanceAndSplit;
import dev.seedforge.balance.LearningCurveSubsets;
import dev.seedforge.balance.Subsets;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.dedup.NearDedup;
import dev.seedforge.format.FormatRecords;
import dev.seedforge.format.FormatSpec;
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
import dev.seedforge.util.Json;
import dev.seedforge.util.Timings;
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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The batch job, reading like the flow in docs/architecture.md: seeds → generate → quality gate → dedup →
 * balance and split → format → write. Every stage's rejections flow to rejected.jsonl, every failed
 * call to failed.jsonl, and every stage's counters to the ledger behind manifest.json.
 */
public final class SeedforgePipeline {
  /** The data files with one format; with several they are in one folder per format. */
  public static final String TRAIN = "train.jsonl";
  public static final String VALIDATION = "validation.jsonl";
  public static final String REJECTED = "rejected.jsonl";
  public static final String FAILED = "failed.jsonl";
  public static final String LEDGER = ".ledger.jsonl";
  /** The round's {@link CallRecord}s, one per request, read back by the driver; deleted after the run. */
  public static final String CALLS = ".calls.jsonl";
  /** The final records (label, input text, seed or not) for the manifest's bias section; deleted after the run. */
  public static final String FINAL = ".final.jsonl";

  private static final TypeDescriptor<KV<Ledger.Key, Long>> COUNT = new TypeDescriptor<>() {};
  private static final TupleTag<Candidate> INPUT_OK = new TupleTag<>() {};
  private static final TupleTag<Rejection> INPUT_BAD = new TupleTag<>() {};
  private static final TupleTag<KV<Ledger.Key, Long>> INPUT_LEDGER = new TupleTag<>() {};

  private SeedforgePipeline() {}

  /**
   * The job. {@code run} says which run and round the calls belong to and where their account is
   * kept; with {@code curateInput} (a JSONL file, see {@link CurateInput}) its records replace
   * generation and go through the same gate, dedup, balance, split and output stages.
   */
  public static void build(Pipeline p, RunPlan plan, RunContext run, String curateInput) {
    Timings.planned();
    Timings.time(Timings.PIPELINE, () -> {
      assemble(p, plan, run, curateInput);
      return null;
    });
  }

  private static void assemble(Pipeline p, RunPlan plan, RunContext run, String curateInput) {
    PipelineSpec spec = plan.spec();
    KvCoder<Ledger.Key, Long> ledgerCoder = Ledger.coder();
    List<PCollection<Rejection>> rejections = new ArrayList<>();
    List<PCollection<KV<Ledger.Key, Long>>> ledger = new ArrayList<>();
    // a run with no calls (or no failures) has no such collection: its file is still written, empty
    List<PCollection<Failure>> failures = new ArrayList<>();
    List<PCollection<CallRecord>> calls = new ArrayList<>();
    int shards = directShards(p.getOptions());
    boolean lexical = curateInput == null && !plan.usesLlm();

    ReadSeeds readSeeds = ReadSeeds.of(plan.seeds(), spec.output().includeSeeds()).withGroups(shards);
    if (lexical) {
      readSeeds = readSeeds.withLexical(new LexicalAugmenter(spec.lexical(), spec.seed(), plan.pack().task()));
      readSeeds = readSeeds.withPrefetch(prefetchModel(plan));
    }
    PCollectionTuple seeds = p.apply("ReadSeeds", readSeeds);
    ledger.add(seeds.get(ReadSeeds.LEDGER));

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
                        out.get(INPUT_LEDGER).output(Ledger.count(Counter.GENERATED, parsed.candidate().label(), 1));
                      } else {
                        out.get(INPUT_BAD).output(parsed.rejection());
                        out.get(INPUT_LEDGER).output(Ledger.count(Counter.REJECTED, "input/" + parsed.rejection().filter(), parsed.rejection().label(), 1));
                      }
                    }
                  }).withOutputTags(INPUT_OK, TupleTagList.of(INPUT_BAD).and(INPUT_LEDGER)));
      generated = read.get(INPUT_OK).setCoder(JsonCoder.of(Candidate.class));
      rejections.add(read.get(INPUT_BAD).setCoder(JsonCoder.of(Rejection.class)));
      ledger.add(read.get(INPUT_LEDGER).setCoder(ledgerCoder));
    } else if (plan.usesLlm()) {
      PCollectionTuple g =
          p.apply("PlanRequests", Create.of(Evolution.plain(plan.requests())).withCoder(JsonCoder.of(GenerationRequest.class)))
              .apply("Generate", new GenerateCandidates(plan.modelSettings(), run, plan.requests().size()).withBatch(plan.batchSettings())
                  .withPrefetch(prefetchModel(plan)));
      calls.add(g.get(GenerateCandidates.CALLS));
      generated = g.get(GenerateCandidates.CANDIDATES);
      rejections.add(g.get(GenerateCandidates.REJECTIONS));
      failures.add(g.get(GenerateCandidates.FAILURES));
      ledger.add(g.get(GenerateCandidates.LEDGER));
      if (!Evolution.rewrites(plan.requests()).isEmpty()) {
        PCollectionTuple e = Evolution.evolve(p, plan, run);
        generated = PCollectionList.of(generated).and(e.get(dev.seedforge.evolve.EvolveTasks.CANDIDATES)).apply("WithEvolved", Flatten.pCollections());
        rejections.add(e.get(dev.seedforge.evolve.EvolveTasks.REJECTIONS));
        failures.add(e.get(dev.seedforge.evolve.EvolveTasks.FAILURES));
        ledger.add(e.get(dev.seedforge.evolve.EvolveTasks.LEDGER));
        calls.add(e.get(dev.seedforge.evolve.EvolveTasks.CALLS));
      }
    } else {
      generated = seeds.get(ReadSeeds.VARIANTS);
    }

    QualityGate gate = gate(plan);
    if (shards > 0) {
      warmUp(gate, lexical);
    }
    GateStage gateStage = labelCheck(plan).map(l -> shards > 0 ? l.withShards(shards) : l).map(new GateStage(gate)::withLabelCheck).orElse(new GateStage(gate));
    PCollectionTuple gated = generated.apply("QualityGate", gateStage);
    rejections.add(gated.get(GateStage.REJECTIONS));
    ledger.add(gated.get(GateStage.LEDGER));

    PCollection<Candidate> pool = gated.get(GateStage.KEPT);
    if (spec.output().includeSeeds()) {
      pool = PCollectionList.of(pool).and(seeds.get(ReadSeeds.SEEDS)).apply("WithSeeds", Flatten.pCollections());
    }
    PCollectionTuple deduped = pool.apply("Dedup", shards > 0 ? new ExactDedup(plan.pack().task()).withShards(shards) : new ExactDedup(plan.pack().task()));
    rejections.add(deduped.get(ExactDedup.REJECTIONS));
    ledger.add(deduped.get(ExactDedup.LEDGER));
    PCollection<Candidate> unique = deduped.get(ExactDedup.KEPT);
    if (spec.dedup().near()) {
      List<Candidate> extraSeeds = spec.output().includeSeeds() ? List.of() : plan.seeds().stream().map(SeedforgePipeline::asCandidate).toList();
      NearDedup nearDedup = new NearDedup(spec.dedup(), plan.pack().task(), spec.seed(), extraSeeds);
      PCollectionTuple near = unique.apply("NearDedup", shards > 0 ? nearDedup.withShards(shards) : nearDedup);
      rejections.add(near.get(NearDedup.REJECTIONS));
      ledger.add(near.get(NearDedup.LEDGER));
      unique = near.get(NearDedup.KEPT);
    }
    if (dev.seedforge.pairs.PairPlan.on(plan)) {
      dev.seedforge.pairs.PairStage.Result pairs = dev.seedforge.pairs.PairStage.apply(unique, dev.seedforge.pairs.PairPlan.config(plan), run);
      rejections.add(pairs.rejections());
      ledger.add(pairs.ledger());
      failures.add(pairs.failures());
      calls.add(pairs.calls());
      unique = pairs.kept();
    }
    if (Evolution.checksNovelty(plan)) {
      PCollectionTuple novel = unique.apply("Novelty", Evolution.novelty(plan));
      rejections.add(novel.get(dev.seedforge.evolve.NoveltyStage.REJECTIONS));
      ledger.add(novel.get(dev.seedforge.evolve.NoveltyStage.LEDGER));
      unique = novel.get(dev.seedforge.evolve.NoveltyStage.KEPT);
    }
    if (dev.seedforge.judge.JudgePlan.on(spec)) {
      PCollectionTuple judged = unique.apply("Judge", new dev.seedforge.judge.JudgeStage(dev.seedforge.judge.JudgePlan.config(plan), run));
      rejections.add(judged.get(dev.seedforge.judge.JudgeStage.REJECTIONS));
      ledger.add(judged.get(dev.seedforge.judge.JudgeStage.LEDGER));
      failures.add(judged.get(dev.seedforge.judge.JudgeStage.FAILURES));
      calls.add(judged.get(dev.seedforge.judge.JudgeStage.CALLS));
      unique = judged.get(dev.seedforge.judge.JudgeStage.KEPT);
    }

    if (!plan.chunks().isEmpty()) {
      ledger.add(Grounded.countPerChunk("CountPerChunk", unique, Counter.CHUNK_AVAILABLE));
    }
    List<PCollection<KV<String, KV<String, String>>>> accepted = new ArrayList<>();
    if (Evolution.evolving(plan)) {
      ledger.add(Evolution.countKept(unique));
    }
    if (Evolution.feedsBack(plan)) {
      accepted.add(Evolution.acceptedLines(unique));
    }
    ledger.add(
        unique.apply("CountAccepted", FlatMapElements.into(COUNT)
                .via((Candidate c) -> ExactDedup.isSeed(c)
                    ? List.<KV<Ledger.Key, Long>>of()
                    : List.of(Ledger.count(Counter.ACCEPTANCE_KEPT, GateStage.strategyOf(c), GateStage.templateOf(c), 1))))
            .setCoder(ledgerCoder));

    PCollectionTuple balanced =
        unique
            .apply("BalanceAndSplit", new BalanceAndSplit(spec.targets(), spec.split(), spec.seed())
                .withGroups(splitGroups(plan), plan.pack().task(), seedBasedStrategies(plan)).withShards(shards > 0 ? shards : BalanceAndSplit.SHARDS));
    rejections.add(balanced.get(BalanceAndSplit.REJECTIONS));
    ledger.add(balanced.get(BalanceAndSplit.LEDGER));

    TypeDescriptor<KV<String, KV<String, String>>> fileLine =
        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()));
    PCollection<KV<String, Candidate>> assigned = balanced.get(BalanceAndSplit.ASSIGNED);
    if (!spec.split().subsets().isEmpty()) {
      PCollectionTuple subsets = balanced.get(BalanceAndSplit.TRAIN_RANKED).apply("Subsets", new LearningCurveSubsets(spec.split().subsets()));
      ledger.add(subsets.get(LearningCurveSubsets.LEDGER));
      assigned = PCollectionList.of(assigned).and(subsets.get(LearningCurveSubsets.ASSIGNED)).apply("WithSubsets", Flatten.pCollections());
    }
    List<PCollection<KV<String, KV<String, String>>>> provenance = new ArrayList<>();
    if (!plan.chunks().isEmpty()) {
      ledger.add(Grounded.countPerChunk("CountWrittenPerChunk",
          balanced.get(BalanceAndSplit.ASSIGNED).apply("Records", org.apache.beam.sdk.transforms.Values.create()), Counter.CHUNK_WRITTEN));
      provenance.add(Grounded.provenanceLines(assigned, spec.seed()));
      if (spec.documents().includeContext()) {
        assigned = Grounded.withContext(assigned, Grounded.texts(plan.chunks()));
      }
    }
    if (dev.seedforge.pairs.PairPlan.on(plan)) {
      provenance.add(dev.seedforge.pairs.PairSidecar.lines(assigned, spec.seed()));
    }
    if (plan.chunks().isEmpty() && spec.evolution().on()) {
      provenance.add(Grounded.provenanceLines(assigned, spec.seed()));
    }
    // the records Format sees are the bias report's unless subsets or document context were added
    boolean biasRowsInFormat = assigned == balanced.get(BalanceAndSplit.ASSIGNED);
    FormatRecords format = new FormatRecords(spec.output().formats(), plan.pack().task(), recordSystemMessage(plan), plan.pack().description(), spec.seed())
        .withTrainOn(spec.output().trainOn());
    PCollectionTuple formatted = assigned.apply("Format", biasRowsInFormat ? format.withBiasRows(FINAL) : format);
    List<PCollection<KV<String, KV<String, String>>>> lines = new ArrayList<>(List.of(formatted.get(FormatRecords.LINES)));
    dev.seedforge.seed.TaskType task = plan.pack().task();
    if (!biasRowsInFormat) {
      lines.add(balanced.get(BalanceAndSplit.ASSIGNED)
          .apply("BiasRows", MapElements.into(fileLine).via((KV<String, Candidate> kv) -> KV.of(FINAL, KV.of(kv.getValue().id(), FormatRecords.biasRow(kv.getValue(), task))))));
    }
    if (formatted.has(FormatRecords.LEDGER)) {
      ledger.add(formatted.get(FormatRecords.LEDGER));
    }
    lines.add(PCollectionList.of(rejections).apply("AllRejections", Flatten.pCollections())
        .apply("RejectionLines", MapElements.into(fileLine).via((Rejection r) ->
            KV.of(REJECTED, KV.of(r.stage() + "|" + r.filter() + "|" + r.id(), Json.write(r))))));
    if (!failures.isEmpty()) {
      lines.add(PCollectionList.of(failures).apply("AllFailures", Flatten.pCollections())
          .apply("FailureLines", MapElements.into(fileLine).via((Failure f) -> KV.of(FAILED, KV.of(f.requestId(), Json.write(f))))));
    }
    if (!calls.isEmpty()) {
      lines.add(PCollectionList.of(calls).apply("AllCalls", Flatten.pCollections())
          .apply("CallLines", MapElements.into(fileLine).via((CallRecord c) -> KV.of(CALLS, KV.of(c.requestId(), Json.write(c))))));
    }
    lines.add(PCollectionList.of(ledger).apply("AllCounters", Flatten.pCollections())
        .apply("SumCounters", new Ledger.SumAllToLines(LEDGER)));

    PCollectionList.of(lines).and(provenance).and(accepted)
        .apply("AllLines", Flatten.pCollections())
        .apply("Write", shards > 0 ? new WriteJsonlFiles(spec.output().dir(), allFiles(spec), bomFiles(spec)).withShards(shards)
            : new WriteJsonlFiles(spec.output().dir(), allFiles(spec), bomFiles(spec)));
  }

  /**
   * On the DirectRunner, the groups of each shuffle: one per worker thread (its target
   * parallelism). It tracks a watermark hold and hands on a bundle for every key, and translates a
   * ParDo again for every bundle, so the stages' default shard counts (up to 64, which bound a
   * cluster's parallelism) cost a small run more than they balance. 0 on other runners: defaults.
   */
  static int directShards(org.apache.beam.sdk.options.PipelineOptions options) {
    if (!options.getRunner().getSimpleName().equals("DirectRunner")) {
      return 0;
    }
    return Math.max(1, options.as(org.apache.beam.runners.direct.DirectOptions.class).getTargetParallelism());
  }

  /**
   * On the DirectRunner the job runs in this JVM: its models (WordNet and the taggers for lexical
   * generation, the filters' models and seed vectors) load on a background thread while the
   * runner starts, instead of one after another on the first records. A load that fails here is
   * retried, and reported, where the job first uses it.
   */
  private static void warmUp(QualityGate gate, boolean lexical) {
    inBackground("seedforge-warm-up", () -> {
      if (lexical) {
        loadLexicalModels();
      }
      gate.warmUp();
    });
  }

  /**
   * Starts loading the offline generator's models (WordNet, the tagger and the sentence model) on
   * a background thread, for a run whose job will run in this JVM: the driver calls it as soon as
   * it knows the plan, so they load while it calibrates the filters and builds the pipeline.
   */
  public static void warmUpLexical(RunPlan plan, org.apache.beam.sdk.options.PipelineOptions options) {
    if (!plan.usesLlm() && directShards(options) > 0) {
      inBackground("seedforge-warm-up-lexical", SeedforgePipeline::loadLexicalModels);
    }
  }

  private static void loadLexicalModels() {
    dev.seedforge.nlp.NlpModels.wordnet();
    dev.seedforge.nlp.NlpModels.posModel();
    dev.seedforge.nlp.NlpModels.sentenceModel();
  }

  private static void inBackground(String name, Runnable load) {
    Thread t = new Thread(() -> {
      try {
        load.run();
      } catch (RuntimeException e) {
        // the job loads it again and fails with the message where it needs it
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * The system message written into the records: the pipeline's output.system_message, else the
   * pack's student_system_message (prompt distillation), else none.
   */
  public static String recordSystemMessage(RunPlan plan) {
    String own = plan.spec().output().systemMessage();
    return own != null ? own : plan.pack().studentSystemMessage();
  }

  /** The splits written as data files, in order. */
  public static List<String> splits(PipelineSpec spec) {
    List<String> splits = new ArrayList<>(List.of("train", "validation"));
    if (spec.split().test() > 0) {
      splits.add("test");
    }
    for (double s : spec.split().subsets()) {
      splits.add(Subsets.name(s));
    }
    return splits;
  }

  /** The data files of every format and split (train.jsonl, or alpaca/train.jsonl with several formats). */
  public static List<String> dataFiles(PipelineSpec spec) {
    return FormatRecords.dataFiles(spec.output().formats(), splits(spec));
  }

  /** Every file the run writes but the manifest. */
  public static List<String> allFiles(PipelineSpec spec) {
    List<String> files = new ArrayList<>(dataFiles(spec));
    files.addAll(List.of(REJECTED, FAILED, LEDGER, FINAL, CALLS, Evolution.ACCEPTED));
    if (spec.documents().any() || spec.evolution().on()) {
      splits(spec).forEach(split -> files.add(Grounded.sidecar(split)));
    }
    if (spec.output().formats().stream().anyMatch(dev.seedforge.format.PreferenceRecords::handles)) {
      splits(spec).forEach(split -> files.add(dev.seedforge.pairs.PairSidecar.name(split)));
    }
    return files;
  }

  /** With output.azure, the openai-chat files get a UTF-8 byte-order mark. */
  static java.util.Set<String> bomFiles(PipelineSpec spec) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    if (spec.output().azure()) {
      for (FormatSpec f : spec.output().formats()) {
        if (f.kind().equals("openai-chat")) {
          for (String split : splits(spec)) {
            out.add(dev.seedforge.format.RecordFormats.fileName(f, split, spec.output().formats().size()));
          }
        }
      }
    }
    return out;
  }

  /**
   * The embedding model whose vectors of the generated candidates (the responses' items, or the
   * lexical variants) the gate will need (its domain relevance or its label check by embeddings,
   * on the texts {@link Texts#of} gives), to embed them while they are being made; null when the
   * gate embeds none of them that way.
   */
  static String prefetchModel(RunPlan plan) {
    TaskType task = plan.pack().task();
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    if ((task != TaskType.CLASSIFICATION && task != TaskType.INSTRUCTION) || r == null || !r.embeddings()) {
      return null;
    }
    boolean domain = r.domainCheck() && !plan.seeds().isEmpty();
    boolean labels = labelCheck(plan).isPresent() && r.resolvedLabelFeatures().equals("embeddings");
    return domain || labels ? r.embeddingModel() : null;
  }

  /** The quality gate for a run: it sees the seeds' answers and the pack's templates. */
  public static QualityGate gate(RunPlan plan) {
    TaskType task = plan.pack().task();
    if (task == TaskType.CONVERSATION) {
      return dev.seedforge.quality.ConversationGate.forRun(plan.spec().quality(), plan.pack().conversation(), plan.seeds(),
          plan.pack().strategies().stream().map(st -> st.template().text()).toList());
    }
    if (task == TaskType.PREFERENCE) {
      // a prompt is judged with its answers, after the pair stage (dev.seedforge.pairs.PairGate)
      return new QualityGate(List.of(), task);
    }
    List<String> seedOutputs = plan.seeds().stream().map(s -> Texts.output(asCandidate(s), task)).toList();
    List<String> templates = plan.pack().strategies().stream().map(st -> st.template().text()).toList();
    List<dev.seedforge.quality.DomainRelevanceFilter.SeedText> seedTexts = plan.seeds().stream()
        .map(s -> new dev.seedforge.quality.DomainRelevanceFilter.SeedText(s.id(), s.label(), Texts.of(asCandidate(s), task)))
        .toList();
    QualityGate gate = QualityGate.fromSpec(plan.spec().quality(), task, new QualityGate.Context(seedOutputs, labelled(plan), plan.pack().labels(), templates, seedTexts));
    return plan.chunks().isEmpty() ? gate : gate.withFilter(groundedness(plan));
  }

  /** The groundedness filter of a run over documents: lexical support, and MiniLM similarity when embeddings are on. */
  static dev.seedforge.quality.GroundednessFilter groundedness(RunPlan plan) {
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    String model = r != null && r.embeddings() ? r.embeddingModel() : null;
    return new dev.seedforge.quality.GroundednessFilter(Grounded.texts(plan.chunks()), plan.spec().documents().minSupport(), model,
        dev.seedforge.quality.GroundednessFilter.DEFAULT_MIN_SIMILARITY);
  }

  /** The out-of-fold label check of a run, when it has one (classification, label_check on). */
  public static java.util.Optional<dev.seedforge.quality.LabelCheckStage> labelCheck(RunPlan plan) {
    TaskType task = plan.pack().task();
    PipelineSpec.Judge judge = plan.spec().judge();
    boolean consensus = judge.enabled() && judge.relabel() && judge.onDisagreement() == PipelineSpec.OnDisagreement.CONSENSUS;
    return QualityGate.labelCheck(plan.spec().quality(), task,
        new QualityGate.Context(List.of(), labelled(plan), plan.pack().labels(), List.of()), plan.spec().seed())
        .map(stage -> stage.withEvidence(consensus));
  }

  /** The line printed at run start about the off-topic bound, when the domain check is on. */
  public static java.util.Optional<String> relevanceNote(RunPlan plan) {
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    if (r == null || !r.domainCheck() || plan.seeds().isEmpty()) {
      return java.util.Optional.empty();
    }
    dev.seedforge.quality.DomainRelevanceFilter.Bound b = relevanceBound(plan);
    return java.util.Optional.of(String.format(java.util.Locale.ROOT, "domain relevance rejects similarity to the closest seed under %.3f, from %s", b.value(), b.source()));
  }

  /** The domain relevance filter's off-topic bound for a run and where it came from. */
  public static dev.seedforge.quality.DomainRelevanceFilter.Bound relevanceBound(RunPlan plan) {
    TaskType task = plan.pack().task();
    List<dev.seedforge.quality.DomainRelevanceFilter.SeedText> seedTexts = plan.seeds().stream()
        .map(s -> new dev.seedforge.quality.DomainRelevanceFilter.SeedText(s.id(), s.label(), Texts.of(asCandidate(s), task)))
        .toList();
    return QualityGate.relevanceBound(plan.spec().quality().relevance(), seedTexts);
  }

  /** The token_count filter's bounds for a run: as configured, or derived from the seeds. */
  public static dev.seedforge.quality.TokenBounds tokenBounds(RunPlan plan) {
    TaskType task = plan.pack().task();
    if (task == TaskType.CONVERSATION) {
      // conversations: token_count judges each assistant turn
      return dev.seedforge.quality.TokenBounds.of(plan.spec().quality(), plan.seeds().stream()
          .flatMap(s -> dev.seedforge.seed.Conversation.assistantTurns(dev.seedforge.seed.Conversation.turns(s.fields())).stream()).toList());
    }
    // instructions: token_count judges the output, so the band comes from the seeds' outputs
    return dev.seedforge.quality.TokenBounds.of(plan.spec().quality(), plan.seeds().stream()
        .map(s -> task == TaskType.INSTRUCTION || task == TaskType.PREFERENCE ? Texts.output(asCandidate(s), task) : Texts.of(asCandidate(s), task))
        .toList());
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
    return FormatRecords.shuffleKey(seed, id);
  }

  static Candidate asCandidate(Seed s) {
    return new Candidate(
        s.id(), s.label(), s.fields(),
        new Candidate.Provenance(List.of(s.id()), "seed", null, ExactDedup.SEED_GENERATOR, null, null, 0),
        null);
  }

  /** The split groups' bounds: cosine only where the run has embeddings on. */
  public static dev.seedforge.balance.SplitGroups.Settings splitGroups(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    PipelineSpec.Relevance relevance = spec.quality().relevance();
    return dev.seedforge.balance.SplitGroups.Settings.of(
        spec.split().groups(), spec.dedup(), spec.seed(), relevance.embeddings() ? relevance.embeddingModel() : null);
  }

  /** The pack's strategies that vary one seed each ({@code basis: seed}): their records share that seed's lineage. */
  static java.util.Set<String> seedBasedStrategies(RunPlan plan) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    plan.pack().strategies().stream()
        .filter(st -> st.basis() == dev.seedforge.prompt.Pack.Basis.SEED)
        .forEach(st -> out.add(st.name()));
    // an evolved task rewrites one seed (through its ancestors), whose id heads its seed ids
    out.add(dev.seedforge.evolve.EvolutionPlanner.STRATEGY);
    return out;
  }

}
