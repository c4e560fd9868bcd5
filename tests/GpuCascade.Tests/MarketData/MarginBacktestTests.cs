using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using GpuCascade.Cli;
using GpuCascade.MarketData;
using GpuCascade.Prices;

namespace GpuCascade.Tests.MarketData;

/// <summary>Margin backtests (docs/market-data.md, "Margin backtests"): the tests' known values, the traffic light, the
/// EWMA rule and the anti-procyclicality tools by hand, and a backtest whose exceedances are known.</summary>
public class MarginBacktestTests
{
    [Test]
    public void KupiecMatchesItsKnownValues()
    {
        var a = MarginBacktest.Kupiec(250, 3, 0.01);
        Assert.That(a.Statistic, Is.EqualTo(0.0949).Within(5e-5));
        Assert.That(a.PValue, Is.EqualTo(0.758).Within(5e-4));
        Assert.That(MarginBacktest.Kupiec(30, 7, 0.01).Statistic, Is.EqualTo(32.34).Within(5e-3));
        Assert.That(MarginBacktest.Kupiec(1000, 10, 0.01).Statistic, Is.Zero.Within(1e-12), "exactly the expected count");
        Assert.That(MarginBacktest.Kupiec(250, 0, 0.01).Statistic, Is.EqualTo(-2 * 250 * Math.Log(0.99)).Within(1e-9), "0 ln 0 = 0");
    }

    [Test]
    public void ChristoffersenSeesClusters()
    {
        bool[] Seq(string s) => [.. s.Select(c => c == '1')];
        // Transitions 4 0-0, 2 0-1, 2 1-0, 1 1-1: pi01 = pi11 = pi, so no evidence of clustering.
        Assert.That(MarginBacktest.Christoffersen(Seq("0011000100")).Statistic, Is.Zero.Within(1e-12));
        // 4 0-0, 1 0-1, 1 1-0, 3 1-1: -2[5 ln(5/9) + 4 ln(4/9)] + 2[4 ln(4/5) + ln(1/5) + ln(1/4) + 3 ln(3/4)].
        var clustered = MarginBacktest.Christoffersen(Seq("0000111100"));
        Assert.That(clustered.Statistic, Is.EqualTo(2.862602986419475).Within(1e-12));
        var c = MarginBacktest.Coverage(Seq("0000111100"), 0.01);
        Assert.That(c.ConditionalCoverage.Statistic, Is.EqualTo(c.Kupiec.Statistic + c.Independence.Statistic).Within(1e-12));
    }

    [TestCase(4, TrafficLight.Green)]
    [TestCase(5, TrafficLight.Yellow)]
    [TestCase(9, TrafficLight.Yellow)]
    [TestCase(10, TrafficLight.Red)]
    public void TheTrafficLightOf250DaysIsBasels(int exceedances, TrafficLight zone) =>
        Assert.That(MarginBacktest.Zone(250, exceedances, 0.01), Is.EqualTo(zone));

    [Test]
    public void TheEwmaRuleAndTheToolsFollowTheirDefinitions()
    {
        // Closes alternating +1% and -1% log after a calm warm-up: sigma^2 seeds at the warm-up's mean square.
        double[] closes = [.. Enumerable.Range(0, 40).Select(t => 100 * Math.Exp(0.01 * (t % 2)))];
        var sigma = EwmaMargin.Sigmas(closes, 0.94);
        Assert.That(double.IsNaN(sigma[EwmaMargin.WarmUp - 1]), Is.True);
        Assert.That(sigma[EwmaMargin.WarmUp], Is.EqualTo(0.01).Within(1e-12), "every return is +-1%");
        double z = 2.326;
        var (longs, shorts) = new EwmaMargin().Margins(closes, z, 2);
        Assert.That(longs[35], Is.EqualTo(1 - Math.Exp(-z * 0.01 * Math.Sqrt(2))).Within(1e-12), "a long's: the fall of the log quantile");
        Assert.That(shorts[35], Is.EqualTo(Math.Exp(z * 0.01 * Math.Sqrt(2)) - 1).Within(1e-12), "a short's: its rise");
        // The buffer: 1.25 m while margins fall, held while the rule's margin rises beneath it, the rule's once it passes.
        double[] rule = [0.10, 0.08, 0.09, 0.11, 0.13, 0.12];
        var buffered = MarginBacktest.Apply(AntiProcyclicality.Buffer, rule, rule);
        Assert.That(buffered, Is.EqualTo(new[] { 0.125, 0.1, 0.1, 0.11, 0.13, 0.13 }).Within(1e-12));
        var stressed = MarginBacktest.Apply(AntiProcyclicality.StressedWeight, rule, rule);
        Assert.That(stressed[1], Is.EqualTo(0.75 * 0.08 + 0.25 * 0.10).Within(1e-12));
        var floored = MarginBacktest.Apply(AntiProcyclicality.TenYearFloor, rule, [.. rule.Select(_ => 0.1)]);
        Assert.That(floored, Is.EqualTo(new[] { 0.10, 0.10, 0.10, 0.11, 0.13, 0.12 }).Within(1e-12));
        Assert.That(MarginBacktest.LargestIncrease([0.1, 0.2, 0.15, 0.3, 0.4], 2), Is.EqualTo(0.4 / 0.15 - 1).Within(1e-12), "0.15 to 0.4, two days on");
    }

