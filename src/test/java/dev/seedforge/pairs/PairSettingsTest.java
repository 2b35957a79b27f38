package dev.seedforge.pairs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairSettingsTest {
  @TempDir Path dir;

  Path pack(String task, String pairs) throws IOException {
    Files.createDirectories(dir.resolve("templates"));
    Files.writeString(dir.resolve("templates/t.txt"), "Write {{n}} requests.\n{{examples}}\n");
    Files.writeString(dir.resolve("seeds.jsonl"), "{\"prompt\": \"How do I boil an egg?\"}\n");
    Files.writeString(dir.resolve("pack.yaml"), "task: " + task + "\nsystem_prompt: s\nlabels: {a: first}\nstrategies:\n  s: {template: templates/t.txt}\n" + pairs);
    return dir;
  }

  @Test
  void should_default_a_preference_pack_to_degrade_with_every_degradation() throws IOException {
    Pack p = PackLoader.load(pack("preference", ""));

    assertThat(p.pairs().method()).isEqualTo(PairMethod.DEGRADE);
    assertThat(p.pairs().degradations()).containsExactly(Degradation.values());
    assertThat(p.pairs().maxSimilarity()).isEqualTo(PairSettings.DEFAULT_MAX_SIMILARITY);
  }

  @Test
  void should_read_the_weaker_generator_of_method_models() throws IOException {
    Pack p = PackLoader.load(pack("preference", "pairs: {method: models, rejected_llm: {model: gpt-4.1-nano, temperature: 1.2}}\n"));

    assertThat(p.pairs().rejectedLlm()).isEqualTo(new PairSettings.RejectedLlm("gpt-4.1-nano", null, 1.2, null));
  }

  @Test
  void should_name_every_wrong_pairs_key_with_what_to_do() throws IOException {
    Path d = pack("preference", "pairs: {method: judge, degradations: [wrong_fact, rude], answers: 3}\n");

    assertThatThrownBy(() -> PackLoader.load(d)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("pack.yaml: pairs.method: expected models, degrade, judge_rank, got \"judge\"")
        .hasMessageContaining("pairs.degradations[1]: expected wrong_fact, ignored_constraint, unhelpful_tone, got \"rude\"")
        .hasMessageContaining("pairs.answers: only method judge_rank ranks several answers");
  }

  @Test
  void should_ask_method_models_for_its_weaker_generator() throws IOException {
    Path d = pack("preference", "pairs: {method: models}\n");

    assertThatThrownBy(() -> PackLoader.load(d)).hasMessageContaining("pairs.rejected_llm: method models needs the weaker generator");
  }

  @Test
  void should_refuse_pairs_in_a_pack_that_is_not_a_preference_pack() throws IOException {
    Path d = pack("classification", "pairs: {method: degrade}\n");

    assertThatThrownBy(() -> PackLoader.load(d)).hasMessageContaining("pairs: only a preference pack (task: preference) makes pairs");
  }
}
