using System.Globalization;
using System.Text;
using GpuCascade.Backends.Managed;
using GpuCascade.Cli;
using GpuCascade.MarketData;
using GpuCascade.Prices;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.MarketData;

/// <summary>
/// <c>fit</c> (docs/market-data.md) recovers, within two standard errors, the parameters of series the engine itself
/// simulates (GARCH(1,1) with Student-t shocks and a correlation; common jumps), and writes a scenario that runs.
/// </summary>
public class MarketFitTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Two assets, one path of <paramref name="steps"/> hourly steps of the engine's exogenous prices, written as
    /// price files: BTC as KuCoin's (oldest first), ETH as CryptoDataDownload's (a banner, newest first, epoch ms).</summary>
    internal static List<PriceSeries> Simulate(Scenario market, int steps)
    {
        var s = market with { Horizon = Duration.Parse($"{steps}h"), Steps = steps, Paths = 1 };
        var paths = SimulationEngine.Run(s, new RunOptions { Paths = 1, Backend = new ManagedBackend(1), SamplePaths = 1 }).SamplePaths!;
        var btc = new StringBuilder("datetime,open,high,low,close,volume\n");
        var eth = new StringBuilder("https://www.CryptoDataDownload.com\nUnix,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT,tradecount\n");
        for (int t = 0; t <= steps; t++)
            btc.Append(CultureInfo.InvariantCulture, $"{Start.AddHours(t):yyyy-MM-dd HH:mm:ss},1,1,1,{s.Assets[0].Price * paths.ExogenousPrice(0, t, 0):R},1\n");
        for (int t = steps; t >= 0; t--)
            eth.Append(CultureInfo.InvariantCulture, $"{Start.AddHours(t).ToUnixTimeMilliseconds()},{Start.AddHours(t):yyyy-MM-dd},ETHUSDT,1,1,1,{s.Assets[1].Price * paths.ExogenousPrice(0, t, 1):R},1,1,1\n");
        return [PriceFile.Parse(btc.ToString(), "BTC_USDT_1h.csv"), PriceFile.Parse(eth.ToString(), "Binance_ETHUSDT_1h.csv")];
    }

    internal static Scenario Market(GarchSpec? garch, InnovationSpec innovations, JumpSpec? jumps, double rho) => new()
    {
        Horizon = Duration.Parse("1h"),
        Steps = 1,
        Paths = 1,
        Seed = 11,
        Assets = [Asset("BTC", 100000, 0.5), Asset("ETH", 3000, 0.7) with { JumpBeta = 1.3 }],
        Correlation = [1, rho, rho, 1],
        Innovations = innovations,
        Garch = garch,
        Jumps = jumps,
        Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(0.01), new StaticMargin(0.01)] },
        Book = new GpuCascade.Scenarios.BookSpec { Cohorts = [Inert(0, 100000)] },
    };

    private static void Within2(Estimate e, double truth, string what) =>
        Assert.That(Math.Abs(e.Value - truth), Is.LessThanOrEqualTo(2 * e.StandardError), $"{what}: {e} against {truth}");

    [Test]
    public void GarchStudentTAndTheCorrelationAreRecovered()
    {
        var series = Simulate(Market(new GarchSpec(0.08, 0.9), new InnovationSpec(6), null, 0.6), 20_000);
        var fit = MarketFitter.Fit(series, new FitOptions { Interval = TimeSpan.FromHours(1) });
        Assert.That(fit.Interval, Is.EqualTo(TimeSpan.FromHours(1)));
        Within2(fit.GarchAlpha, 0.08, "alpha");
        Within2(fit.GarchBeta, 0.9, "beta");
        Within2(fit.Dof, 6, "dof");
        Within2(fit.Assets[0].LongRunVolatility, 0.5, "BTC long-run volatility");
        Within2(fit.Assets[1].LongRunVolatility, 0.7, "ETH long-run volatility");
        Within2(new Estimate(fit.Correlation[1], fit.CorrelationStandardErrors[1]), 0.6, "correlation");
        Within2(fit.JumpIntensity, 0, "no jumps: the threshold's false alarms (0.01% of 20,000) are taken off");
        Assert.That(fit.Assets[1].Returns, Is.EqualTo(20_000));
        // The standard errors are of the size the sample implies, not vanishing or wild.
        Assert.That(fit.GarchAlpha.StandardError, Is.InRange(0.002, 0.02));
    }

    [Test]
    public void CommonJumpsAreRecoveredByTheThresholdMethod()
    {
        // 60 jumps a year of -5% (s.d. 1%) against an hourly volatility of 0.53%: about 140 over 20,000 hours.
        var series = Simulate(Market(null, InnovationSpec.Normal, new JumpSpec(60, -0.05, 0.01), 0.5), 20_000);
        var fit = MarketFitter.Fit(series);
        // The path's drops beyond 2.5% (almost five hourly standard deviations) are its jumps: the threshold finds each,
        // and only a few diffusion returns besides.
        var c = series[0].Closes;
        int drops = Enumerable.Range(1, c.Length - 1).Count(t => Math.Log(c[t] / c[t - 1]) < -0.025);
        Assert.That(fit.Jumps, Is.InRange(drops, drops + 10));
        Within2(fit.JumpIntensity, 60, "intensity");
        Within2(fit.JumpMeanLogSize, -0.05, "mean log size");
        Within2(fit.JumpLogSizeVolatility, 0.01, "log-size volatility");
        Within2(fit.Assets[1].JumpBeta, 1.3, "ETH's jump beta");
        Within2(fit.Assets[0].LongRunVolatility, 0.5, "BTC's volatility, the jumps left out");
    }

    [Test]
    public void TheFittedScenarioRunsAndNamesWhatDoesNotFit()
    {
        var series = Simulate(Market(new GarchSpec(0.05, 0.9), new InnovationSpec(5), null, 0.7), 2_000);
        var fit = MarketFitter.Fit(series);
        var baseScenario = Market(null, InnovationSpec.Normal, null, 0) with { Horizon = Duration.Parse("1d"), Steps = 288, Paths = 500 };
        var scenario = FittedScenario.Apply(fit, baseScenario);
        Assert.That(scenario.Steps, Is.EqualTo(24), "the step is the fit's interval");
        Assert.That(scenario.Garch, Is.EqualTo(new GarchSpec(fit.GarchAlpha.Value, fit.GarchBeta.Value)));
        Assert.That(scenario.Assets[1].Price, Is.EqualTo(series[1].Closes[^1]));
        var reloaded = ScenarioLoader.LoadYaml(FittedScenario.Yaml(fit, scenario, ["BTC_USDT_1h.csv", "Binance_ETHUSDT_1h.csv"]));
        Assert.That(reloaded, Is.EqualTo(scenario), "the YAML loads back to the scenario");
        Assert.That(SimulationEngine.Run(reloaded, new RunOptions { Paths = 200, Backend = new ManagedBackend(1) }).Paths, Is.EqualTo(200));
        var oneAsset = baseScenario with { Assets = [baseScenario.Assets[0]], Correlation = [], Venue = baseScenario.Venue with { MaintenanceMargin = [new StaticMargin(0.01)] } };
        var extra = Assert.Throws<ScenarioException>(() => FittedScenario.Apply(fit, oneAsset))!;
        Assert.That(extra.Message, Does.Contain("ETH are fitted but not in the base scenario"));
        var odd = Assert.Throws<ScenarioException>(() => FittedScenario.Apply(fit, baseScenario with { Horizon = Duration.Parse("90m") }))!;
        Assert.That(odd.Message, Does.Contain("not a whole number of the fit's 1h intervals"));
    }

    [Test]
    public void InputsThatCannotBeFittedAreRefused()
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        PriceSeries Series(string symbol, int from, Func<int, double> price) =>
            new(symbol, [.. Enumerable.Range(from, 200).Select(t => start.AddHours(t))], [.. Enumerable.Range(from, 200).Select(price)], symbol + ".csv");
        var moving = Series("BTC", 0, t => 100 * Math.Exp(0.01 * Math.Sin(t * 1.7)));
        Assert.That(Assert.Throws<PriceFileException>(() => MarketFitter.Fit([Series("ETH", 0, _ => 100)]))!.Message, Does.Contain("never changes"));
        Assert.That(Assert.Throws<PriceFileException>(() => MarketFitter.Fit([moving, Series("ETH", 500, t => 100 * Math.Exp(0.01 * Math.Cos(t))) ]))!.Message,
            Does.Contain("share 0 intervals"));
        var fast = new PriceSeries("BTC", [start, start.AddTicks(1), start.AddTicks(2)], [1, 2, 3], "fast.csv");
        Assert.That(Assert.Throws<PriceFileException>(() => MarketFitter.Fit([fast]))!.Message, Does.Contain("closer than 1 s"));
        Assert.Throws<ArgumentOutOfRangeException>(() => MarketFitter.Fit([moving], new FitOptions { JumpTail = 0.4 }));
    }

    [Test]
    public void TheBaseKeepsItsMoneynessAndRefusesStepCountsTheFitWouldChange()
    {
        var series = Simulate(Market(new GarchSpec(0.05, 0.9), new InnovationSpec(5), null, 0.7), 2_000);
        var fit = MarketFitter.Fit(series);
        var baseScenario = Market(null, InnovationSpec.Normal, null, 0) with { Horizon = Duration.Parse("1d"), Steps = 24 };
        // A long entered 10% under the base's price stays 10% under the fitted price, with the same notional.
        var cohort = Isolated(0, 1e6, 5, 90_000);
        var fitted = FittedScenario.Apply(fit, baseScenario with { Book = new GpuCascade.Scenarios.BookSpec { Cohorts = [cohort] } });
        var p = fitted.Book.Cohorts[0].Positions[0];
        Assert.That(p.EntryPrice / fitted.Assets[0].Price, Is.EqualTo(0.9).Within(1e-12));
        Assert.That(p.Units * p.EntryPrice, Is.EqualTo(1e6).Within(1e-6));
        Assert.That(fitted.Assets[1].JumpBeta, Is.EqualTo(1.3), "no jumps: the base's loading stays");
        // A reaction delay of 1 step means 5 minutes in a base of 5-minute steps, an hour in the fit's: refused.
        var lps = baseScenario with
        {
            Steps = 288,
            Assets = [baseScenario.Assets[0] with { Mechanisms = baseScenario.Assets[0].Mechanisms.With(new ReturningLiquiditySpec(0.2, 1)) }, baseScenario.Assets[1]],
        };
        var e = Assert.Throws<ScenarioException>(() => FittedScenario.Apply(fit, lps))!;
        Assert.That(e.Errors.Select(x => x.Path), Has.Member("assets[BTC].returningLiquidity.delay"));
        Assert.That(FittedScenario.Apply(fit, lps with { Steps = 24 }).Steps, Is.EqualTo(24), "at the fit's step it is kept");
    }

    [Test]
    public void TheCommandWritesAScenarioThatRunReads()
    {
        var series = Simulate(Market(new GarchSpec(0.05, 0.9), new InnovationSpec(5), null, 0.7), 1_000);
        string dir = Path.Combine(Path.GetTempPath(), "gpucascade-fit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string btc = Path.Combine(dir, "BTC_USDT_1h.csv"), eth = Path.Combine(dir, "eth.csv"), baseFile = Path.Combine(dir, "base.yaml");
            File.WriteAllText(btc, "datetime,close\n" + string.Concat(series[0].Times.Zip(series[0].Closes, (t, c) => $"{t:yyyy-MM-dd HH:mm:ss},{c.ToString("R", CultureInfo.InvariantCulture)}\n")));
            File.WriteAllText(eth, "datetime,close\n" + string.Concat(series[1].Times.Zip(series[1].Closes, (t, c) => $"{t:yyyy-MM-dd HH:mm:ss},{c.ToString("R", CultureInfo.InvariantCulture)}\n")));
            File.WriteAllText(baseFile, ScenarioYaml.Normalised(Market(null, InnovationSpec.Normal, null, 0) with { Horizon = Duration.Parse("12h"), Steps = 12 }));
            string fitted = Path.Combine(dir, "fitted.yaml");
            var (code, stdout, stderr) = Cli(["fit", btc, $"ETH={eth}", "--base", baseFile, "--out", fitted]);
            Assert.That(code, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("GARCH(1,1) per step: alpha").And.Contain("correlation ETH-BTC"));
            var (runCode, _, runErr) = Cli(["run", fitted, "--paths", "100", "--quiet"]);
            Assert.That(runCode, Is.Zero, runErr);
            var (bad, _, badErr) = Cli(["fit", Path.Combine(dir, "missing.csv")]);
            Assert.That(bad, Is.EqualTo(2), "a missing file is an input error");
            Assert.That(badErr, Does.Contain("missing.csv"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Stdout, string Stderr) Cli(string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
