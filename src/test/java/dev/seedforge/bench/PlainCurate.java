package dev.seedforge.bench;

import dev.seedforge.balance.Balancer;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.dedup.LshBands;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.dedup.NearDuplicates;
import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.format.Example;
import dev.seedforge.format.FormatRecords;
import dev.seedforge.format.FormatSpec;
import dev.seedforge.format.PromptCompletion;
import dev.seedforge.format.RecordFormats;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.CurateInput;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.SeedforgePipeline;
import dev.seedforge.quality.LabelCheck;
import dev.seedforge.quality.LabelFilter;
import dev.seedforge.quality.QualityGate;
import dev.seedforge.quality.Texts;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every stage {@code curate} runs, done in one plain single-threaded loop with the project's own
 * stage logic: parse, the quality gate, the out-of-fold label check, exact and MinHash near dedup
 * (seeds win), per-label balance and split, one line per record in every format, rejection lines,
 * and the files written in shuffle order. The benchmarks' reference for what the Beam job adds
 * around the same work; {@link CurateSpeedBenchmark#plainLoop} is the narrower loop the issue
 * first measured (gate and dedup only).
 *
 * <p>Not a second implementation of curate: the split-group bounds, learning-curve subsets,
 * provenance side files, the manifest and the ledger are left out (they are small next to these
 * stages), and the per-label cap is {@code targets.per_label} (or the label's own target).
 */
final class PlainCurate {
  /** What the loop wrote: records kept, lines written, rejections. */
  record Result(long kept, long lines, long rejected) {}

  private PlainCurate() {}

  static Result run(List<String> lines, RunPlan plan, Path outDir) throws IOException {
    PipelineSpec spec = plan.spec();
    TaskType task = plan.pack().task();
    QualityGate gate = SeedforgePipeline.gate(plan);
    CurateInput parser = new CurateInput(task, plan.pack().labels().keySet(), "records.jsonl");
    List<String> rejected = new ArrayList<>();

    // parse and gate
    List<Candidate> passed = new ArrayList<>();
    for (String line : lines) {
      CurateInput.Parsed parsed = parser.parse(line);
      if (parsed == null) {
        continue;
      }
      if (parsed.candidate() == null) {
        rejected.add(Json.write(parsed.rejection()));
        continue;
      }
      QualityGate.Decision d = gate.decide(parsed.candidate());
      if (d.rejected().isPresent()) {
        var r = d.rejected().get();
        rejected.add(Json.write(Rejection.of(parsed.candidate(), "quality", r.filter(), r.verdict().reason(), r.verdict().score(), r.verdict().threshold(), null)));
      } else {
        passed.add(d.candidate());
      }
    }

    // the out-of-fold label check over the whole pool
    List<LabelFilter.Example> labelled = SeedforgePipeline.labelled(plan);
    PipelineSpec.Relevance r = spec.quality().relevance();
    if (r != null && r.labelCheck() && task == TaskType.CLASSIFICATION && labelled.stream().map(LabelFilter.Example::label).distinct().count() >= 2) {
      LabelCheck check = (LabelCheck.Features.of(r.resolvedLabelFeatures()) == LabelCheck.Features.EMBEDDINGS
          ? LabelCheck.embeddings(r.cvFolds(), spec.seed(), r.embeddingModel())
          : LabelCheck.words(r.cvFolds(), spec.seed()))
          .withMargin(r.labelMargin()).withMinProbability(r.minLabelProbability());
      List<LabelCheck.Item> items = new ArrayList<>(passed.size());
      passed.forEach(c -> items.add(new LabelCheck.Item(c.id(), Texts.of(c, task), c.label())));
      Set<String> suspects = new HashSet<>();
      for (LabelCheck.Judged j : check.check(labelled, plan.pack().labels(), items).judged()) {
        if (!j.verdict().keep()) {
          suspects.add(j.item().id());
        }
      }
      List<Candidate> kept = new ArrayList<>(passed.size());
      for (Candidate c : passed) {
        if (suspects.contains(c.id())) {
          rejected.add(Json.write(Rejection.of(c, "quality", LabelFilter.NAME, "label check", null, null, null)));
        } else {
          kept.add(c);
        }
      }
      passed = kept;
    }

    // exact dedup: seeds first, then records in id order
    PipelineSpec.Dedup dd = spec.dedup();
    MinHasher hasher = new MinHasher(dd.shingle(), dd.numHashes(), spec.seed());
    Map<String, Boolean> keys = new HashMap<>();
    List<NearDuplicates.Sketch> sketches = new ArrayList<>();
    for (Seed s : plan.seeds()) {
      Candidate c = new Candidate(s.id(), s.label(), s.fields(),
          new Candidate.Provenance(List.of(s.id()), "seed", null, dev.seedforge.dedup.ExactDedup.SEED_GENERATOR, null, null, 0), null);
      keys.put(TextNormalizer.key(c.fields()), true);
      sketches.add(new NearDuplicates.Sketch(c.id(), true, hasher.shingles(Texts.of(c, task))));
    }
    passed.sort(java.util.Comparator.comparing(Candidate::id));
    Map<String, Candidate> unique = new HashMap<>();
    for (Candidate c : passed) {
      Boolean seen = keys.putIfAbsent(TextNormalizer.key(c.fields()), false);
      if (seen != null) {
        rejected.add(Json.write(Rejection.of(c, "dedup", seen ? "copy_of_seed" : "exact_duplicate", "duplicate", null, null, null)));
      } else {
        unique.put(c.id(), c);
        sketches.add(new NearDuplicates.Sketch(c.id(), false, hasher.shingles(Texts.of(c, task))));
      }
    }
    if (dd.near()) {
      for (NearDuplicates.Assignment a : NearDuplicates.findAll(sketches, hasher, LshBands.forThreshold(dd.nearThreshold(), dd.numHashes()), dd.nearThreshold())) {
        Candidate c = a.keep() ? null : unique.remove(a.id());
        if (c != null) {
          rejected.add(Json.write(Rejection.of(c, "dedup", a.keptIsSeed() ? "near_copy_of_seed" : "near_duplicate", "near duplicate", a.jaccard(), dd.nearThreshold(), a.keptId())));
        }
      }
    }

    // balance and split per label
    Map<String, List<Candidate>> byLabel = new TreeMap<>();
    unique.values().forEach(c -> byLabel.computeIfAbsent(c.label() == null ? "" : c.label(), k -> new ArrayList<>()).add(c));
    List<Balancer.Assigned> assigned = new ArrayList<>();
    byLabel.forEach((label, members) -> {
      int wanted = spec.targets().wanted(label);
      Balancer.Result b = Balancer.assign(members, wanted > 0 ? wanted : spec.targets().perLabel(), spec.split(), spec.seed());
      assigned.addAll(b.kept());
      b.overQuota().forEach(c -> rejected.add(Json.write(Rejection.of(c, "balance", "label_quota", "over quota", null, null, null))));
    });

    // format and write, each file in shuffle order
    List<FormatSpec> formats = spec.output().formats();
    String system = SeedforgePipeline.recordSystemMessage(plan);
    Map<String, Long> masks = new HashMap<>();
    List<Example> examples = new ArrayList<>(assigned.size());
    for (Balancer.Assigned a : assigned) {
      Example e = Example.of(a.candidate(), task, system, plan.pack().description());
      examples.add(e);
      for (FormatSpec f : formats) {
        if (f.kind().equals("prompt-completion")) {
          masks.merge(f.name(), PromptCompletion.occurring(f, e), (x, y) -> x | y);
        }
      }
    }
    Map<String, TreeMap<String, String>> files = new TreeMap<>();
    for (int i = 0; i < assigned.size(); i++) {
      Balancer.Assigned a = assigned.get(i);
      String key = FormatRecords.shuffleKey(spec.seed(), a.candidate().id());
      for (FormatSpec f : formats) {
        PromptCompletion.Markers markers = f.kind().equals("prompt-completion") ? PromptCompletion.choose(f, masks.getOrDefault(f.name(), 0L)) : null;
        files.computeIfAbsent(RecordFormats.fileName(f, a.split().name().toLowerCase(java.util.Locale.ROOT), formats.size()), k -> new TreeMap<>())
            .put(key, RecordFormats.line(f, examples.get(i), markers));
      }
    }
    files.computeIfAbsent(SeedforgePipeline.REJECTED, k -> new TreeMap<>());
    for (String line : rejected) {
      files.get(SeedforgePipeline.REJECTED).put(line, line);
    }
    long written = 0;
    Files.createDirectories(outDir);
    for (var file : files.entrySet()) {
      Path p = outDir.resolve(file.getKey());
      Files.createDirectories(p.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
        for (String line : file.getValue().values()) {
          w.write(line);
          w.newLine();
          written++;
        }
      }
    }
    return new Result(assigned.size(), written, rejected.size());
  }
}
