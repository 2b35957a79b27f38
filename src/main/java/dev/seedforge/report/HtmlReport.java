package dev.seedforge.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.escape.Escaper;
import com.google.common.html.HtmlEscapers;
import dev.seedforge.util.AtomicFiles;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * report.html: one self-contained page (Apache ECharts inlined, no network) with the run's charts
 * and tables. Every text from the run (seeds, records, labels, reasons, the pipeline file) is
 * HTML-escaped, and the chart data travels as JSON in which {@code <}, {@code >} and {@code &} are
 * written as unicode escapes, so no record can close a tag or start a script.
 */
public final class HtmlReport {
  public static final String FILE = "report.html";
  private static final Escaper HTML = HtmlEscapers.htmlEscaper();
  private static final ObjectMapper SCRIPT_JSON = Json.mapper().copy();

  static {
    SCRIPT_JSON.getFactory().setCharacterEscapes(new ScriptSafeEscapes());
  }

  private HtmlReport() {}

  /** Reads the run directory and writes its report.html; returns the page's path. */
  public static Path write(Path runDir) throws IOException {
    Path file = runDir.resolve(FILE);
    AtomicFiles.writeString(file, render(ReportData.read(runDir)));
    return file;
  }

  public static String render(ReportData d) {
    List<ReportCharts.Chart> charts = ReportCharts.all(d);
    StringBuilder b = new StringBuilder(1 << 20);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc("seedforge report: " + d.manifest().name())).append("</title>\n")
        .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n");
    b.append("<header><h1>").append(esc(d.manifest().name())).append("</h1><p>")
        .append(esc(d.manifest().task())).append(" dataset, status <strong data-manifest=\"/status\">").append(esc(d.manifest().status()))
        .append("</strong>; seedforge ").append(esc(d.manifest().version())).append("</p></header>\n");
    figures(b, d);
    notes(b, d);
    b.append("<main>\n");
    for (ReportCharts.Chart c : charts) {
      b.append("<section class=\"chart-section\"><h2>").append(esc(c.title())).append("</h2><p class=\"caption\">")
          .append(esc(c.caption())).append("</p><div class=\"chart\" id=\"chart-").append(esc(c.id())).append("\"></div></section>\n");
    }
    rejectionTable(b, d);
    acceptanceTable(b, d);
    comparisonTable(b, d);
    keptTable(b, d);
    rejectedTable(b, d);
    warnings(b, d);
    settings(b, d);
    b.append("</main>\n");
    b.append("<footer>Charts drawn by Apache ECharts ").append(esc(echartsVersion()))
        .append(" (Apache License 2.0), inlined in this file.</footer>\n");
    b.append("<script type=\"application/json\" id=\"seedforge-charts\">")
        .append(scriptJson(ReportCharts.options(charts))).append("</script>\n");
    b.append("<script>").append(echarts()).append("</script>\n");
    b.append("<script>").append(BOOT).append("</script>\n");
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private static void figures(StringBuilder b, ReportData d) {
    b.append("<section class=\"figures\">\n");
    figure(b, d, "seeds", "/seeds/total");
    figure(b, d, "generated", "/stages/generated/total");
    figure(b, d, "passed the gate", "/stages/passed_quality/total");
    figure(b, d, "train", "/stages/train/total");
    figure(b, d, "validation", "/stages/validation/total");
    if (d.manifest().hasStage("test")) {
      figure(b, d, "test", "/stages/test/total");
    }
    figure(b, d, "rejected", "/rejections/all/total");
    if (d.manifest().madeCalls()) {
      // runs without calls (offline, curate) have no calls or tokens sections
      figure(b, d, "calls made", "/calls/made/total");
      figure(b, d, "calls cached", "/calls/cached/total");
      figure(b, d, "calls failed", "/calls/failed/total");
      figure(b, d, "input tokens", "/tokens/input/total");
      figure(b, d, "output tokens", "/tokens/output/total");
    }
    if (!d.manifest().at("/cost/total").isMissingNode()) {
      figure(b, d, "cost, USD", "/cost/total");
    }
    b.append("</section>\n");
  }

