using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Validation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Runaway prices (docs/model.md section 8.7): a supercritical book squeezed up or cascading down stops the path, not
/// the run; the path is counted and the run's warning names the first; a liquidation capacity bounds the same book.
/// </summary>
public class RunawayTests
{
    private const double P0 = 100, Depth = 1e6;

    /// <summary>A ladder of 20 cohorts, leverage 12 down to 7.25, long or short, and a 6% shock against them at step 1 of
    /// 24 hourly steps, on a depth of 1e6 USD per 1%: shorts of 1e8 USD each (bought back at ever higher prices, the squeeze
    /// feeds itself), longs of 1e9 each (their sales shrink as the price falls, so they need more to run away).</summary>
    private static Scenario Supercritical(bool longs, double capacity = double.PositiveInfinity, double bound = Scenario.DefaultRunawayBound)
    {
        var asset = Asset("BTC", P0, 0.3, depth1pct: Depth);
        var ladder = Enumerable.Range(0, 20).Select(k => Isolated(0, longs ? 1e9 : 1e8, 12 - 0.25 * k, P0, isLong: longs));
        var s = Single(asset, ladder, steps: 24, paths: 64, margin: 0.05) with
        {
            Stress = [new StressShock(1, 0, longs ? -0.06 : 0.06)],
            RunawayBound = bound,
        };
        return s with { Venue = s.Venue with { LiquidationCapacity = capacity } };
    }

    private static RunResult Run(Scenario s) => SimulationEngine.Run(s, new RunOptions { Backend = new ManagedBackend(2), SamplePaths = 4 });

    [TestCase(true)]
    [TestCase(false)]
    public void WithoutCapacityTheRunawayIsCountedAndTheRunCompletes(bool longs)
    {
        var r = Run(Supercritical(longs));
        Assert.That(r.Paths, Is.EqualTo(64), "no run is lost");
        Assert.That(r.Runaways, Is.EqualTo(64));
        Assert.That(r.Probabilities.Runaway.Estimate, Is.EqualTo(1));
        Assert.That(r.Warnings, Has.Some.Contains("64 of 64 paths ran away").And.Contain("path 0, step 1").And.Contain("passed the runaway bound"));
        Assert.That(double.IsFinite(r.BadDebt.Mean) && double.IsFinite(r.LiquidatedNotional.Mean), "money stays finite");
        // The record holds the path's last state after it stopped: the price beyond the bound, from step 1 to the end.
        var p = r.SamplePaths!;
        double stopped = p.Price(0, 2, 0) / p.ExogenousPrice(0, 2, 0);
        Assert.That(longs ? stopped < 1.0 / 1000 : stopped > 1000, Is.True, $"relative price {stopped:G4}");
        for (int row = 3; row <= 24; row++) Assert.That(p.Price(0, row, 0), Is.EqualTo(p.Price(0, 2, 0)), $"row {row}");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ALiquidationCapacityBoundsTheSameBook(bool longs)
    {
        // 1e7 USD an hour per asset: a step's sales move the price by at most about 10% of a log unit.
        var r = Run(Supercritical(longs, capacity: 1e7));
        Assert.That(r.Runaways, Is.Zero);
        Assert.That(r.Warnings, Has.None.Contains("ran away"));
        Assert.That(r.Mechanisms.Mean("queue.steps").Mean, Is.GreaterThan(10), "the capacity turns the runaway into a queue");
        Assert.That(r.Probabilities.Cascade.Estimate, Is.EqualTo(1));
    }

    [Test]
    public void WithoutABoundAnOverflowIsCountedToo()
    {
        var s = Supercritical(false, bound: double.PositiveInfinity) with
        {
            Assets = [Asset("BTC", P0, 0.3, depth1pct: 1e-3)],
        };
        var r = Run(s);
        Assert.That(r.Runaways, Is.EqualTo(64));
        Assert.That(r.Warnings, Has.Some.Contains("left the representable range").And.Contain("the market is far too shallow"));
    }

    [Test]
    public void RunawayPathsAgreeBitForBitOnIlgpuCpu()
    {
        var device = IlgpuDevices.Find("ilgpu-cpu")!;
        foreach (bool longs in new[] { true, false })
        {
            var s = Supercritical(longs);
            var reference = SimulationEngine.SimulatePaths(s, 0, 64, new ManagedBackend());
            using var backend = new IlgpuBackend(device);
            var other = SimulationEngine.SimulatePaths(s, 0, 64, backend);
            Assert.That(OutputComparison.FirstDifference(reference, other, 0), Is.Null);
            Assert.That(reference.Runaway.Sum(), Is.EqualTo(64));
        }
    }

    [Test]
    public void TheBoundIsAKeyAboveOne()
    {
        var yaml = ScenarioLoader.DefaultScenarioText.Replace("cascadeThreshold: 0.05", "cascadeThreshold: 0.05\nrunawayBound: 50", StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(yaml);
        Assert.That(s.RunawayBound, Is.EqualTo(50));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        Assert.That(ScenarioJson.Canonical(ScenarioLoader.LoadDefault()), Does.Not.Contain("runawayBound"), "the default is not written");
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadYaml(yaml.Replace("runawayBound: 50", "runawayBound: 1", StringComparison.Ordinal)))!;
        Assert.That(e.Message, Does.Contain("runawayBound: must be > 1"));
        Assert.That(new ScenarioBuilder().Horizon("1h").Steps(2).Paths(10).Seed(1).RunawayBound(20)
            .Asset("BTC", price: 100, volatility: 0.5, depth1pct: 1e6).Venue(v => v.MaintenanceMargin(0.05))
            .Isolated("BTC", PositionSide.Long, notional: 1e4, leverage: 5).Build().RunawayBound, Is.EqualTo(20));
    }
}
