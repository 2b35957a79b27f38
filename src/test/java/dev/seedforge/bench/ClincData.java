package dev.seedforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CLINC150 (Larson et al., EMNLP 2019; ../shared/data/clinc150/data_full.json): real short
 * queries of 150 intents, and out-of-scope queries. Read once per JVM.
 */
public final class ClincData {
  public static final Path FILE = Path.of("../shared/data/clinc150/data_full.json");

  /** Twelve close banking intents: balances, bills, payments, transactions and cards. */
  public static final List<String> BANKING = List.of(
      "balance", "bill_balance", "bill_due", "pay_bill", "min_payment", "transactions",
      "spending_history", "transfer", "card_declined", "report_lost_card", "damaged_card", "freeze_account");

  /** A query and its intent. */
  public record Query(String text, String intent) {}

  private static volatile Map<String, List<Query>> splits;

  private ClincData() {}

  public static boolean available() {
    return Files.isRegularFile(FILE);
  }

  /** The queries of a split (train, val, test, oos_train, oos_val, oos_test), in file order. */
  public static List<Query> split(String name) {
    return all().get(name);
  }

  /** The queries of a split whose intent is one of {@code intents}, in file order. */
  public static List<Query> split(String name, Set<String> intents) {
    return split(name).stream().filter(q -> intents.contains(q.intent())).toList();
  }

  private static Map<String, List<Query>> all() {
    if (splits == null) {
      synchronized (ClincData.class) {
        if (splits == null) {
          try {
            JsonNode root = Json.mapper().readTree(FILE.toFile());
            Map<String, List<Query>> out = new LinkedHashMap<>();
            root.fields().forEachRemaining(e -> {
              List<Query> qs = new ArrayList<>();
              e.getValue().forEach(pair -> qs.add(new Query(pair.get(0).asText(), pair.get(1).asText())));
              out.put(e.getKey(), List.copyOf(qs));
            });
            splits = out;
          } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + FILE, e);
          }
        }
      }
    }
    return splits;
  }
}