  private static void figure(StringBuilder b, ReportData d, String name, String pointer) {
    b.append("<div class=\"figure\"><div class=\"value\" data-manifest=\"").append(esc(pointer)).append("\">")
        .append(esc(number(d.manifest().at(pointer)))).append("</div><div class=\"name\">").append(esc(name)).append("</div></div>\n");
  }

  private static void notes(StringBuilder b, ReportData d) {
    for (String n : d.notes()) {
      b.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
    }
  }

  private static void rejectionTable(StringBuilder b, ReportData d) {
    Map<String, ManifestView.Counts> byFilter = d.manifest().rejectionsByFilter();
    if (byFilter.isEmpty()) {
      return;
    }
    b.append("<section><h2>Rejections per filter</h2><table><thead><tr><th>filter</th><th class=\"num\">rejected</th>")
        .append("<th>labels most affected</th></tr></thead><tbody>\n");
    byFilter.forEach((filter, counts) -> {
      String top = counts.perLabel().entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
          .map(e -> e.getKey() + " " + e.getValue()).reduce((x, y) -> x + ", " + y).orElse("");
      b.append("<tr><td>").append(esc(filter)).append("</td><td class=\"num\" data-manifest=\"")
          .append(esc(ManifestView.pointer("rejections", "by_filter", filter, "total"))).append("\">")
          .append(esc(number(d.manifest().at(ManifestView.pointer("rejections", "by_filter", filter, "total"))))).append("</td><td>")
          .append(esc(top)).append("</td></tr>\n");
    });
    b.append("</tbody></table></section>\n");
  }

  /** {@code seedforge compare}'s figures per model and its choice, when the run folder has them. */
  private static void comparisonTable(StringBuilder b, ReportData d) {
    JsonNode c = d.comparison();
    if (c == null || !c.path("models").isArray()) {
      return;
    }
    b.append("<section><h2>Model comparison</h2><p class=\"caption\">").append(esc(c.path("sample_requests").asText()))
        .append(" sampled requests of the plan's ").append(esc(c.path("plan_requests").asText()))
        .append(", the same on every model (seedforge compare; compare/compare.json).</p>")
        .append("<table><thead><tr><th>model</th><th class=\"num\">accepted</th><th class=\"num\">asked</th>")
        .append("<th class=\"num\">acceptance</th><th class=\"num\">label agreement</th><th class=\"num\">distinct-2</th>")
        .append("<th class=\"num\">p50 latency ms</th><th class=\"num\">$ per accepted</th><th class=\"num\">$ full plan</th></tr></thead><tbody>\n");
    for (JsonNode m : c.path("models")) {
      b.append("<tr><td>").append(esc(m.path("provider").asText() + ":" + m.path("model").asText())).append("</td>");
      for (String f : List.of("accepted", "asked", "acceptance", "label_agreement", "distinct2", "latency_p50_ms", "usd_per_accepted", "projected_usd")) {
        b.append("<td class=\"num\">").append(esc(m.has(f) ? number(m.path(f)) : "-")).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table><p>").append(esc(c.path("choice").isTextual()
        ? "Choice: " + c.path("choice").asText() + ", " + c.path("reason").asText()
        : "No choice: " + c.path("reason").asText())).append("</p></section>\n");
  }

