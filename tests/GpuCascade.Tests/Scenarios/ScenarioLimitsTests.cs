using System.Diagnostics;
using System.Collections.Immutable;
using System.Text;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Scenarios;

/// <summary>Hostile scenario files: refused with a message, in bounded time and memory, never a crash.</summary>
public class ScenarioLimitsTests
{
    private static string Refused(Func<object> load)
    {
        var clock = Stopwatch.StartNew();
        long before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<ScenarioException>(() => load())!;
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(20), "bounded time");
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(1L << 30), "bounded memory");
        return e.Message;
    }

    [Test]
    public void AnAliasBombIsRefusedBeforeItExpands()
    {
        // "Billion laughs": 10 levels of 10 aliases, 1 KB of text, 10^10 values expanded.
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int k = 1; k <= 10; k++)
            yaml.Append($"a{k}: &a{k} [{string.Join(", ", Enumerable.Repeat($"*a{k - 1}", 10))}]\n");
        Assert.That(yaml.Length, Is.LessThan(1200));
        Assert.That(Refused(() => ScenarioLoader.LoadYaml(yaml.ToString())), Does.Contain("alias bomb"));
    }

    [Test]
    public void ARecursiveAliasIsRefused() =>
        Assert.That(Refused(() => ScenarioLoader.LoadYaml("x: &a [*a]\n")), Does.Contain("recursive alias *a"));

    [TestCase("[", 200_000)]
    [TestCase("{a: ", 100_000)]
    public void DeepNestingIsRefusedWithoutOverflowingTheStack(string open, int depth) =>
        Assert.That(Refused(() => ScenarioLoader.LoadYaml(string.Concat(Enumerable.Repeat(open, depth)))),
            Does.Contain("deeper than 64 levels").Or.Contain("malformed YAML"));

    [Test]
    public void DeepJsonIsRefused() =>
        Assert.That(Refused(() => ScenarioLoader.LoadJson(new string('[', 200_000))), Does.Contain("malformed JSON"));

    [Test]
    public void EndlessOrHugeFilesAreNotReadIntoMemory()
    {
        Assume.That(File.Exists("/dev/zero"), "a Unix machine");
        Assert.That(Refused(() => ScenarioLoader.LoadFile("/dev/zero")), Does.Contain("is a device or a pipe rather than a regular file"));
        Assert.That(Refused(() => ScenarioLoader.LoadFile(Path.GetTempPath())), Does.Contain("is a directory"));
    }

    [Test]
    public void AliasesThatStayWithinTheLimitStillWork()
    {
        var s = ScenarioLoader.LoadYaml("""
            horizon: 1d
            steps: 10
            paths: 100
            seed: 1
            assets:
              - &btc {symbol: BTC, price: 100, volatility: 0.5, depth1pct: 1e9}
            venue: {maintenanceMargin: 0.01}
            book:
              cohorts:
                - &c {asset: BTC, side: long, notional: 1e6, leverage: 5}
                - *c
            """);
        Assert.That(s.Book.Cohorts, Has.Length.EqualTo(2));
        Assert.That(s.Book.Cohorts[1], Is.EqualTo(s.Book.Cohorts[0]));
    }

    [Test]
    public void RunsThatCannotFitInMemoryAreRefusedBeforeAnythingIsBuilt()
    {
        var d = ScenarioLoader.LoadDefault();
        // 4.3e10 paths: the exact tail alone would hold 2e9 values per figure.
        var many = d with { Paths = 43_000_000_000 };
        Assert.That(Refused(() => GpuCascade.Simulation.SimulationEngine.Run(many)), Does.Contain("cannot be indexed").Or.Contain("more than 90%"));
        // steps x oracleDelaySteps x assets: 1e7 steps with a 1e7-step delay keep 3e7 prices per path; 300 assets, 3e9.
        var assets = Enumerable.Range(0, 300).Select(i => d.Assets[0] with { Symbol = $"A{i}" }).ToImmutableArray();
        var wide = d with
        {
            Steps = 10_000_000, Assets = assets, Correlation = default, Jumps = null,
            Venue = d.Venue with { OracleDelaySteps = 10_000_000, MaintenanceMargin = [.. assets.Select(_ => (MarginRule)new StaticMargin(0.01))] },
            Book = new BookSpec { Cohorts = [TestScenarios.Isolated(0, 1e6, 5, d.Assets[0].Price)] },
        };
        var estimate = GpuCascade.Simulation.ResourceEstimate.For(wide, 2, 8192);
        Assert.That(estimate.Fits, Is.False);
        Assert.That(Refused(() => GpuCascade.Simulation.SimulationEngine.Run(wide)), Does.Contain("cannot be indexed"));
        // A normal run is estimated to fit, with its book and state named.
        var normal = GpuCascade.Simulation.ResourceEstimate.For(d, 2, 8192);
        Assert.That(normal.Fits, Is.True);
        Assert.That(normal.Parts.Select(p => p.Key), Does.Contain("book").And.Contain("path state"));
    }
}