    /// <summary>From 2024-01-01, a daily price that moves +-5% every second day, with a -20% fall on day 101 and a +20%
    /// rise on day 151.</summary>
    private static PriceSeries KnownExceedances()
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var closes = new List<double> { 100 };
        for (int d = 1; d <= 200; d++)
            closes.Add(closes[^1] * (d == 101 ? 0.8 : d == 151 ? 1.2 : d % 2 == 0 ? 1.05 : 1 / 1.05));
        return new PriceSeries("BTC", [.. closes.Select((_, d) => start.AddDays(d))], [.. closes], "test");
    }

    /// <summary>The price of <see cref="KnownExceedances"/> against a fixed 10% margin: exactly one exceedance a side.</summary>
    [Test]
    public void AFixedMarginExceededOnKnownDays()
    {
        var series = KnownExceedances();
        var r = MarginBacktest.Run(series, new FixedMargin(0.1), 0.99, 2);
        Assert.That(r.Dates.Length, Is.EqualTo(100), "200 days in windows of 2");
        var none = r.Variants[0];
        Assert.That((none.Long.Coverage.Exceedances, none.Short.Coverage.Exceedances), Is.EqualTo((1, 1)));
        Assert.That(none.Long.Coverage.Zone, Is.EqualTo(TrafficLight.Green));
        Assert.That((none.Long.PeakToTrough, none.Long.Largest30DayIncrease), Is.EqualTo((1.0, 0.0)));
        Assert.That(none.Long.MeanMargin, Is.EqualTo(0.1).Within(1e-12));
        Assert.That(r.Variants.Select(v => v.Tool), Is.EqualTo(Enum.GetValues<AntiProcyclicality>()));
        Assert.That(r.Variants[1].Long.MeanMargin, Is.EqualTo(0.125).Within(1e-12), "the buffer on a fixed margin");
        Assert.That(r.Variants[2].Long.MeanMargin, Is.EqualTo(0.1).Within(1e-12), "a fixed margin is its own floor");
        // At 99.9999% a side with no exceedance is green, though P(X <= 0) is then above 95%.
        Assert.That(MarginBacktest.Run(series, new FixedMargin(0.5), 0.999999, 2).Variants[0].Long.Coverage.Zone, Is.EqualTo(TrafficLight.Green));
        var flat = series with { Closes = [.. series.Closes.Select(_ => 100.0)] };
        Assert.That(Assert.Throws<PriceFileException>(() => MarginBacktest.Run(flat, new EwmaMargin()))!.Message, Does.Contain("never changes"));
    }

    /// <summary>The JSON of the known-exceedance backtest above: the counts, the tests and each window's margin and flags,
    /// the numbers of the result exactly.</summary>
    [Test]
    public void TheJsonHoldsTheTestsAndEachWindow()
    {
        var series = KnownExceedances();
        var r = MarginBacktest.Run(series, new FixedMargin(0.1), 0.99, 2);
        using var doc = JsonDocument.Parse(BacktestJson.Serialize(r));
        var root = doc.RootElement;
        Assert.That((root.GetProperty("symbol").GetString(), root.GetProperty("rule").GetString(), root.GetProperty("windows").GetInt32()), Is.EqualTo(("BTC", "fixed 0.1", 100)));
        Assert.That(root.GetProperty("sourceSha256").ValueKind, Is.EqualTo(JsonValueKind.Null), "a series built in code has no file");
        Assert.That((root.GetProperty("first").GetString(), root.GetProperty("last").GetString()), Is.EqualTo(("2024-01-01", "2024-07-17")));
        var variants = root.GetProperty("variants");
        Assert.That(variants.EnumerateArray().Select(v => v.GetProperty("tool").GetString()), Is.EqualTo(new[] { "none", "buffer", "floor", "stressed" }));
        Assert.That(variants[2].GetProperty("label").GetString(), Is.EqualTo("10y floor"));
        var expectedKupiec = MarginBacktest.Kupiec(100, 1, 0.01);
        foreach (var (side, test) in new[] { ("long", r.Variants[0].Long), ("short", r.Variants[0].Short) })
        {
            var s = variants[0].GetProperty(side);
            Assert.That((s.GetProperty("observations").GetInt32(), s.GetProperty("exceedances").GetInt32(), s.GetProperty("zone").GetString()), Is.EqualTo((100, 1, "green")));
            Assert.That(s.GetProperty("expected").GetDouble(), Is.EqualTo(1).Within(1e-12));
            Assert.That(s.GetProperty("kupiec").GetProperty("statistic").GetDouble(), Is.EqualTo(expectedKupiec.Statistic));
            Assert.That(s.GetProperty("kupiec").GetProperty("pValue").GetDouble(), Is.EqualTo(test.Coverage.Kupiec.PValue));
            Assert.That(s.GetProperty("conditionalCoverage").GetProperty("statistic").GetDouble(), Is.EqualTo(test.Coverage.ConditionalCoverage.Statistic));
            Assert.That(s.GetProperty("meanMargin").GetDouble(), Is.EqualTo(0.1).Within(1e-12));
            Assert.That(s.GetProperty("margins").EnumerateArray().Select(m => m.GetDouble()), Is.EqualTo(test.Margins));
        }
        // The -20% window starts on day 100 (window 50), the +20% one on day 150 (window 75).
        int[] Flagged(string side) => [.. variants[0].GetProperty(side).GetProperty("exceeded").EnumerateArray().Select((e, i) => (e, i)).Where(x => x.e.GetBoolean()).Select(x => x.i)];
        Assert.That((Flagged("long"), Flagged("short")), Is.EqualTo((new[] { 50 }, new[] { 75 })));
        Assert.That(root.GetProperty("dates")[50].GetString(), Is.EqualTo("2024-04-10"));
        Assert.That(root.GetProperty("moves").EnumerateArray().Select(m => m.GetDouble()), Is.EqualTo(r.Moves));
        Assert.That(variants[1].GetProperty("long").GetProperty("margins")[0].GetDouble(), Is.EqualTo(0.125).Within(1e-12), "each tool its own margins");
    }

    /// <summary>calibrate's margin table as a rule: each day the regime nearest the EWMA volatility (annualised) sets the
    /// margin.</summary>
    [Test]
    public void TheCalibratedTableSetsEachDaysMarginByItsNearestRegime()
    {
        string file = Path.Combine(Path.GetTempPath(), "gpucascade-table-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, """
            {"kind": "calibration", "marginTable": [
              {"regime": "calm", "volatilityFactor": 0.5, "volatility": {"BTC": 0.3, "ETH": 0.4}, "chosen": 0.05},
              {"regime": "normal", "volatilityFactor": 1, "volatility": {"BTC": 0.6, "ETH": 0.8}, "chosen": 0.1},
              {"regime": "stressed", "volatilityFactor": 2, "volatility": {"BTC": 1.2, "ETH": 1.6}, "chosen": null}]}
            """);
        try
        {
            var table = (TableMargin)MarginModel.Parse($"table:{file}", "BTC");
            Assert.That(table.Rows.Select(r => r.Regime), Is.EqualTo(new[] { "calm", "normal" }), "a regime with no chosen value is left out");
            // 40 calm days (0.5% moves, 0.096 a year), then 40 wild ones (5%, 0.96 a year).
            double[] closes = [.. Enumerable.Range(0, 80).Select(t => 100 * Math.Exp((t < 40 ? 0.005 : 0.05) * (t % 2)))];
            var (longs, shorts) = table.Margins(closes, 2.326, 2);
            var sigma = EwmaMargin.Sigmas(closes, 0.94);
            for (int t = EwmaMargin.WarmUp; t < 80; t++)
            {
                double annual = sigma[t] * Math.Sqrt(365);
                double expected = Math.Abs(Math.Log(annual / 0.3)) <= Math.Abs(Math.Log(annual / 0.6)) ? 0.05 : 0.1;
                Assert.That(longs[t], Is.EqualTo(expected), $"day {t}");
            }
            Assert.That((longs[35], longs[79], shorts[79]), Is.EqualTo((0.05, 0.1, 0.1)));
            var e = Assert.Throws<PriceFileException>(() => MarginModel.Parse($"table:{file}", "SOL"))!;
            Assert.That(e.Message, Does.Contain("no regime of its marginTable has a chosen value and a volatility for SOL"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void TheCommandPrintsTheTestsAndWritesEachWindow()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gpucascade-backtest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var rng = new Random(3);
            var start = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
            double price = 100;
            var lines = new List<string> { "date,close" };
            for (int d = 0; d < 400; d++)
            {
                price *= Math.Exp(0.03 * (rng.NextDouble() - 0.5));
                lines.Add($"{start.AddDays(d):yyyy-MM-dd},{price.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
            }
            string file = Path.Combine(dir, "prices.csv"), csv = Path.Combine(dir, "out.csv");
            File.WriteAllLines(file, lines);
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            int code = CliApp.Run(["backtest", "--prices", $"BTC={file}", "--margin", "ewma:0.97", "--horizon", "2d", "--csv", csv], stdout, stderr);
            Assert.That(code, Is.Zero, stderr.ToString());
            Assert.That(stdout.ToString(), Does.Contain("Margin backtest of BTC").And.Contain("Kupiec LR (p)").And.Contain("10y floor"));
            var rows = File.ReadAllLines(csv);
            Assert.That(rows[0], Does.StartWith("date,move,long_margin_none,long_exceeded_none,short_margin_none,short_exceeded_none,long_margin_buffer"));
            Assert.That(rows.Length, Is.EqualTo(1 + (400 - EwmaMargin.WarmUp - 1) / 2));
            // --json: the numbers the table shows, the file's SHA-256, and '-' for stdout instead of the table.
            string json = Path.Combine(dir, "out.json");
            stdout = new StringWriter();
            Assert.That(CliApp.Run(["backtest", "--prices", $"BTC={file}", "--margin", "ewma:0.97", "--json", json], stdout, stderr), Is.Zero, stderr.ToString());
            using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
            {
                var none = doc.RootElement.GetProperty("variants")[0];
                var line = stdout.ToString().Split('\n').Single(l => l.StartsWith("none             long", StringComparison.Ordinal));
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.That(fields[2], Is.EqualTo(none.GetProperty("long").GetProperty("exceedances").GetInt32().ToString(CultureInfo.InvariantCulture)), line);
                Assert.That(fields[4], Is.EqualTo(none.GetProperty("long").GetProperty("kupiec").GetProperty("statistic").GetDouble().ToString("0.00", CultureInfo.InvariantCulture)), line);
                Assert.That(fields[5], Is.EqualTo($"({none.GetProperty("long").GetProperty("kupiec").GetProperty("pValue").GetDouble().ToString("0.000", CultureInfo.InvariantCulture)})"), line);
                Assert.That(doc.RootElement.GetProperty("sourceSha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))));
                Assert.That(doc.RootElement.GetProperty("source").GetString(), Is.EqualTo(file));
            }
            stdout = new StringWriter();
            Assert.That(CliApp.Run(["backtest", "--prices", $"BTC={file}", "--margin", "ewma:0.97", "--json", "-"], stdout, stderr), Is.Zero, stderr.ToString());
            Assert.That(stdout.ToString(), Does.StartWith("{").And.Not.Contain("Margin backtest of"), "only the JSON on stdout");
            Assert.That(JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("windows").GetInt32(), Is.EqualTo(rows.Length - 1));
            foreach (var (args, message) in new (string[], string)[]
                     {
                         (["--json", Path.Combine(dir, "no", "out.json")], "--json: the directory"),
                         (["--json", dir], "--json: " + dir + " is a directory"),
                         (["--json", file], "--json: " + file + " is the price file"),
                         (["--json", "-", "--csv", "-"], "--csv and --json cannot both write to stdout"),
                         (["--json", ""], "--json: needs a file name"),
                     })
            {
                stderr = new StringWriter();
                Assert.That(CliApp.Run(["backtest", "--prices", $"BTC={file}", "--margin", "ewma", .. args], new StringWriter(), stderr), Is.EqualTo(2), string.Join(" ", args));
                Assert.That(stderr.ToString(), Does.Contain(message), string.Join(" ", args));
            }
            Assert.That(File.ReadAllText(file), Does.StartWith("date,close"), "the price file is intact");
            stderr = new StringWriter();
            int bad = CliApp.Run(["backtest", "--prices", file, "--margin", "var:0.99"], new StringWriter(), stderr);
            Assert.That(bad, Is.EqualTo(2));
            Assert.That(stderr.ToString(), Does.Contain("a margin rule is fixed:F"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
