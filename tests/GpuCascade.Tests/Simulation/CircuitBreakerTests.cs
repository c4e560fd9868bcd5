using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using GpuCascade.Validation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The circuit breaker (docs/model.md section 8.8): a deterministic ladder halts exactly where its move crosses the
/// threshold, trading resumes after the halt with a fresh window, scope all halts the LPs too, the rules, and parity.
/// </summary>
public class CircuitBreakerTests
{
    private const double P0 = 100, Depth = 1e6, Mm = 0.05, Units = 12_000;

    /// <summary>
    /// Ten isolated longs of 12,000 units entered at 100, whose maintenance thresholds (equity below 5% of notional) sit at
    /// 98.5, 97.5, ..., 89.5; each sale moves the price by about -1.2% (linear depth 1e6, fully permanent), enough to
    /// liquidate the next. A -2% shock at step 0 of ten hourly steps starts the ladder, one cohort a round.
    /// </summary>
    private static Scenario Ladder(CircuitBreakerSpec? breaker, ReturningLiquiditySpec? lps = null)
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1);
        if (lps is not null) asset = asset with { Mechanisms = asset.Mechanisms.With(lps) };
        var cohorts = Enumerable.Range(0, 10).Select(k =>
        {
            double threshold = 98.5 - k;                                  // C + u (T - 100) = Mm u T
            double leverage = 1 / (1 - threshold * (1 - Mm) / P0);
            return Isolated(0, Units * P0, leverage, P0);
        });
        var s = Single(asset, cohorts, horizon: "10h", steps: 10, margin: Mm) with { Stress = [new StressShock(0, 0, -0.02)] };
        return breaker is null ? s : s with { Venue = s.Venue with { Mechanisms = s.Venue.Mechanisms.With(breaker) } };
    }

    private static CircuitBreakerSpec Breaker(double move, string halt = "2h", CircuitBreakerScope scope = CircuitBreakerScope.Liquidations) =>
        new(move, Duration.Parse("1h"), Duration.Parse(halt), scope);

    /// <summary>The log mids after each round of step 0 without a breaker, worked by hand: round r sells cohort r - 1.</summary>
    private static double[] RoundEnds()
    {
        var x = new List<double> { Math.Log(P0) - 0.02 };
        for (int k = 0; k < 10; k++)
        {
            double mid = Math.Exp(x[^1]);
            if (!(mid < 98.5 - k)) break;
            x.Add(x[^1] + 0.01 * (-Units * mid) / Depth);
        }
        return [.. x];
    }

    private static RunResult Run(Scenario s) => SimulationEngine.Run(s, new RunOptions { Paths = 1, Backend = new ManagedBackend(1), SamplePaths = 1 });

    [Test]
    public void TheLadderHaltsExactlyWhereItsMoveCrossesTheThreshold()
    {
        var ends = RoundEnds();
        Assert.That(ends.Length, Is.EqualTo(11), "without a breaker the ladder runs through all ten cohorts in step 0");
        // The move of each round's end against the window's price (the start, 100).
        double Move(int round) => 1 - Math.Exp(ends[round]) / P0;
        Assert.That(Move(2), Is.LessThan(0.05).And.GreaterThan(0.04));
        Assert.That(Move(3), Is.GreaterThan(0.05));
        // A 5% breaker lets rounds 1-3 run and halts round 4 at its admission.
        var r = Run(Ladder(Breaker(0.05)));
        Assert.That(Math.Log(r.SamplePaths!.Price(0, 1, 0) * P0), Is.EqualTo(ends[3]).Within(1e-12));
        // Exactly at the threshold: just below round 2's move it halts after round 2, just above it after round 3.
        var below = Run(Ladder(Breaker(Move(2) - 1e-9)));
        Assert.That(Math.Log(below.SamplePaths!.Price(0, 1, 0) * P0), Is.EqualTo(ends[2]).Within(1e-12));
        var above = Run(Ladder(Breaker(Move(2) + 1e-9)));
        Assert.That(Math.Log(above.SamplePaths!.Price(0, 1, 0) * P0), Is.EqualTo(ends[3]).Within(1e-12));
        var none = Run(Ladder(null));
        Assert.That(Math.Log(none.SamplePaths!.Price(0, 1, 0) * P0), Is.EqualTo(ends[10]).Within(1e-12));
    }

    [Test]
    public void TradingResumesAfterTheHaltWithAFreshWindow()
    {
        var r = Run(Ladder(Breaker(0.05)));
        var p = r.SamplePaths!;
        var o = SimulationEngine.SimulatePaths(Ladder(Breaker(0.05)), 0, 1);
        // Halted in steps 0 and 1 (2h): nothing moves at step 1 (no volatility); at step 2 the waiting cohorts are
        // liquidated until the move from step 1's end price reaches 5% again, which halts a second time.
        Assert.That(p.Price(0, 2, 0), Is.EqualTo(p.Price(0, 1, 0)), "step 1 is halted");
        Assert.That(p.Price(0, 3, 0), Is.LessThan(p.Price(0, 2, 0)), "step 2 resumes");
        Assert.That(p.Price(0, 3, 0) / p.Price(0, 2, 0), Is.GreaterThan(0.95 * Math.Exp(-0.013)), "and halts again after a 5% move");
        Assert.That(o["circuitBreaker.halts"][0], Is.EqualTo(2));
        Assert.That(o["circuitBreaker.haltedSteps"][0], Is.EqualTo(4), "steps 0, 1, 2 and 3");
        Assert.That(r.Probabilities.Cascade.Estimate, Is.EqualTo(1));
        Assert.That(r.Mechanisms.Probability("probabilities.circuitBreakerHalt").Estimate, Is.EqualTo(1));
        Assert.That(SummaryTable.Format(r), Does.Contain("circuit breaker halted").And.Contain("circuitBreaker: circuit-breaker halts 2"));
    }

    [Test]
    public void ScopeAllHaltsTheLPsToo()
    {
        var lps = new ReturningLiquiditySpec(0.2);
        var liquidationsOnly = SimulationEngine.SimulatePaths(Ladder(Breaker(0.05, "3h"), lps), 0, 1);
        var all = SimulationEngine.SimulatePaths(Ladder(Breaker(0.05, "3h", CircuitBreakerScope.All), lps), 0, 1);
        Assert.That(liquidationsOnly["returningLiquidity.tradeSteps"][0], Is.GreaterThan(all["returningLiquidity.tradeSteps"][0]));
        Assert.That(all["circuitBreaker.halts"][0], Is.GreaterThan(0));
    }

    [Test]
    public void WithoutTheKeyNothingChanges()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Stress = [new StressShock(5, 0, -0.1)] };
        var wide = d with { Venue = d.Venue with { Mechanisms = d.Venue.Mechanisms.With(new CircuitBreakerSpec(0.99, Duration.Parse("5m"), Duration.Parse("5m"))) } };
        var a = SimulationEngine.SimulatePaths(d, 0, 256);
        var b = SimulationEngine.SimulatePaths(wide, 0, 256);
        Assert.That(b["circuitBreaker.halts"].Sum(), Is.Zero, "a 99% breaker never trips here");
        Assert.That(OutputComparison.FirstDifference(a, b, 0), Is.Null, "and then changes nothing");
    }

    private static readonly string Yaml = MechanismChecks.Yaml(venueKeys: "\n  circuitBreaker: {move: 0.1, window: 10m, halt: 15m}");

    [Test]
    public void TheKeysBindAndRoundTrip()
    {
        var s = ScenarioLoader.LoadYaml(Yaml);
        Assert.That(s.Venue.Mechanisms.Get<CircuitBreakerSpec>(),
            Is.EqualTo(new CircuitBreakerSpec(0.1, Duration.Parse("10m"), Duration.Parse("15m"), CircuitBreakerScope.Liquidations)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(s)), Is.EqualTo(s));
        var all = ScenarioLoader.LoadYaml(Yaml.Replace("halt: 15m}", "halt: 15m, scope: all}", StringComparison.Ordinal));
        Assert.That(all.Venue.Mechanisms.Get<CircuitBreakerSpec>()!.Scope, Is.EqualTo(CircuitBreakerScope.All));
    }

    [TestCase("{move: 0, window: 10m, halt: 15m}", "venue.circuitBreaker.move", "must be in (0, 1)")]
    [TestCase("{move: 1, window: 10m, halt: 15m}", "venue.circuitBreaker.move", "must be in (0, 1)")]
    [TestCase("{move: 0.1, window: 1m, halt: 15m}", "venue.circuitBreaker.window", "must be at least one step")]
    [TestCase("{move: 0.1, window: 10m, halt: 1m}", "venue.circuitBreaker.halt", "must be at least one step")]
    [TestCase("{move: 0.1, window: 4m, halt: 15m}", "venue.circuitBreaker.window", "must be at least one step")]
    [TestCase("{move: 0.1, window: 10m}", "venue.circuitBreaker.halt", "required")]
    [TestCase("{move: 0.1, window: 10m, halt: 15m, scope: everything}", "venue.circuitBreaker.scope", "")]
    public void BadValuesAreRefusedNamingTheField(string subtree, string path, string message)
    {
        MechanismChecks.AssertRefused(Yaml.Replace("{move: 0.1, window: 10m, halt: 15m}", subtree, StringComparison.Ordinal), path, message);
    }
}

/// <summary>The circuit breaker (with scope all, beside LPs) on every ILGPU device against the managed reference.</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class CircuitBreakerParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    [TestCase(CircuitBreakerScope.Liquidations)]
    [TestCase(CircuitBreakerScope.All)]
    public void PerPathOutputsMatchTheManagedReference(CircuitBreakerScope scope)
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        var s = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with
            {
                InsuranceFund = 2e6,
                Mechanisms = d.Venue.Mechanisms.With(new CircuitBreakerSpec(0.08, Duration.Parse("30m"), Duration.Parse("20m"), scope)),
            },
            Assets = [.. d.Assets.Select(a => a with { Mechanisms = a.Mechanisms.With(new ReturningLiquiditySpec(0.2, 1)) })],
        };
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["circuitBreaker.halts"].Sum(), Is.GreaterThan(0), "the breaker trips on some paths");
    }
}
