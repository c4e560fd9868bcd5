using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuCascade.Book;
using GpuCascade.MarketData;
using GpuCascade.Prices;
using GpuCascade.Report;
using GpuCascade.Scenarios;
using GpuCascade.Tests.Cli;
using GpuCascade.Tests.MarketData;
using static GpuCascade.Tests.Report.ReportTestSupport;

namespace GpuCascade.Tests.Report;

/// <summary><c>fit --json/--report/--plots</c> and <c>book --json/--report/--plots</c>: the JSON holds the printed numbers,
/// the report tells each kind and shows its tables and chart, the page of <c>--report</c> is the page of the
/// <c>--json</c> file, and a document missing a field is named by its pointer.</summary>
public class FitAndBookReportTests : CliTestBase
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private string F(string name) => Path.Combine(_dir, name);

    /// <summary>Two hourly price files (BTC, ETH) of 300 returns and a base scenario of those two assets, 12 hours in
    /// hourly steps.</summary>
    private (List<PriceSeries> Series, string Btc, string Eth, string Base) FitFiles()
    {
        var series = MarketFitTests.Simulate(MarketFitTests.Market(new GarchSpec(0.05, 0.9), new InnovationSpec(6), null, 0.6), 300);
        string Csv(PriceSeries s) => "datetime,close\n" + string.Concat(s.Times.Zip(s.Closes, (t, c) => $"{t:yyyy-MM-dd HH:mm:ss},{c.ToString("R", Inv)}\n"));
        File.WriteAllText(F("BTC_USDT_1h.csv"), Csv(series[0]));
        File.WriteAllText(F("ETH_USDT_1h.csv"), Csv(series[1]));
        File.WriteAllText(F("base.yaml"), ScenarioYaml.Normalised(MarketFitTests.Market(null, InnovationSpec.Normal, null, 0) with { Horizon = Duration.Parse("12h"), Steps = 12 }));
        return (series, F("BTC_USDT_1h.csv"), F("ETH_USDT_1h.csv"), F("base.yaml"));
    }

    private static string FitJsonOf(List<PriceSeries> series) =>
        FitJson.Serialize(MarketFitter.Fit(series, new FitOptions { Interval = TimeSpan.FromHours(1) }), series);

    [Test]
    public void TheFitsJsonHoldsThePrintedNumbers()
    {
        var (series, _, _, _) = FitFiles();
        var fit = MarketFitter.Fit(series, new FitOptions { Interval = TimeSpan.FromHours(1) });
        using var doc = JsonDocument.Parse(FitJson.Serialize(fit, series));
        var root = doc.RootElement;
        string printed = FittedScenario.Comments(fit, ["BTC_USDT_1h.csv", "Binance_ETHUSDT_1h.csv"]);
        Assert.That(root.GetProperty("interval").GetString(), Is.EqualTo("1h"));
        for (int i = 0; i < 2; i++)
        {
            var a = root.GetProperty("assets")[i];
            Assert.That(a.GetProperty("symbol").GetString(), Is.EqualTo(fit.Assets[i].Symbol));
            Assert.That(a.GetProperty("returns").GetInt32(), Is.EqualTo(fit.Assets[i].Returns));
            Assert.That(a.GetProperty("source").GetString(), Is.EqualTo(series[i].Source));
            foreach (var (name, e) in new[] { ("volatility", fit.Assets[i].Volatility), ("longRunVolatility", fit.Assets[i].LongRunVolatility), ("ewmaVolatility", fit.Assets[i].EwmaVolatility) })
            {
                double value = a.GetProperty(name).GetProperty("value").GetDouble(), se = a.GetProperty(name).GetProperty("standardError").GetDouble();
                Assert.That((value, se), Is.EqualTo((e.Value, e.StandardError)), $"{name} round-trips");
                Assert.That(printed, Does.Contain(string.Create(Inv, $"{value:G4} ({se:G2})")), $"{name} is the printed one");
            }
        }
        double alpha = root.GetProperty("garch").GetProperty("alpha").GetProperty("value").GetDouble();
        double dof = root.GetProperty("dof").GetProperty("value").GetDouble();
        Assert.That(printed, Does.Contain(string.Create(Inv, $"alpha {alpha:G4} (")).And.Contain(string.Create(Inv, $"Student-t dof {dof:G4} (")));
        var rho = root.GetProperty("correlation");
        Assert.That(rho[1][0].GetDouble(), Is.EqualTo(fit.Correlation[2]).And.EqualTo(rho[0][1].GetDouble()));
        Assert.That(printed, Does.Contain(string.Create(Inv, $"correlation ETH-BTC {rho[1][0].GetDouble():G4} ({root.GetProperty("correlationStandardErrors")[1][0].GetDouble():G2})")));
        Assert.That(root.GetProperty("jumps").GetProperty("count").GetInt32(), Is.EqualTo(fit.Jumps));
        Assert.That(root.GetProperty("logLikelihood").GetDouble(), Is.EqualTo(fit.LogLikelihood));
    }

    [Test]
    public void TheReportShowsTheFit()
    {
        var (series, _, _, _) = FitFiles();
        string json = FitJsonOf(series);
        var report = HtmlReport.Build([Input("fit.json", json)]);
        string html = report.Html;
        Assert.That(html, Does.Contain("data-kind=\"fit\"").And.Contain("(a market fit)").And.Contain("<h3>Estimates</h3>").And.Contain("<h3>Correlation</h3>")
            .And.Contain("95% interval"));
        AssertNumbersMatch(html, json);
        var shown = ShownValues(html);
        Assert.That(shown, Has.Some.Matches<Shown>(s => s.Pointer == "/assets/1/ewmaVolatility/standardError"));
        Assert.That(shown, Has.Some.Matches<Shown>(s => s.Pointer == "/correlation/1/0").And.Some.Matches<Shown>(s => s.Pointer == "/correlationStandardErrors/0/1"));
        // The 95% interval is the value +- 1.96 standard errors, as the table shows it.
        using var doc = JsonDocument.Parse(json);
        var v = doc.RootElement.GetProperty("assets")[0].GetProperty("volatility");
        double value = v.GetProperty("value").GetDouble(), se = v.GetProperty("standardError").GetDouble();
        Assert.That(html, Does.Contain(string.Create(Inv, $"[{100 * (value - 1.96 * se):0.00}%, {100 * (value + 1.96 * se):0.00}%]")));
        Assert.That(report.Charts.Select(c => c.Name), Is.EqualTo(new[] { "fit-volatilities" }));
        // A standard error that is not defined shows as n/a, the interval too.
        var root = JsonNode.Parse(json)!;
        root["dof"]!["standardError"] = null;
        Assert.That(HtmlReport.Render([Input("fit.json", root.ToJsonString())]), Does.Match("Student-t degrees of freedom</td><td>all</td><td class=\"num\"><span[^>]*>[^<]+</span></td><td class=\"num\"><span[^>]*>n/a</span></td><td class=\"num\">n/a</td>"));
    }

    [Test]
    public void AFitOrBookMissingAFieldIsNamedByItsPointer()
    {
        var (series, _, _, _) = FitFiles();
        var root = JsonNode.Parse(FitJsonOf(series))!;
        root["assets"]![1]!.AsObject().Remove("ewmaVolatility");
        var e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("fit.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("fit.json: missing field /assets/1/ewmaVolatility"));
        root = JsonNode.Parse(FitJsonOf(series))!;
        root.AsObject().Remove("garch");
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("fit.json", root.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("fit.json: looks like a market fit (gpucascade fit --json) but lacks garch"));
        var book = JsonNode.Parse(BookJson())!;
        book["positioning"]![0]!.AsObject().Remove("mapCohorts");
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("book.json", book.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("book.json: missing field /positioning/0/mapCohorts"));
        book = JsonNode.Parse(BookJson())!;
        book["ladder"]!["assets"]!["BTC"]!.AsObject().Remove("down");
        e = Assert.Throws<ReportException>(() => HtmlReport.Render([Input("book.json", book.ToJsonString())]));
        Assert.That(e!.Message, Is.EqualTo("book.json: missing field /ladder/assets/BTC/down"));
    }

    /// <summary>A liquidation map and an order book for BTC and open interest for ETH on the default scenario.</summary>
    private static string BookJson()
    {
        var data = new List<AssetPositioning>
        {
            new() { Symbol = "BTC", LiquidationMap = [new(90_000, 5e8, 0), new(95_000, 8e8, 0), new(105_000, 0, 6e8)], Depth = [new(null, true, 99_990, 99_990 * 500.0), new(null, false, 100_010, 100_010 * 400.0)] },
            new() { Symbol = "ETH", OpenInterest = [new(new DateTimeOffset(2025, 10, 10, 0, 0, 0, TimeSpan.Zero), 4e9)] },
        };
        var (scenario, summary) = BookFromData.Apply(ScenarioLoader.LoadDefault(), data);
        return BookDataJson.Serialize(summary, scenario, ["--liquidation-map BTC=map.csv"]);
    }

    [Test]
    public void FitReportIsThePageOfItsJson()
    {
        var (_, btc, eth, baseFile) = FitFiles();
        var (code, output, err) = Run("fit", btc, eth, "--interval", "1h", "--base", baseFile, "--out", F("fitted.yaml"), "--json", F("fit.json"),
            "--report", F("direct.html"), "--plots", F("p"));
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("GARCH(1,1) per step: alpha"), "the estimates still go to stdout");
        (code, _, err) = Run("report", F("fit.json"), "--out", F("later.html"));
        Assert.That(code, Is.Zero, err);
        string direct = File.ReadAllText(F("direct.html")), json = File.ReadAllText(F("fit.json"));
        Assert.That(direct, Does.Contain("data-chart=\"fit-volatilities\""));
        Assert.That(direct, Is.EqualTo(File.ReadAllText(F("later.html"))));
        AssertNumbersMatch(direct, json);
        Assert.That(Directory.GetFiles(F("p"), "*.png").Select(Path.GetFileName), Is.EqualTo(new[] { "fit-volatilities.png" }));
        // The files' SHA-256, as PriceFile.Read gives it.
        using var doc = JsonDocument.Parse(json);
        Assert.That(doc.RootElement.GetProperty("assets")[0].GetProperty("sourceSha256").GetString(), Is.EqualTo(PriceFile.Read(btc).Sha256));
        // --json - writes the JSON to stdout, with the scenario in its file; without --out both would go there.
        (code, output, err) = Run("fit", btc, eth, "--interval", "1h", "--base", baseFile, "--out", F("fitted2.yaml"), "--json", "-");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Is.EqualTo(json), "the document alone on stdout");
        (code, _, err) = Run("fit", btc, eth, "--interval", "1h", "--base", baseFile, "--json", "-");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--json: the scenario goes to stdout without --out FILE"));
    }

    [Test]
    public void BookReportIsThePageOfItsJson()
    {
        File.WriteAllText(F("map.csv"), "price,longUsd,shortUsd\n90000,5e8,0\n95000,8e8,0\n105000,0,6e8\n");
        File.WriteAllText(F("depth.csv"), "side,price,size\nbid,99990,500\nask,100010,400\n");
        File.WriteAllText(F("oi.csv"), "timestamp,openInterestUsd\n2025-10-10,4e9\n");
        var (code, output, err) = Run("book", "--liquidation-map", $"BTC={F("map.csv")}", "--depth", $"BTC={F("depth.csv")}", "--open-interest", $"ETH={F("oi.csv")}",
            "--out", F("today.yaml"), "--json", F("book.json"), "--report", F("direct.html"), "--plots", F("p"));
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("BTC: liquidation map: 3 cohorts"), "what was taken still goes to stdout");
        (code, _, err) = Run("report", F("book.json"), "--out", F("later.html"));
        Assert.That(code, Is.Zero, err);
        string direct = File.ReadAllText(F("direct.html")), json = File.ReadAllText(F("book.json"));
        Assert.That(direct, Is.EqualTo(File.ReadAllText(F("later.html"))));
        Assert.That(direct, Does.Contain("data-kind=\"bookdata\"").And.Contain("(a book from data)").And.Contain("<h3>Positioning</h3>")
            .And.Contain("<h3>Liquidation ladder</h3>").And.Contain("data-chart=\"liquidation-ladder\""));
        AssertNumbersMatch(direct, json);
        Assert.That(Directory.GetFiles(F("p"), "*.png").Select(Path.GetFileName), Is.EqualTo(new[] { "liquidation-ladder.png" }));
        // The numbers are the printed ones, and the ladder is the written scenario's, as a run result writes it.
        using var doc = JsonDocument.Parse(json);
        var btc = doc.RootElement.GetProperty("positioning").EnumerateArray().Single(p => p.GetProperty("symbol").GetString() == "BTC");
        Assert.That(btc.GetProperty("mapCohorts").GetInt32(), Is.EqualTo(3));
        Assert.That(btc.GetProperty("depth").GetProperty("depth1pct").GetDouble(), Is.EqualTo((99990 * 500 + 100010 * 400.0) / 2));
        Assert.That(output, Does.Contain(string.Create(Inv, $"depth per 1% {btc.GetProperty("depth").GetProperty("depth1pct").GetDouble():#,0}")));
        var ladder = LiquidationLadder.Of(ScenarioLoader.LoadFile(F("today.yaml")));
        var down = doc.RootElement.GetProperty("ladder").GetProperty("assets").GetProperty("BTC").GetProperty("down");
        Assert.That(down.GetProperty("notional").EnumerateArray().Select(x => x.GetDouble()), Is.EqualTo(ladder["BTC"].Down.Notional).Within(1e-6).Percent);
        Assert.That(ladder["BTC"].Down.Notional.Sum(), Is.GreaterThan(0), "the map's longs are on the ladder");
    }
}
