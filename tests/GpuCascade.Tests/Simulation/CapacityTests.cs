using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>Liquidation capacity (docs/model.md section 8.2): the most underwater first, the rest queued, falling further.</summary>
public class CapacityTests
{
    private const double S0 = 100;

    /// <summary>
    /// Two longs (10x and 8x) under a -30% shock, capacity 800 USD per one-hour step: the 10x (deeper under water) is
    /// closed whole (740.8 of notional), the 8x gets what is left, 59.2 / 740.8 of it, and the rest waits: at the step's
    /// end 681.6 is queued. A further -10% at step 1 closes it lower, with more bad debt than without a capacity limit.
    /// </summary>
    [Test]
    public void TheMostUnderwaterGoesFirstAndTheRestWaits()
    {
        var asset = Asset("BTC", S0, 0);
        var book = new[] { Isolated(0, 1000, 10, S0), Isolated(0, 1000, 8, S0) };
        var scenario = Single(asset, book, horizon: "2h", steps: 2, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.3), new StressShock(1, 0, -0.1)],
        };
        var limited = scenario with { Venue = scenario.Venue with { LiquidationCapacity = 800 } };
        var o = SimulationEngine.SimulatePaths(limited, 0, 1);

        double p1 = S0 * Math.Exp(-0.3), p2 = p1 * Math.Exp(-0.1);
        double badA = -(100 + 10 * (p1 - S0));
        double f = (800 - 10 * p1) / (10 * p1);
        double balanceB = 125 + f * 10 * (p1 - S0);
        double s = 1 - f;
        double badB = -(balanceB + s * 10 * (p2 - S0));
        Assert.That(o.CohortLiquidations[0], Is.EqualTo(3), "the 10x, a first fill of the 8x, then its forced close");
        Assert.That(o["queue.maxNotional"][0], Is.EqualTo(s * 10 * p1).Within(1e-9));
        Assert.That(o["queue.steps"][0], Is.EqualTo(1));
        Assert.That(o.BadDebt[0], Is.EqualTo(badA + badB).Within(1e-9));

        var unlimited = SimulationEngine.SimulatePaths(scenario, 0, 1);
        Assert.That(unlimited.BadDebt[0], Is.EqualTo(badA - (125 + 10 * (p1 - S0))).Within(1e-9), "both closed at p1");
        Assert.That(o.BadDebt[0], Is.GreaterThan(unlimited.BadDebt[0]), "the queued cohort fell further");
        Assert.That(unlimited["queue.maxNotional"][0], Is.Zero);
    }

    [Test]
    public void ALimitedEngineLeavesMoreBadDebtAndAQueue()
    {
        var d = ScenarioLoader.LoadDefault();
        var limited = d with { Venue = d.Venue with { LiquidationCapacity = 5e7 } };
        var plain = SimulationEngine.Run(d, new RunOptions { Paths = 2048 });
        var queued = SimulationEngine.Run(limited, new RunOptions { Paths = 2048 });
        Assert.That(queued.Mechanisms.Mean("queue.steps").Mean, Is.GreaterThan(0));
        Assert.That(queued.BadDebt.Mean, Is.GreaterThan(plain.BadDebt.Mean));
        Assert.That(plain.Mechanisms.Mean("queue.maxNotional").Mean, Is.Zero);
    }

    [Test]
    public void TheFileKey()
    {
        var s = ScenarioDocument.Default.With("venue.liquidationCapacity", 1e8).ToScenario();
        Assert.That(s.Venue.LiquidationCapacity, Is.EqualTo(1e8));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        Assert.That(ScenarioLoader.LoadDefault().Venue.LiquidationCapacity, Is.EqualTo(double.PositiveInfinity));
        var e = Assert.Throws<ScenarioException>(() => ScenarioDocument.Default.With("venue.liquidationCapacity", 0).ToScenario())!;
        Assert.That(e.Message, Does.Contain("venue.liquidationCapacity: must be > 0"));
    }
}

/// <summary>scenarios/flash-crash.yaml, the example with every mechanism of docs/model.md section 8 on, loads and exercises
/// them all (docs/model.md shows its output).</summary>
public class FlashCrashExampleTests
{
    [Test]
    public void TheExampleRunsWithEveryMechanism()
    {
        string file = Path.Combine(GpuCascade.Tests.Scenarios.ScenarioDocsTests.RepositoryRoot(), "scenarios", "flash-crash.yaml");
        var scenario = ScenarioLoader.LoadFile(file);
        Assert.That(scenario.Assets.All(a => a.Liquidity is not null) && scenario.Uncertainty.Any && scenario.Venue.Adl, Is.True);
        Assert.That(scenario.Venue.LiquidationCapacity, Is.LessThan(double.PositiveInfinity));
        var r = SimulationEngine.Run(scenario, new RunOptions { Paths = 4096 });
        Assert.That(r.Mechanisms.Mean("queue.steps").Mean, Is.GreaterThan(0), "the engine's capacity binds");
        Assert.That(r.Assets.Select(a => a.Value.MinDepthFactor.Mean), Is.All.LessThan(1), "depth thins");
        Assert.That(r.Mechanisms.Probability("probabilities.adl").Estimate, Is.GreaterThan(0), "ADL takes some loss");
        Assert.That(r.Probabilities.Cascade.Estimate, Is.InRange(0.01, 0.5), "cascades are possible, not certain");
    }
}
