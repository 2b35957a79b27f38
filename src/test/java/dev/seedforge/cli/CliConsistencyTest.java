package dev.seedforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every command documents every option, the README lists every command, and a shared option means one thing. */
class CliConsistencyTest {
  static Map<String, CommandLine> commands() {
    Map<String, CommandLine> out = new java.util.TreeMap<>(new CommandLine(new Main()).getSubcommands());
    out.remove("help");
    return out;
  }

  @Test
  void every_command_documents_every_option_and_parameter_in_its_help() {
    assertThat(commands().keySet()).contains("run", "estimate", "curate", "validate", "report", "init");
    commands().forEach((name, cl) -> {
      CommandSpec spec = cl.getCommandSpec();
      String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
      assertThat(spec.usageMessage().description()).as(name + " description").isNotEmpty();
      for (OptionSpec o : spec.options()) {
        assertThat(String.join(" ", o.description())).as(name + " " + o.longestName()).isNotBlank();
        assertThat(help).as(name + " --help").contains(o.longestName());
      }
      spec.positionalParameters().forEach(p ->
          assertThat(String.join(" ", p.description())).as(name + " " + p.paramLabel()).isNotBlank());
    });
  }

  @Test
  void the_readme_lists_every_command() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (String name : commands().keySet()) {
      assertThat(readme).as("README mentions ./seedforge " + name).contains("./seedforge " + name + " ");
    }
  }

  @Test
  void an_option_has_one_meaning_in_every_command_that_takes_it() {
    Map<String, String> meaning = new HashMap<>();
    Map<String, String> firstIn = new HashMap<>();
    commands().forEach((name, cl) -> {
      for (OptionSpec o : cl.getCommandSpec().options()) {
        String what = o.paramLabel() + " " + o.type().getSimpleName() + ": " + String.join(" ", o.description());
        String before = meaning.putIfAbsent(o.longestName(), what);
        firstIn.putIfAbsent(o.longestName(), name);
        assertThat(what).as(o.longestName() + " in " + name + " and " + firstIn.get(o.longestName())).isEqualTo(before == null ? what : before);
      }
    });
    assertThat(meaning).containsKeys("--out", "--seed", "--model");
    assertThat(List.of("run", "curate")).allSatisfy(c -> assertThat(commands().get(c).getCommandSpec().findOption("--out")).isNotNull());
  }
}
