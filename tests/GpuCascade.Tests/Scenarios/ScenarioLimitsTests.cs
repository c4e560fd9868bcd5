using System.Diagnostics;
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
        Assert.That(Refused(() => ScenarioLoader.LoadFile("/dev/zero")), Does.Contain("larger than 32 MiB"));
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
}