  private static void acceptanceTable(StringBuilder b, ReportData d) {
    if (d.manifest().acceptance("by_strategy").isEmpty()) {
      return;
    }
    b.append("<section><h2>Acceptance</h2><table><thead><tr><th>strategy or template</th><th class=\"num\">generated</th>")
        .append("<th class=\"num\">kept</th><th class=\"num\">rate</th></tr></thead><tbody>\n");
    for (String by : List.of("by_strategy", "by_template")) {
      for (ManifestView.Acceptance a : d.manifest().acceptance(by)) {
        b.append("<tr><td>").append(esc(by.substring(3) + " " + a.name())).append("</td>");
        for (String field : List.of("generated", "kept", "rate")) {
          String p = ManifestView.pointer("acceptance", by, a.name(), field);
          b.append("<td class=\"num\" data-manifest=\"").append(esc(p)).append("\">").append(esc(number(d.manifest().at(p)))).append("</td>");
        }
        b.append("</tr>\n");
      }
    }
    b.append("</tbody></table></section>\n");
  }

  private static void keptTable(StringBuilder b, ReportData d) {
    if (d.kept().isEmpty()) {
      return;
    }
    // a classification record's answer is its label, shown once
    boolean answers = !"classification".equals(d.manifest().task());
    b.append("<section><h2>Kept examples</h2><p class=\"caption\">The first ").append(ReportData.KEPT_PER_LABEL)
        .append(" records of each label in train.</p><table class=\"examples\"><thead><tr><th>label</th><th>input</th>")
        .append(answers ? "<th>answer</th>" : "").append("</tr></thead><tbody>\n");
    for (ReportData.Kept k : d.kept()) {
      b.append("<tr><td>").append(esc(k.label())).append("</td><td class=\"text\">").append(esc(k.text())).append("</td>");
      if (answers) {
        b.append("<td class=\"text\">").append(esc(k.answer())).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table></section>\n");
  }

  private static void rejectedTable(StringBuilder b, ReportData d) {
    if (d.rejected().isEmpty()) {
      return;
    }
    b.append("<section><h2>Rejected examples</h2><p class=\"caption\">The first ").append(ReportData.REJECTED_PER_FILTER)
        .append(" lines of rejected.jsonl for each filter; for duplicates, the record that was kept instead.</p>")
        .append("<table class=\"examples\"><thead><tr><th>filter</th><th>label</th><th>record</th><th>reason</th>")
        .append("<th class=\"num\">score</th><th class=\"num\">threshold</th><th>kept instead</th></tr></thead><tbody>\n");
    for (ReportData.Rejected r : d.rejected()) {
      b.append("<tr><td>").append(esc(r.filter())).append("</td><td>").append(esc(r.label())).append("</td><td class=\"text\">")
          .append(esc(r.text())).append("</td><td class=\"text\">").append(esc(r.reason())).append("</td><td class=\"num\">")
          .append(esc(decimal(r.score()))).append("</td><td class=\"num\">").append(esc(decimal(r.threshold()))).append("</td><td class=\"text\">");
      if (r.relatedId() != null) {
        b.append("<code>").append(esc(r.relatedId())).append("</code>");
        if (r.relatedText() != null) {
          b.append("<br>").append(esc(r.relatedText()));
        }
      }
      b.append("</td></tr>\n");
    }
    b.append("</tbody></table></section>\n");
  }

  private static void warnings(StringBuilder b, ReportData d) {
    b.append("<section><h2>Warnings</h2>");
    if (d.manifest().warnings().isEmpty()) {
      b.append("<p>None.</p></section>\n");
      return;
    }
    b.append("<table><tbody>\n");
    d.manifest().warnings().forEach((k, v) -> b.append("<tr><td>").append(esc(k)).append("</td><td class=\"text\">").append(esc(v)).append("</td></tr>\n"));
    b.append("</tbody></table></section>\n");
  }

  private static void settings(StringBuilder b, ReportData d) {
    b.append("<section><h2>Settings</h2><table><tbody>\n");
    d.manifest().settings().forEach((k, v) -> b.append("<tr><td>").append(esc(k)).append("</td><td class=\"text\">").append(esc(v)).append("</td></tr>\n"));
    b.append("</tbody></table>\n");
    if (d.pipelineText() != null) {
      b.append("<details><summary>The pipeline file</summary><pre>").append(esc(d.pipelineText())).append("</pre></details>\n");
    }
    b.append("</section>\n");
  }

  static String esc(String s) {
    return s == null ? "" : HTML.escape(s);
  }

  /** A manifest number as shown: whole numbers as they are, others to four decimals. */
  static String number(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return "–";
    }
    if (!n.isNumber()) {
      return n.asText();
    }
    return n.isIntegralNumber() ? String.valueOf(n.asLong()) : decimal(n.asDouble());
  }

  private static String decimal(Double d) {
    if (d == null) {
      return "";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.format(Locale.ROOT, "%.4f", d);
  }

  static String scriptJson(Object value) {
    try {
      return SCRIPT_JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Escapes what could end a script element or an HTML comment, and JavaScript's line separators. */
  static final class ScriptSafeEscapes extends CharacterEscapes {
    private final int[] ascii;

    ScriptSafeEscapes() {
      ascii = standardAsciiEscapesForJSON();
      ascii['<'] = ESCAPE_STANDARD;
      ascii['>'] = ESCAPE_STANDARD;
      ascii['&'] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == 0x2028 || ch == 0x2029 ? new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch)) : null;
    }
  }

  private static String echartsPath() {
    return "/META-INF/resources/webjars/echarts/" + echartsVersion() + "/dist/echarts.min.js";
  }

  static String echartsVersion() {
    try (InputStream in = HtmlReport.class.getResourceAsStream("/seedforge-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("echarts.version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static volatile String echarts;

  /** The minified library, read once; it must hold nothing that would end its script element. */
  static String echarts() {
    if (echarts == null) {
      try (InputStream in = HtmlReport.class.getResourceAsStream(echartsPath())) {
        if (in == null) {
          throw new IllegalStateException("Apache ECharts is missing from the classpath (" + echartsPath() + "); rebuild with mvn package");
        }
        String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (js.toLowerCase(Locale.ROOT).contains("</script")) {
          throw new IllegalStateException(echartsPath() + " contains </script and cannot be inlined");
        }
        echarts = js;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return echarts;
  }

  private static final String BOOT =
      "(function () {\n"
          + "  var specs = JSON.parse(document.getElementById('seedforge-charts').textContent);\n"
          + "  Object.keys(specs).forEach(function (id) {\n"
          + "    var chart = echarts.init(document.getElementById('chart-' + id), null, {renderer: 'svg'});\n"
          + "    chart.setOption(specs[id]);\n"
          + "    window.addEventListener('resize', function () { chart.resize(); });\n"
          + "  });\n"
          + "})();\n";

  private static final String CSS =
      "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1d232a;background:#f6f7f9}"
          + "header,main,footer,.figures,.note{max-width:1150px;margin:0 auto;padding:0 20px}"
          + "header{padding-top:18px}h1{margin:0 0 4px;font-size:26px}h2{font-size:18px;margin:0 0 4px}"
          + "section{background:#fff;border:1px solid #e2e5e9;border-radius:8px;padding:14px 16px;margin:14px 0}"
          + ".figures{display:flex;flex-wrap:wrap;gap:10px;background:none;border:none;padding:0 20px}"
          + ".figure{background:#fff;border:1px solid #e2e5e9;border-radius:8px;padding:10px 14px;min-width:110px}"
          + ".figure .value{font-size:22px;font-weight:600}.figure .name{color:#5b6570;font-size:13px}"
          + ".caption{color:#5b6570;font-size:13px;margin:0 0 8px}.chart{width:100%;height:360px}"
          + ".note{color:#8a5300}table{border-collapse:collapse;width:100%;font-size:13px}"
          + "th,td{border-bottom:1px solid #eceef1;padding:5px 6px;text-align:left;vertical-align:top}"
          + "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.text{white-space:pre-wrap;word-break:break-word}"
          + "pre{white-space:pre-wrap;font-size:12px;background:#f6f7f9;padding:8px}footer{color:#5b6570;font-size:12px;padding-bottom:24px}";
}
