package dev.seedforge.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.accounting.Tally;
import dev.seedforge.balance.Balancer;
import dev.seedforge.balance.SplitGroups;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Counts;
import dev.seedforge.util.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The manifest's {@code split} section: the shares asked for and reached, the split groups, and
 * how close each evaluation split comes to train (the largest similarity of any of its records to
 * any train record of its label, and how many of its records have one at or above the bound).
 */
final class SplitSection {
  private SplitSection() {}

  static ObjectNode of(PipelineSpec spec, SplitGroups.Settings settings, Counts counts, ObjectNode warnings) {
    ObjectNode out = Json.mapper().createObjectNode();
    Tally train = counts.tally(Counter.FINAL, "train");
    Tally validation = counts.tally(Counter.FINAL, "validation");
    Tally test = counts.tally(Counter.FINAL, "test");
    long kept = train.total() + validation.total() + test.total();
    ObjectNode requested = out.putObject("requested");
    requested.put("validation", spec.split().validation());
    requested.put("test", spec.split().test());
    ObjectNode achieved = out.putObject("achieved");
    achieved.put("validation", share(validation.total(), kept));
    achieved.put("test", share(test.total(), kept));

    ObjectNode groups = out.putObject("groups");
    groups.put("lineage", settings.lineage());
    groups.put("jaccard_bound", settings.jaccard());
    if (settings.usesCosine()) {
      groups.put("cosine_bound", settings.cosine());
    } else {
      groups.putNull("cosine_bound");
    }
    Tally count = counts.tally(Counter.SPLIT_GROUPS, "groups");
    groups.put("count", count.total());
    groups.put("mean_size", count.total() == 0 ? 0 : round((double) kept / count.total()));
    Tally largest = counts.tally(Counter.SPLIT_GROUPS, "largest");
    groups.put("largest", max(largest));
    ObjectNode perSplit = groups.putObject("per_split");
    for (String s : List.of("train", "validation", "test")) {
      Tally t = counts.tally(Counter.SPLIT_GROUPS, "groups/" + s);
      if (t.total() > 0) {
        perSplit.put(s, t.total());
      }
    }
    ObjectNode links = groups.putObject("links");
    for (String kind : List.of("lineage", "jaccard", "cosine")) {
      links.put(kind, counts.tally(Counter.SPLIT_GROUPS, "links/" + kind).total());
    }
    groups.set("largest_per_label", Manifest.tree(largest.perLabel()));

    for (String s : List.of("validation", "test")) {
      Tally records = s.equals("validation") ? validation : test;
      if (records.total() == 0) {
        continue;
      }
      ObjectNode split = out.putObject(s);
      closest(split, counts, s, "jaccard", settings.jaccard(), warnings);
      if (settings.usesCosine()) {
        closest(split, counts, s, "cosine", settings.cosine(), warnings);
      }
    }
    shortShares(spec, train, validation, test, largest, warnings);
    return out;
  }

  private static void closest(ObjectNode split, Counts counts, String s, String kind, double bound, ObjectNode warnings) {
    Tally closest = counts.tally(Counter.SPLIT_CLOSEST, s + "/" + kind);
    long variants = counts.tally(Counter.SPLIT_VARIANTS, s + "/" + kind).total();
    split.put("closest_train_" + kind, max(closest) / 1e6);
    split.put("records_with_train_" + kind + "_variant", variants);
    if (variants > 0) {
      warnings.put("split_variants/" + s + "/" + kind, String.format(Locale.ROOT,
          "%d %s records have a train record of their label at %s >= %.2f", variants, s, kind, bound));
    }
  }

  /** A label whose evaluation split got under half its share because its groups are too large. */
  private static void shortShares(PipelineSpec spec, Tally train, Tally validation, Tally test, Tally largest, ObjectNode warnings) {
    for (Map.Entry<String, Long> e : largest.perLabel().entrySet()) {
      String label = e.getKey();
      int n = (int) (train.of(label) + validation.of(label) + test.of(label));
      for (String s : List.of("validation", "test")) {
        double value = s.equals("validation") ? spec.split().validation() : spec.split().test();
        int wanted = Balancer.evaluationCount(n, value);
        long got = s.equals("validation") ? validation.of(label) : test.of(label);
        if (wanted > 0 && got * 2 < wanted) {
          warnings.put("split_groups/" + s + "/" + label, String.format(Locale.ROOT,
              "label %s has %d %s records of the %d asked for: its split groups are too large (the largest holds %d of %d records);"
                  + " raise split.group_jaccard or split.group_cosine, or set split.group_lineage: false",
              label, got, s, wanted, e.getValue(), n));
        }
      }
    }
  }

  private static long max(Tally t) {
    return t.perLabel().isEmpty() ? t.total() : t.perLabel().values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private static double share(long part, long whole) {
    return whole == 0 ? 0 : round((double) part / whole);
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
