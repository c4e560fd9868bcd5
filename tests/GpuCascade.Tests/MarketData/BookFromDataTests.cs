using System.Collections.Immutable;
using GpuCascade.Backends.Managed;
using GpuCascade.MarketData;
using GpuCascade.Prices;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Cli;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.MarketData;

/// <summary>
/// Books and depth from data (docs/market-data.md, "Books and depth from data"): the files' formats and errors, a
/// liquidation map's cohorts liquidated exactly at their levels (by the margin identity and by the engine), open interest
/// and the long share scaling them or the generator, an order book's depth within 1% by hand, and the command.
/// </summary>
public class BookFromDataTests : CliTestBase
{
    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static readonly ImmutableArray<LiquidationLevel> Map =
    [
        new(90, 5e4, 0), new(95, 8e4, 0), new(97, 3e4, 0), new(103, 0, 4e4), new(106, 0, 6e4), new(100, 1e4, 1e4),
    ];

    private static Scenario Venue(MarginRule rule, double volatility = 0.6) =>
        Single(Asset("BTC", 100, volatility, depth1pct: 1e15), [Inert(0, 100)], horizon: "1h", steps: 1) is var s
            ? s with { Venue = s.Venue with { MaintenanceMargin = [rule] } } : null!;

    private static IEnumerable<TestCaseData> Rules()
    {
        yield return new TestCaseData(new StaticMargin(0.05)).SetArgDisplayNames("static 5%");
        yield return new TestCaseData(new TieredMargin(MaintenanceMargin.ContinuousTiers([(20, 0.01), (60, 0.03), (double.PositiveInfinity, 0.08)]))).SetArgDisplayNames("tiered");
        yield return new TestCaseData(new DynamicMargin(0.01, 3, Duration.Parse("1d"))).SetArgDisplayNames("dynamic");
    }

