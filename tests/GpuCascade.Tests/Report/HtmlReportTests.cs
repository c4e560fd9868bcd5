using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GpuCascade.Calibration;
using GpuCascade.Report;
using GpuCascade.Scenarios;
using static GpuCascade.Tests.Report.ReportTestSupport;

namespace GpuCascade.Tests.Report;

/// <summary>The report's page without a browser: self-contained, charts inline, strings escaped, numbers equal to the
/// JSON's, each kind of result with its tables, and clear errors for bad documents.</summary>
public class HtmlReportTests
{
    private static HtmlReport RunReport() => HtmlReport.Build([Input("run.json", RunJson)], Input("series.json", SeriesJson));

    [Test]
    public void ThePageReachesForNothingOutsideItself()
    {
        foreach (var html in new[] { RunReport().Html, HtmlReport.Render([Input("cal.json", CalibrationJson), Input("cmp.json", ComparisonJson)]) })
        {
            Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "no URL at all, not even SVG namespaces");
            Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("<link").And.Not.Contain("<img").And.Not.Contain("<iframe")
                .And.Not.Contain("@import").And.Not.Contain("@font-face").And.Not.Contain(" src="));
            Assert.That(Regex.Matches(html, @"href=""([^""]*)""").Select(m => m.Groups[1].Value), Has.All.StartWith("#"), "only links within the page");
            Assert.That(Regex.Matches(html, @"url\(([^)]*)\)").Select(m => m.Groups[1].Value), Has.All.StartWith("#"), "only references within the page");
            Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("<meta charset=\"utf-8\">"));
        }
    }

    [Test]
    public void EveryChartIsAnInlineSvgWithIdsOfItsOwn()
    {
        var report = RunReport();
        string html = report.Html;
        string[] expected = ["bad-debt-histogram", "bad-debt-exceedance", "drawdown-by-asset", "liquidation-ladder", "price-fan-btc", "price-fan-eth", "price-fan-sol",
                             "liquidations-over-time", "fund-over-time"];
        Assert.That(report.Charts.Select(c => c.Name), Is.EqualTo(expected));
        var figures = Regex.Matches(html, @"<figure class=""chart"" data-chart=""([^""]+)"">(.*?)</figure>", RegexOptions.Singleline);
        Assert.That(figures.Select(m => m.Groups[1].Value), Is.EqualTo(expected));
        foreach (Match figure in figures)
        {
            string body = figure.Groups[2].Value;
            Assert.That(body, Does.StartWith("<svg viewBox=").And.Contain("</svg>").And.Contain("<figcaption>"), figure.Groups[1].Value);
            Assert.That(body, Does.Not.Contain("<?xml").And.Not.Contain("data:"), figure.Groups[1].Value);
        }
        var ids = Regex.Matches(html, @"\bid=""([^""]+)""").Select(m => m.Groups[1].Value).ToList();
        Assert.That(ids, Is.Unique, "several inlined SVGs must not share an id");
        Assert.That(Regex.Matches(html, @"url\(#([^)]+)\)").Select(m => m.Groups[1].Value), Is.SubsetOf(ids), "every clip path it uses is its own");
    }

    [Test]
    public void EveryNumberShownIsTheJsonsNumber()
    {
        AssertNumbersMatch(RunReport().Html, RunJson, SeriesJson);
        AssertNumbersMatch(HtmlReport.Render([Input("cal.json", CalibrationJson)]), CalibrationJson);
        AssertNumbersMatch(HtmlReport.Render([Input("cmp.json", ComparisonJson)]), ComparisonJson);
    }

    [Test]
    public void TheSummaryShowsTheManifestAndTheTailFigures()
    {
        string html = RunReport().Html;
        var root = JsonNode.Parse(RunJson)!;
        Assert.That(html, Does.Contain(root["manifest"]!["scenarioSha256"]!.GetValue<string>()).And.Contain(root["manifest"]!["engine"]!["commit"]!.GetValue<string>()));
        var pointers = ShownValues(html).Select(s => s.Pointer).ToHashSet();
        foreach (string level in new[] { "0.95", "0.99", "0.999" })
            Assert.That(pointers, Does.Contain($"/badDebt/var/{level}").And.Contain($"/badDebt/es/{level}")
                .And.Contain($"/badDebt/esInterval/{level}/lower").And.Contain($"/badDebt/varInterval/{level}/upper"));
        Assert.That(pointers, Does.Contain("/probabilities/cascade/lower").And.Contain("/assets/ETH/amplification").And.Contain("/assets/SOL/maxDrawdown/standardError")
            .And.Contain("/cohortAttribution/0/name").Or.Contain("/cohortAttribution/1/name"));
        Assert.That(pointers, Does.Contain("/assets/BTC/price/q99/288"), "the series' quantiles at the horizon");
        Assert.That(html, Does.Contain("Cohorts behind the tail").And.Contain("Over time").And.Contain("The scenario as run"));
    }

    [Test]
    public void StringsFromTheJsonAreEscaped()
    {
        var root = JsonNode.Parse(RunJson)!;
        const string hostile = "<script>alert('x')</script> & \"desk\"";
        root["cohortAttribution"]![0]!["name"] = hostile;
        root["cohortAttribution"]![0]!["tailShare"] = 0.99;
        root["warnings"]!.AsArray().Add("<b>bold</b>");
        string html = HtmlReport.Render([Input("<evil>.json", root.ToJsonString())]);
        Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("<b>bold").And.Not.Contain("<evil>"));
        Assert.That(html, Does.Contain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;desk&quot;").And.Contain("&lt;b&gt;bold&lt;/b&gt;").And.Contain("&lt;evil&gt;.json"));
    }

    [Test]
    public void ACalibrationHasItsCurveMarginsAndPricing()
    {
        var report = HtmlReport.Build([Input("cal.json", CalibrationJson)]);
        Assert.That(report.Charts.Select(c => c.Name), Is.EqualTo(new[] { "response-curve-probabilities-anyliquidation" }));
        Assert.That(report.Html, Does.Contain("Response curve").And.Contain("Targets").And.Contain("Margin table").And.Contain("Leverage pricing")
            .And.Contain("Out of sample").And.Contain("Scenario fragment").And.Contain("maintenanceMargin: "));
        var pointers = ShownValues(report.Html).Select(s => s.Pointer).ToList();
        Assert.That(pointers, Does.Contain("/chosen").And.Contain("/marginTable/0/maxLeverage/BTC").And.Contain("/pricing/0/feeBp")
            .And.Contain("/curve/0/figures/probabilities.anyLiquidation/upper").And.Contain("/targets/0/limit"));
    }

    [Test]
    public void AComparisonShowsTheVariantsAndThePairedIntervals()
    {
        var report = HtmlReport.Build([Input("cmp.json", ComparisonJson)]);
        Assert.That(report.Charts.Select(c => c.Name), Is.EqualTo(new[] { "comparison-variants", "comparison-differences" }));
        Assert.That(report.Html, Does.Contain("Variants side by side").And.Contain("Variant 2 minus variant 1").And.Contain("paired 95%").And.Contain("unpaired 95%"));
        var pointers = ShownValues(report.Html).Select(s => s.Pointer).ToList();
        Assert.That(pointers, Does.Contain("/variants/1/difference/badDebt.es.0.99/lower").And.Contain("/variants/1/difference/badDebt.es.0.99/unpairedUpper")
            .And.Contain("/variants/0/result/badDebt/es/0.99").And.Contain("/axes/0/values/1"));
    }

    [Test]
    public void SeveralResultsGetSectionsAndRunsSideBySide()
    {
        var other = JsonNode.Parse(RunJson)!;
        other["badDebt"]!["es"]!["0.99"] = 123456789.0;
        var inputs = new[] { Input("a.json", RunJson), Input("b.json", other.ToJsonString()), Input("cal.json", CalibrationJson), Input("cmp.json", ComparisonJson) };
        var report = HtmlReport.Build(inputs, Input("series.json", SeriesJson));
        Assert.That(report.Html, Does.Contain("id=\"side-by-side\"").And.Contain("Runs side by side"));
        foreach (int doc in new[] { 0, 1, 2, 3 }) Assert.That(report.Html, Does.Contain($"id=\"doc-{doc}\" data-doc=\"{doc}\""));
        var names = report.Charts.Select(c => c.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Does.Contain("runs-exceedance").And.Contain("doc1-bad-debt-histogram").And.Contain("doc2-bad-debt-histogram")
            .And.Contain("doc1-price-fan-btc").And.Contain("doc3-response-curve-probabilities-anyliquidation").And.Contain("doc4-comparison-differences"));
        Assert.That(names, Does.Not.Contain("doc2-price-fan-btc"), "the series goes with the first run of its paths and steps");
        Assert.That(ShownValues(report.Html), Has.Some.Matches<Shown>(s => s.Doc == 1 && s.Pointer == "/badDebt/es/0.99" && s.Text == "123M"));
        AssertNumbersMatch(report.Html, RunJson, other.ToJsonString(), CalibrationJson, ComparisonJson, SeriesJson);
    }

    /// <summary>A backtest (backtest --json): told by its fields, its cards and tables show the JSON's numbers, and the
    /// exceedance chart marks exactly the windows the JSON flags.</summary>
    [Test]
    public void ABacktestShowsItsTestsAndTheExceedanceChart()
    {
        var report = HtmlReport.Build([Input("backtest.json", BacktestJson)]);
        string html = report.Html;
        Assert.That(html, Does.Contain("data-kind=\"backtest\"").And.Contain("(a margin backtest)").And.Contain("<h3>Coverage tests</h3>")
            .And.Contain("<h3>Procyclicality and cost</h3>"));
        Assert.That(report.Charts.Select(c => c.Name), Is.EqualTo(new[] { "backtest-exceedances" }));
        Assert.That(Regex.Match(html, @"<figure class=""chart"" data-chart=""backtest-exceedances""><svg viewBox=""0 0 760 430""").Success, Is.True);
        AssertNumbersMatch(html, BacktestJson);
        using var doc = System.Text.Json.JsonDocument.Parse(BacktestJson);
        var root = doc.RootElement;
        var shown = ShownValues(html);
        foreach (string side in new[] { "long", "short" })
        {
            var rule = root.GetProperty("variants")[0].GetProperty(side);
            int exceedances = rule.GetProperty("exceedances").GetInt32();
            Assert.That(exceedances, Is.GreaterThan(0), $"the test data has {side} exceedances");
            Assert.That(rule.GetProperty("exceeded").EnumerateArray().Count(e => e.GetBoolean()), Is.EqualTo(exceedances), "the flags are the count");
            Assert.That(shown, Has.Some.Matches<Shown>(s => s.Pointer == $"/variants/0/{side}/exceedances" && s.Text == exceedances.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(shown, Has.Some.Matches<Shown>(s => s.Pointer == $"/variants/3/{side}/kupiec/statistic"), "every tool's tests");
            Assert.That(html, Does.Contain($"{side} exceedance ({exceedances})"), "the chart's legend counts the marked windows");
        }
        Assert.That(shown, Has.Some.Matches<Shown>(s => s.Pointer == "/variants/0/long/zone" && s.Text == root.GetProperty("variants")[0].GetProperty("long").GetProperty("zone").GetString()));
        using var dir = new TempDirectory();
        Assert.That(report.WritePlots(dir.File("plots")).Select(Path.GetFileName), Is.EqualTo(new[] { "backtest-exceedances.png" }));
        var several = HtmlReport.Build([Input("run.json", RunJson), Input("backtest.json", BacktestJson)]);
        Assert.That(several.Charts.Select(c => c.Name), Has.Member("doc2-backtest-exceedances"));
    }

    [Test]
    public void ABacktestMissingAFieldIsNamedByItsPointer()
    {
        var root = JsonNode.Parse(BacktestJson)!;
        root["variants"]![1]!["short"]!.AsObject().Remove("kupiec");
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("backtest.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("backtest.json: missing field /variants/1/short/kupiec"));
        root = JsonNode.Parse(BacktestJson)!;
        root["dates"]![5] = "5 March";
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("backtest.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("backtest.json: /dates/5 should be a date (yyyy-MM-dd), got '5 March'"));
        root = JsonNode.Parse(BacktestJson)!;
        root.AsObject().Remove("moves");
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("backtest.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("backtest.json: looks like a margin backtest (gpucascade backtest --json) but lacks moves"));
    }

    /// <summary>The ladder's table shows the JSON's numbers with their pointers, its chart is drawn (and written as
    /// liquidation-ladder.png), and a result written before the ladder existed still renders, without the section.</summary>
    [Test]
    public void TheLadderIsShownAndOptional()
    {
        var report = RunReport();
        Assert.That(report.Html, Does.Contain("<h3>Liquidation ladder</h3>"));
        var pointers = ShownValues(report.Html).Select(s => s.Pointer).ToHashSet();
        Assert.That(pointers, Does.Contain("/ladder/assets/BTC/depthPerPercent").And.Contain("/ladder/assets/ETH/down/cumulative/5")
            .And.Contain("/ladder/assets/SOL/up/cumulative/10"));
        using (var dir = new TempDirectory())
            Assert.That(report.WritePlots(dir.File("plots")).Select(Path.GetFileName), Does.Contain("liquidation-ladder.png"));
        var old = JsonNode.Parse(RunJson)!.AsObject();
        old.Remove("ladder");
        var without = HtmlReport.Build([Input("old.json", old.ToJsonString())]);
        Assert.That(without.Html, Does.Not.Contain("Liquidation ladder"));
        Assert.That(without.Charts.Select(c => c.Name), Does.Not.Contain("liquidation-ladder"));
    }

    [Test]
    public void ChartsAreWrittenAsPng()
    {
        using var dir = new TempDirectory();
        var written = RunReport().WritePlots(dir.File("plots"));
        Assert.That(written.Select(Path.GetFileName), Does.Contain("bad-debt-histogram.png").And.Contain("price-fan-eth.png"));
        foreach (string file in written)
            Assert.That(File.ReadAllBytes(file).Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), file);
    }

    [TestCase("{\"paths\": 1,", "bad.json: not valid JSON (line 1")]
    [TestCase("[1, 2]", "bad.json: expected a JSON object (a GpuCascade result), got an array")]
    [TestCase("{\"hello\": 1}", "bad.json: not a GpuCascade result: none of the expected fields")]
    [TestCase("{\"paths\": 1, \"probabilities\": {}}", "bad.json: looks like a run result (gpucascade run --json) but lacks badDebt")]
    [TestCase("{\"key\": \"venue.insuranceFund\", \"curve\": []}", "bad.json: looks like a calibration result (gpucascade calibrate --json) but lacks targets")]
    public void ABadDocumentIsNamedWithWhatIsWrong(string json, string message)
    {
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("bad.json", json)]));
        Assert.That(e!.Message, Does.StartWith(message));
    }

    [Test]
    public void AMissingFieldIsNamedByItsPointer()
    {
        var root = JsonNode.Parse(RunJson)!;
        root["badDebt"]!.AsObject().Remove("varInterval");
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("run.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("run.json: missing field /badDebt/varInterval"));
        root = JsonNode.Parse(RunJson)!;
        root["probabilities"]!["cascade"]!["estimate"] = "high";
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("run.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("run.json: /probabilities/cascade/estimate should be a number, got a string"));
    }

    [Test]
    public void TheSeriesMustBeASeriesOfAGivenRun()
    {
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("series.json", SeriesJson)]));
        Assert.That(e!.Message, Does.StartWith("series.json: is a series (run --series), not a result"));
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("run.json", RunJson)], Input("cal.json", CalibrationJson)));
        Assert.That(e!.Message, Is.EqualTo("cal.json: is a calibration result, not a series (run --series FILE.json)"));
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("cal.json", CalibrationJson)], Input("series.json", SeriesJson)));
        Assert.That(e!.Message, Does.StartWith("series.json: is the series of 2,048 paths x 288 steps of BTC, ETH, SOL, seed 20261121, scenario ")
            .And.EndWith(", which matches no run result given (there is none)"));
        Assert.Throws<ReportException>(() => HtmlReport.Render([]));
        Assert.Throws<ReportException>(() => ReportInput.FromFile("/nonexistent/result.json"));
    }

    /// <summary>The series names its run (seed, scenario SHA-256): another run's series of the same size is refused, not
    /// drawn under this run's headline; with two runs it goes to its own, not the first.</summary>
    [Test]
    public void ASeriesOfAnotherRunIsRefusedAndGoesToItsOwnRun()
    {
        var series = JsonNode.Parse(SeriesJson)!;
        var run = JsonNode.Parse(RunJson)!;
        Assert.That(series["seed"]!.GetValue<ulong>(), Is.EqualTo(run["seed"]!.GetValue<ulong>()));
        Assert.That(series["scenarioSha256"]!.GetValue<string>(), Is.EqualTo(run["manifest"]!["scenarioSha256"]!.GetValue<string>()));

        var otherSeed = JsonNode.Parse(SeriesJson)!;
        otherSeed["seed"] = 5;
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("run.json", RunJson)], Input("s5.json", otherSeed.ToJsonString())));
        Assert.That(e!.Message, Does.StartWith("s5.json: is the series of 2,048 paths x 288 steps of BTC, ETH, SOL, seed 5,")
            .And.Contain("matches no run result given (run.json: 2,048 paths x 288 steps of BTC, ETH, SOL, seed 20261121,"));
        var otherScenario = JsonNode.Parse(SeriesJson)!;
        otherScenario["scenarioSha256"] = new string('0', 64);
        Assert.Throws<ReportException>(() => HtmlReport.Render([Input("run.json", RunJson)], Input("s0.json", otherScenario.ToJsonString())));

        // Two runs of the same size: the series attaches to the one with its seed, the second.
        var first = JsonNode.Parse(RunJson)!;
        first["seed"] = 5;
        string html = HtmlReport.Render([Input("a.json", first.ToJsonString()), Input("b.json", RunJson)], Input("s.json", SeriesJson));
        int over = html.IndexOf("Over time", StringComparison.Ordinal), second = html.IndexOf("b.json", StringComparison.Ordinal);
        Assert.That(over, Is.GreaterThan(second), "the series is drawn in the second run's section");
    }

    /// <summary><c>Comparison.Run(scenarios)</c> varies no key and applies no breach rule: the page says so rather than
    /// showing an empty key list and a breach rule.</summary>
    [Test]
    public void AComparisonOfScenariosAsGivenShowsNoKeysAndNoBreachRule()
    {
        var s = ScenarioLoader.LoadDefault();
        string json = ComparisonReport.Json(Comparison.Run([s, s.With("venue.maintenanceMargin", 0.01)], new ComparisonOptions { Paths = 1024 }));
        string html = HtmlReport.Render([Input("given.json", json)]);
        Assert.That(html, Does.Contain("scenarios as given").And.Contain("Variant 2 minus variant 1</h3>"));
        Assert.That(html, Does.Not.Contain("variant 1 ()").And.Not.Contain(">breach rule<"));
    }

    [Test]
    public void AStoppedRunSaysSoAboveItsFigures()
    {
        var run = JsonNode.Parse(RunJson)!;
        Assert.That(HtmlReport.Render([Input("run.json", RunJson)]), Does.Not.Contain("Stopped before the end"));
        run["run"]!["cancelled"] = true;
        run["requestedPaths"] = 60_000;
        string html = HtmlReport.Render([Input("run.json", run.ToJsonString())]);
        Assert.That(html, Does.Contain("Stopped before the end"));
        Assert.That(html.IndexOf("Stopped before the end", StringComparison.Ordinal), Is.LessThan(html.IndexOf("class=\"kpis\"", StringComparison.Ordinal)));
        Assert.That(html, Does.Contain("data-value=\"60000\""));
    }

    [TestCase(1, 2)]
    [TestCase(0, 1)]
    public void AHistogramWithTooFewEdgesIsNamed(int edges, int counts)
    {
        var run = JsonNode.Parse(RunJson)!;
        run["histograms"]!["badDebt"]!["edges"] = new JsonArray(Enumerable.Range(1, edges).Select(i => (JsonNode)JsonValue.Create(10.0 * i)!).ToArray());
        run["histograms"]!["badDebt"]!["counts"] = new JsonArray(Enumerable.Range(1, counts).Select(i => (JsonNode)JsonValue.Create(5)!).ToArray());
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("run.json", run.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo($"run.json: /histograms/badDebt: expected at least two edges, got {edges}"));
    }

    /// <summary>The scenario section's text as people read it: tags dropped, the folded canonical JSON (exact by design)
    /// left out.</summary>
    private static string ScenarioText(string html)
    {
        int start = html.IndexOf("<h3>Scenario</h3>", StringComparison.Ordinal), end = html.IndexOf("<h3>How it was run</h3>", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0));
        Assert.That(end, Is.GreaterThan(start));
        string section = Regex.Replace(html[start..end], "<details>.*?</details>", "", RegexOptions.Singleline);
        return System.Net.WebUtility.HtmlDecode(Regex.Replace(section, "<[^>]+>", ""));
    }

    [Test]
    public void TheScenarioShowsAGeneratedBookAsGenerated()
    {
        var book = JsonNode.Parse(RunJson)!["manifest"]!["scenario"]!["book"]!;
        Assert.That(book["cohorts"]!.AsArray(), Is.Empty, "the default book lists no cohort");
        Assert.That(book["generator"], Is.Not.Null, "it generates them");
        string text = ScenarioText(RunReport().Html);
        Assert.That(text, Does.Contain("book.cohorts300 cohorts, generated: 100 per asset (BTC, ETH, SOL), seed 7, 20.00% cross-margin, 10.00% coin-margined, 1,000 accounts per cohort"));
        Assert.That(text, Does.Not.Contain("0 listed"));

        // A listed book still says how many it lists.
        var listed = JsonNode.Parse(RunJson)!;
        var scenarioBook = listed["manifest"]!["scenario"]!["book"]!.AsObject();
        scenarioBook.Remove("generator");
        scenarioBook["cohorts"] = new JsonArray(new JsonObject { ["name"] = "a" }, new JsonObject { ["name"] = "b" });
        Assert.That(ScenarioText(HtmlReport.Render([Input("run.json", listed.ToJsonString())])), Does.Contain("book.cohorts2 listed"));
    }

    [Test]
    public void ScenarioNumbersAreShownWithoutFloatNoise()
    {
        Assert.That(RunJson, Does.Contain("16300.000000000002"), "the default venue's top tier amount, as the normalisation computes it");
        string text = ScenarioText(RunReport().Html);
        Assert.That(Regex.Matches(text, @"\d\.\d*(0{6,}|9{6,})\d").Select(m => m.Value), Is.Empty, "no float noise where people read the scenario");
        Assert.That(text, Does.Contain("\"amount\": 16300}"));
        Assert.That(RunReport().Html, Does.Contain("16300.000000000002"), "the canonical JSON keeps the exact number");

        Assert.That(Html.Format(16300.000000000002, Unit.Plain), Is.EqualTo("16,300"));
        Assert.That(Html.Format(0.1 + 0.2, Unit.Plain), Is.EqualTo("0.3"));
        Assert.That(Html.Format(0.123456789, Unit.Plain), Is.EqualTo("0.123457"));
        Assert.That(Html.Format(50_000_000, Unit.Plain), Is.EqualTo("50,000,000"));
        using var doc = System.Text.Json.JsonDocument.Parse("[16300.000000000002, 0.30000000000000004, 18446744073709551615, 2.5e-7, 1e300]");
        Assert.That(doc.RootElement.EnumerateArray().Select(Html.JsonNumber),
            Is.EqualTo(new[] { "16300", "0.3", "18446744073709551615", "2.5E-07", "1E+300" }), "integer literals keep every digit");
    }

    [Test]
    public void ThePriceTableShowsTheChangeTheFanChartsDraw()
    {
        var series = JsonNode.Parse(SeriesJson)!;
        string html = RunReport().Html;
        var shown = ShownValues(html).Where(s => s.Doc == 1).ToList();
        int last = series["time"]!.AsArray().Count - 1;
        foreach (var (symbol, asset) in series["assets"]!.AsObject())
            foreach (string q in new[] { "q01", "q05", "q50", "q95", "q99", "mean" })
            {
                double relative = asset!["price"]![q]![last]!.GetValue<double>();
                var cell = shown.Single(s => s.Pointer == $"/assets/{symbol}/price/{q}/{last}");
                Assert.That(cell.As, Is.EqualTo("change"), $"{symbol} {q}");
                Assert.That(cell.Text, Is.EqualTo(Html.Format(SeriesSection.PriceChange(relative), Unit.Percent)), $"{symbol} {q}");
            }
        Assert.That(SeriesSection.PriceChange(0.953), Is.EqualTo(-0.047).Within(1e-15));
        Assert.That(html, Does.Contain("Price change from the start at the horizon"));
    }

    /// <summary>Each fan chart's PNG is named after its asset (<c>price-fan-btc.png</c>), as docs/report.md lists them.</summary>
    [Test]
    public void FanChartPngsAreNamedAfterTheirAsset()
    {
        using var dir = new TempDirectory();
        var written = RunReport().WritePlots(dir.File("plots")).Select(Path.GetFileName).ToList();
        var symbols = JsonNode.Parse(SeriesJson)!["assets"]!.AsObject().Select(a => a.Key).ToList();
        Assert.That(written.Where(f => f!.StartsWith("price-fan-", StringComparison.Ordinal)),
            Is.EquivalentTo(symbols.Select(s => $"price-fan-{s.ToLowerInvariant()}.png")));
    }

    [TestCase("80.3M", 80_312_345.0, true)]
    [TestCase("80.3M", 80_400_000.0, false)]
    [TestCase("10.79%", 0.107851, true)]
    [TestCase("1.375x", 1.3747586, true)]
    [TestCase("20,000", 20_000.0, true)]
    [TestCase("5E+07", 5e7, true)]
    [TestCase("0.0395332", 0.039533203125, true)]
    public void ShownNumbersAreReadBack(string text, double value, bool matches) => Assert.That(ShowsNumber(text, value), Is.EqualTo(matches));
}
