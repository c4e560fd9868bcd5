using System.Text.Json;
using GpuCascade.MarketData;
using GpuCascade.Nowcasting;
using GpuCascade.Prices;
using GpuCascade.Scenarios;
using GpuCascade.Tests.Cli;
using GpuCascade.Tests.Docs;

namespace GpuCascade.Tests.Nowcasting;

/// <summary>
/// The nowcast (docs/market-data.md, "Nowcast"): its state file's errors located by key, line and column; no data after
/// the state's time reaches it; its scenario is the fit of the data up to then at today's prices, with the positioning
/// data's book and depth; the command's table, JSON and report.
/// </summary>
public class NowcastTests : CliTestBase
{
    private static string Data(string file) => Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "data", file);

    private static string Scenario => Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "historical-bootstrap.yaml");

    private string State(string extra = "", string prices = "")
    {
        string file = Path.Combine(_dir, "state.yaml");
        string text = $"""
            scenario: {Scenario}
            prices: {(prices.Length > 0 ? prices : $"{{BTC: {Data("BTC_USDT_1h.csv")}, ETH: {Data("ETH_USDT_1h.csv")}}}")}
            asOf: 2025-10-10T20:00:00Z
            interval: 1h
            horizons: [1h, 6h]
            paths: 400
            """;
        // A key of extra replaces the line of the same key.
        string key = extra.Split(':')[0] + ":";
        var lines = text.Split('\n').Where(l => extra.Length == 0 || !l.StartsWith(key, StringComparison.Ordinal)).Append(extra);
        File.WriteAllText(file, string.Join('\n', lines));
        return file;
    }

    [Test]
    public void NothingAfterTheStatesTimeReachesTheNowcast()
    {
        var state = NowcastState.Load(State());
        var truncated = state with
        {
            Prices = [.. state.Prices.Select(p =>
            {
                int keep = p.Times.Count(t => t.AddHours(1) <= state.AsOf);
                // The rows after asOf changed beyond recognition: the nowcast must not move.
                return p with { Closes = [.. p.Closes.Select((c, k) => k < keep ? c : c * 0.5)] };
            })],
        };
        var a = Nowcaster.Run(state);
        var b = Nowcaster.Run(truncated);
        Assert.That(a.AsOf, Is.EqualTo(new DateTimeOffset(2025, 10, 10, 20, 0, 0, TimeSpan.Zero)));
        for (int h = 0; h < a.Horizons.Length; h++)
        {
            Assert.That(b.Horizons[h].Scenario, Is.EqualTo(a.Horizons[h].Scenario));
            Assert.That(b.Horizons[h].Result.Probabilities, Is.EqualTo(a.Horizons[h].Result.Probabilities));
        }
    }

    [Test]
    public void TheScenarioIsTheFitUpToThenAtTodaysPrices()
    {
        var state = NowcastState.Load(State());
        var n = Nowcaster.Run(state);
        // A row is the hour that starts at its time: the 19:00 row's close is the price at 20:00.
        var until = state.Prices.Select(p => p with { Times = [.. p.Times.Where(t => t.AddHours(1) <= state.AsOf)], Closes = [.. p.Closes.Take(p.Times.Count(t => t.AddHours(1) <= state.AsOf))] }).ToList();
        var fit = MarketFitter.Fit(until, new FitOptions { Interval = TimeSpan.FromHours(1) });
        var day = n.Horizons[1].Scenario;
        Assert.That(day.Steps, Is.EqualTo(6));
        Assert.That(day.Paths, Is.EqualTo(400));
        Assert.That(day.History, Is.Null, "the fitted market replaces the base's historical shocks");
        Assert.That(day.Assets.Select(a => a.Price), Is.EqualTo(until.Select(p => p.Closes[^1])), "today's prices: the last closes at asOf");
        Assert.That(day.Assets.Select(a => a.Volatility), Is.EqualTo(fit.Assets.Select(a => a.Volatility.Value)));
        Assert.That(day.Garch, Is.EqualTo(new GarchSpec(fit.GarchAlpha.Value, fit.GarchBeta.Value)));
        Assert.That(n.Horizons[0].Result.Probabilities.Cascade.Estimate, Is.LessThanOrEqualTo(n.Horizons[1].Result.Probabilities.Cascade.Estimate + 0.05),
            "a cascade within an hour is no likelier than within six (same seed, paths share their first step)");
    }

    [Test]
    public void TheLookbackLimitsTheFitToTheLastDays()
    {
        var n = Nowcaster.Run(NowcastState.Load(State("lookback: 10d")));
        Assert.That(n.Fit.Assets.Select(a => a.Returns), Is.All.EqualTo(240), "ten days of hourly returns before asOf");
        Assert.That(n.Fit.Assets[0].Last, Is.EqualTo(new DateTimeOffset(2025, 10, 10, 20, 0, 0, TimeSpan.Zero)), "the last return is the 19:00 candle's, known at 20:00");
    }

    [Test]
    public void PositioningDataSetTheBookAndDepth()
    {
        string depth = Path.Combine(_dir, "book.csv");
        File.WriteAllText(depth, "side,price,usd\nbid,114000,3e7\nask,114500,5e7\n");
        var n = Nowcaster.Run(NowcastState.Load(State($"depth: {{BTC: {depth}}}")));
        Assert.That(n.Horizons[0].Scenario.Assets[0].Impact, Is.EqualTo(new LinearImpact(4e7)));
        Assert.That(n.Positioning.Single().Depth!.Depth1Pct, Is.EqualTo(4e7));
    }

    private static IEnumerable<TestCaseData> BadStates()
    {
        yield return new TestCaseData("", "{BTC: DATA}", "prices", "no price file for ETH");
        yield return new TestCaseData("asOf2: 1", "", "asOf2", "unknown key");
        yield return new TestCaseData("depth: {BTC: missing.csv}", "", "depth.BTC", "missing.csv");
        yield return new TestCaseData("horizons: []", "", "horizons", "at least one horizon");
        yield return new TestCaseData("paths: 0", "", "paths", "");
    }

    [TestCaseSource(nameof(BadStates))]
    public void ABadStateIsNamedByKeyLineAndColumn(string extra, string prices, string path, string message)
    {
        string file = State(extra, prices.Replace("DATA", Data("BTC_USDT_1h.csv"), StringComparison.Ordinal));
        var e = Assert.Throws<ScenarioException>(() => NowcastState.Load(file))!;
        var error = e.Errors.FirstOrDefault(x => x.Path == path);
        Assert.That(error, Is.Not.Null, e.Message);
        Assert.That(error!.Message, Does.Contain(message));
        Assert.That(error.Line, Is.Not.Null, "located in the file");
    }

    [Test]
    public void KeysThatCountStepsAreRefusedWhenTheStepChanges()
    {
        string crash = Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "crash-2025-10-10.yaml");
        string file = Path.Combine(_dir, "crash-state.yaml");
        File.WriteAllText(file, $"scenario: {crash}\nprices: {{BTC: {Data("BTC_USDT_1h.csv")}}}\nasOf: 2025-10-10T20:00:00Z\ninterval: 1h\nhorizons: [24h]\npaths: 100\n");
        var e = Assert.Throws<ScenarioException>(() => Nowcaster.Run(NowcastState.Load(file)))!;
        Assert.That(e.Errors.Select(x => x.Path), Has.Some.Contains("returningLiquidity.delay"), e.Message);
        Assert.That(e.Message, Does.Contain("counts steps"));
    }

    [Test]
    public void AHorizonThatIsNoWholeNumberOfIntervalsIsRefused()
    {
        var state = NowcastState.Load(State()) with { Horizons = [Duration.Parse("90m")] };
        var e = Assert.Throws<ScenarioException>(() => Nowcaster.Run(state))!;
        Assert.That(e.Errors.Single().Path, Is.EqualTo("horizons[0]"));
    }

    [Test]
    public void TheCommandPrintsWritesJsonAndReports()
    {
        string json = Path.Combine(_dir, "now.json"), report = Path.Combine(_dir, "now.html");
        var (code, stdout, err) = Run("nowcast", "--state", State(), "--backend", "managed", "--json", json, "--report", report);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("Nowcast as of 2025-10-10 20:00 UTC").And.Contain("1h ").And.Contain("6h "));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var horizons = doc.RootElement.GetProperty("horizons");
        Assert.That(horizons.GetArrayLength(), Is.EqualTo(2));
        double p = horizons[1].GetProperty("cascade").GetProperty("estimate").GetDouble();
        Assert.That(horizons[1].GetProperty("result").GetProperty("probabilities").GetProperty("cascade").GetProperty("estimate").GetDouble(), Is.EqualTo(p));
        Assert.That(stdout, Does.Contain((100 * p).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%"), "the table shows the JSON's figure");
        Assert.That(File.ReadAllText(report), Does.Contain("nowcast 1h").And.Contain("nowcast 6h"));
        (code, stdout, _) = Run("nowcast", "--state", State(), "--backend", "managed", "--json", "-");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(JsonDocument.Parse(stdout).RootElement.GetProperty("asOf").GetString(), Is.EqualTo("2025-10-10T20:00:00Z"), "--json - prints the JSON alone");
        (code, _, err) = Run("nowcast", "--state", State("asOf: 2026-01-10T20:00:00Z"), "--backend", "managed", "--paths", "100");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(err, Does.Contain("warning: the prices end at 2025-11-01 00:00 UTC"), "a state far past its data says so");
        (code, _, err) = Run("nowcast", "--state", Path.Combine(_dir, "none.yaml"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("none.yaml"));
    }
}