    [TestCaseSource(nameof(Rules))]
    public void EachMapCohortIsAtItsMaintenanceExactlyAtItsLevel(MarginRule rule)
    {
        var s = Venue(rule);
        var (result, summary) = BookFromData.Apply(s, [new AssetPositioning { Symbol = "BTC", LiquidationMap = Map }], accountsPerCohort: 1000);
        var made = result.Book.Cohorts.Where(c => c.Name?.StartsWith("map:", StringComparison.Ordinal) == true).ToList();
        Assert.That(made, Has.Count.EqualTo(5), "the level at the price itself is left out on both sides");
        Assert.That(summary.Single().MapLevelsBeyondPrice, Is.EqualTo(1));
        foreach (var c in made)
        {
            var p = c.Positions.Single();
            double level = double.Parse(c.Name!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
            double Equity(double price) => c.UsdCollateral + p.Units * (price - p.EntryPrice);
            double Requirement(double price) => MaintenanceMargin.Requirement(rule, Math.Abs(p.Units) * price, c.Accounts, 0.6);
            // At maintenance at its level, less a hair so that reaching the level liquidates it (the engine's test is strict).
            Assert.That(Requirement(level) - Equity(level), Is.GreaterThan(0).And.LessThanOrEqualTo(2e-9 * c.UsdCollateral), c.Name);
            Assert.That(Equity(100), Is.GreaterThan(Requirement(100)), $"{c.Name} is not liquidatable at the start");
            double beyond = p.Units > 0 ? level * 0.999 : level * 1.001;
            Assert.That(Equity(beyond), Is.LessThan(Requirement(beyond)), $"{c.Name} is liquidatable past its level");
            Assert.That(Math.Abs(p.Units) * p.EntryPrice, Is.EqualTo(Map.First(l => l.Price == level) is var l ? l.LongUsd + l.ShortUsd : 0).Within(1e-6));
        }
    }

    /// <summary>A -4% step liquidates the long at 97 alone, a -6% step the ones at 97 and 95, as the engine computes; a
    /// step to a level exactly liquidates it.</summary>
    [TestCase(-0.03, 1)]
    [TestCase(-0.04, 1)]
    [TestCase(-0.05, 2)]
    [TestCase(-0.06, 2)]
    [TestCase(-0.12, 3)]
    [TestCase(0.04, 1)]
    public void TheEngineLiquidatesExactlyTheLevelsTheMoveReaches(double move, int expected)
    {
        var s = Venue(new StaticMargin(0.05), volatility: 0); // the stress alone moves the price
        var (result, _) = BookFromData.Apply(s, [new AssetPositioning { Symbol = "BTC", LiquidationMap = Map }]);
        result = result with { Stress = [new StressShock(0, 0, Math.Log(1 + move))] };
        var outputs = SimulationEngine.SimulatePaths(result, 0, 1, new ManagedBackend(1));
        Assert.That(outputs.CohortLiquidations[0], Is.EqualTo(expected));
    }

    [Test]
    public void OpenInterestAndTheLongShareScaleTheMapsSides()
    {
        var s = Venue(new StaticMargin(0.05));
        var data = new AssetPositioning
        {
            Symbol = "BTC", LiquidationMap = Map,
            OpenInterest = [new(DateTimeOffset.UnixEpoch.AddDays(20000), 1e6), new(DateTimeOffset.UnixEpoch.AddDays(20001), 2e6)],
            LongShare = [new(DateTimeOffset.UnixEpoch.AddDays(20000), 0.7)],
        };
        var (_, summary) = BookFromData.Apply(s, [data]);
        Assert.That(summary[0].MapLongUsd, Is.EqualTo(2e6 * 0.7).Within(1e-6));
        Assert.That(summary[0].MapShortUsd, Is.EqualTo(2e6 * 0.3).Within(1e-6));
        var (_, earlier) = BookFromData.Apply(s, [data], at: DateTimeOffset.UnixEpoch.AddDays(20000.5));
        Assert.That(earlier[0].OpenInterest, Is.EqualTo(1e6), "--at takes the value at or before it");
        var e = Assert.Throws<ScenarioException>(() => BookFromData.Apply(s, [data], at: DateTimeOffset.UnixEpoch.AddDays(10)))!;
        Assert.That(e.Errors[0].Path, Is.EqualTo("assets[BTC]"));
    }

    [Test]
    public void OpenInterestAndTheLongShareSetTheGenerator()
    {
        var d = ScenarioLoader.LoadDefault();
        var data = new AssetPositioning
        {
            Symbol = "ETH", OpenInterest = [new(DateTimeOffset.UnixEpoch.AddDays(20000), 3e9)], LongShare = [new(DateTimeOffset.UnixEpoch.AddDays(20000), 0.62)],
        };
        var (result, _) = BookFromData.Apply(d, [data]);
        var eth = result.Book.Generator!.Assets.Single(g => g.AssetIndex == 1);
        Assert.That((eth.OpenInterest, eth.LongShare), Is.EqualTo((3e9, 0.62)));
        Assert.That(eth.LeverageMedian, Is.EqualTo(d.Book.Generator!.Assets.Single(g => g.AssetIndex == 1).LeverageMedian), "the rest of the profile is the base's");
        var alone = Venue(new StaticMargin(0.05));
        var e = Assert.Throws<ScenarioException>(() => BookFromData.Apply(alone, [new AssetPositioning { Symbol = "BTC", LongShare = data.LongShare }]))!;
        Assert.That(e.Errors[0].Message, Does.Contain("a long share alone sets no book"));
        e = Assert.Throws<ScenarioException>(() => BookFromData.Apply(alone, [new AssetPositioning { Symbol = "DOGE", OpenInterest = data.OpenInterest }]))!;
        Assert.That(e.Errors[0].Message, Does.Contain("DOGE has data but is not an asset"));
    }

    [Test]
    public void TheDepthIsTheMeanUsdWithinOnePercentOfTheMidOfTheLatestSnapshot()
    {
        string file = Write("book.csv", """
            time,side,price,size
            2025-10-10T20:00:00Z,bid,99990,5
            2025-10-10T20:00:00Z,bid,99500,300
            2025-10-10T20:00:00Z,bid,98000,1000
            2025-10-10T20:00:00Z,ask,100010,4
            2025-10-10T20:00:00Z,ask,100800,200
            2025-10-10T20:00:00Z,ask,102000,900
            2025-10-10T21:00:00Z,bid,89990,1
            2025-10-10T21:00:00Z,ask,90010,1
            """);
        var levels = PositioningFile.ReadDepth(file);
        var first = BookFromData.Snapshot(levels, new DateTimeOffset(2025, 10, 10, 20, 30, 0, TimeSpan.Zero))!;
        Assert.That(first.Mid, Is.EqualTo(100000));
        Assert.That(first.BidUsd, Is.EqualTo(99990 * 5 + 99500 * 300.0));
        Assert.That(first.AskUsd, Is.EqualTo(100010 * 4 + 100800 * 200.0));
        Assert.That(first.Depth1Pct, Is.EqualTo((30_349_950 + 20_560_040) / 2.0));
        Assert.That(BookFromData.Snapshot(levels)!.Mid, Is.EqualTo(90000), "without --at, the last snapshot");
    }

    [Test]
    public void TheFilesFormatsAreRead()
    {
        var oi = PositioningFile.ReadOpenInterest(Write("oi.csv", """
            https://example.test banner line
            symbol,sumOpenInterest,sumOpenInterestValue,timestamp
            BTCUSDT,81000,8.5e9,1760140800000
            BTCUSDT,80000,8.0e9,1760054400000
            """));
        Assert.That(oi.Select(v => v.Value), Is.EqualTo(new[] { 8.0e9, 8.5e9 }), "oldest first, the USD column");
        var ratio = PositioningFile.ReadLongShare(Write("ls.csv", "timestamp,longShortRatio\n1760054400000,1.5\n"));
        Assert.That(ratio.Single().Value, Is.EqualTo(0.6).Within(1e-15), "r / (1 + r)");
        var share = PositioningFile.ReadLongShare(Write("la.csv", "timestamp,longShortRatio,longAccount\n1760054400000,1.5,0.61\n"));
        Assert.That(share.Single().Value, Is.EqualTo(0.61), "the share column when there is one");
        var indexed = PositioningFile.ReadOpenInterest(Write("pandas.csv", ",timestamp,sumOpenInterestValue\n0,1760054400000,8.0e9\n"));
        Assert.That(indexed.Single().Value, Is.EqualTo(8.0e9), "a data frame's unnamed index column");
        var map = PositioningFile.ReadLiquidationMap(Write("map.csv", "Source: a vendor,BTC heatmap\nprice,longUsd,shortUsd\n105000,,6e8\n95000,8e8,\n"));
        Assert.That(map, Is.EqualTo(new[] { new LiquidationLevel(95000, 8e8, 0), new LiquidationLevel(105000, 0, 6e8) }));
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        yield return new TestCaseData("oi", "timestamp,openInterest\n1760054400000,-5\n", "x.csv:2:2: open interest must be a number >= 0, got '-5'");
        yield return new TestCaseData("oi", "timestamp,price\n1760054400000,5\n", "no open interest column");
        yield return new TestCaseData("oi", "timestamp,openInterest\nlater,5\n", "x.csv:2:1: timestamp must be a date");
        yield return new TestCaseData("ls", "timestamp,longAccount\n1760054400000,1.4\n", "x.csv:2:2: long share must be a share in [0, 1]");
        yield return new TestCaseData("map", "price,volume\n100,5\n", "no longUsd or shortUsd column");
        yield return new TestCaseData("map", "price,longUsd\n0,5\n", "x.csv:2:1: price must be a positive price");
        yield return new TestCaseData("depth", "side,price,size\nmid,100,5\n", "x.csv:2:1: side must be bid or ask, got 'mid'");
        yield return new TestCaseData("depth", "side,price\nbid,100\n", "no size column");
        yield return new TestCaseData("depth", "side,price,size\n", "a header and no rows");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void ABadFileIsNamedWithItsLineAndColumn(string kind, string text, string message)
    {
        string file = Write("x.csv", text);
        TestDelegate read = kind switch
        {
            "oi" => () => PositioningFile.ReadOpenInterest(file),
            "ls" => () => PositioningFile.ReadLongShare(file),
            "map" => () => PositioningFile.ReadLiquidationMap(file),
            _ => () => PositioningFile.ReadDepth(file),
        };
        Assert.That(Assert.Throws<PriceFileException>(read)!.Message, Does.Contain(message));
    }

    [Test]
    public void TheCommandWritesAScenarioThatRuns()
    {
        string map = Write("map.csv", "price,longUsd,shortUsd\n90000,5e8,0\n95000,8e8,0\n105000,0,6e8\n");
        string depth = Write("depth.csv", "side,price,size\nbid,99990,500\nask,100010,400\n");
        string oi = Write("oi.csv", "timestamp,openInterestUsd\n2025-10-10,4e9\n");
        string output = Path.Combine(_dir, "today.yaml");
        var (code, stdout, err) = Run("book", "--liquidation-map", $"BTC={map}", "--depth", $"BTC={depth}", "--open-interest", $"ETH={oi}", "--out", output);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("BTC: liquidation map: 3 cohorts").And.Contain("ETH: open interest 4e9"));
        var s = ScenarioLoader.LoadFile(output);
        Assert.That(s.Book.Cohorts.Count(c => c.Name?.StartsWith("map:BTC", StringComparison.Ordinal) == true), Is.EqualTo(3));
        Assert.That(s.Assets[0].Impact, Is.EqualTo(new LinearImpact((99990 * 500 + 100010 * 400.0) / 2)));
        Assert.That(s.Book.Generator!.Assets.Select(g => g.AssetIndex), Is.EqualTo(new[] { 1, 2 }), "BTC's generated book gives way to the map");
        Assert.That(s.Book.Generator.Assets[0].OpenInterest, Is.EqualTo(4e9));
        (code, _, err) = Run("book", "--depth", $"DOGE={depth}");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("DOGE has data but is not an asset"));
        (code, _, err) = Run("book");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("give at least one data file"));
    }
}
