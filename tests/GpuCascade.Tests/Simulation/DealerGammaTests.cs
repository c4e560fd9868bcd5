using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using GpuCascade.Validation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Dealer gamma hedging (docs/model.md section 8.9): the closed form x0 / (1 - G/D) and each step on the way to it, the
/// put strike's cap, long gamma's damping, a supercritical G counted as a runaway, the effect on a cascade, the rules and
/// parity.
/// </summary>
public class DealerGammaTests
{
    private const double P0 = 100, Depth = 1e6;

    /// <summary>One asset at 100, linear depth 1e6, fully permanent impact, no volatility, a shock at step 0 and an inert
    /// cohort (leverage 1): the dealers' hedges are the only flow.</summary>
    private static Scenario Shocked(double shock, DealerGammaSpec? dealers, int steps = 10)
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1);
        if (dealers is not null) asset = asset with { Mechanisms = asset.Mechanisms.With(dealers) };
        return Single(asset, [Inert(0, P0)], horizon: "10h", steps: steps, margin: 0.05) with { Stress = [new StressShock(0, 0, shock)] };
    }

    private static SamplePathSet Record(Scenario s) =>
        SimulationEngine.Run(s, new RunOptions { Paths = 1, Backend = new ManagedBackend(1), SamplePaths = 1 }).SamplePaths!;

    /// <summary>The log moves after each step's hedge, worked by the rule: q = G (max(x, ln K)) / 0.01 - h, then x += 0.01 q / D.</summary>
    private static double[] Worked(double shock, double gamma, double logStrike, int steps)
    {
        var after = new double[steps];
        double x = shock, hedged = 0;
        for (int t = 0; t < steps; t++)
        {
            double flow = gamma * Math.Max(x, logStrike) / 0.01 - hedged;
            x += 0.01 * flow / Depth;
            hedged += flow;
            after[t] = x;
        }
        return after;
    }

    [Test]
    public void ShortGammaAmplifiesAShockToItsClosedForm()
    {
        const double shock = -0.05, gamma = 5e5; // G / D = 1/2
        var r = Record(Shocked(shock, new DealerGammaSpec(gamma)));
        var worked = Worked(shock, gamma, double.NegativeInfinity, 10);
        for (int t = 0; t < 10; t++)
        {
            double geometric = shock * (1 - Math.Pow(0.5, t + 2)) / (1 - 0.5); // x0 (1 + r + ... + r^(t+1))
            Assert.That(worked[t], Is.EqualTo(geometric).Within(1e-15), $"step {t}: the rule against the series");
            Assert.That(Math.Log(r.Price(0, t + 1, 0)), Is.EqualTo(geometric).Within(1e-12), $"step {t}");
        }
        var limit = Record(Shocked(shock, new DealerGammaSpec(gamma), steps: 60));
        Assert.That(Math.Log(limit.Price(0, 60, 0)), Is.EqualTo(shock / (1 - gamma / Depth)).Within(1e-12), "x0 / (1 - G/D)");
        var none = Record(Shocked(shock, null));
        Assert.That(Math.Log(none.Price(0, 10, 0)), Is.EqualTo(shock).Within(1e-15), "without dealers the shock stays as it was");
    }

    [Test]
    public void LongGammaDampsTheShock()
    {
        var r = Record(Shocked(-0.05, new DealerGammaSpec(-5e5), steps: 60));
        Assert.That(Math.Log(r.Price(0, 60, 0)), Is.EqualTo(-0.05 / 1.5).Within(1e-12), "x0 / (1 - G/D) with G = -D/2");
        Assert.That(Math.Log(r.Price(0, 1, 0)), Is.EqualTo(-0.05 * 0.5).Within(1e-12), "the first hedge buys half the fall back");
    }

    [TestCase(-0.05)]
    [TestCase(-0.02)]
    public void BeyondThePutStrikeTheMoveFollowsTheUnhedgedSlope(double shock)
    {
        const double gamma = 5e5, strike = 0.97;
        var r = Record(Shocked(shock, new DealerGammaSpec(gamma, strike)));
        var worked = Worked(shock, gamma, Math.Log(strike), 10);
        for (int t = 0; t < 10; t++) Assert.That(Math.Log(r.Price(0, t + 1, 0)), Is.EqualTo(worked[t]).Within(1e-12), $"step {t}");
        if (shock < Math.Log(strike))
            Assert.That(worked[^1], Is.EqualTo(shock + 0.5 * Math.Log(strike)).Within(1e-15), "one hedge down to the strike, then none");
        else
            Assert.That(worked[^1], Is.LessThan(Math.Log(strike)).And.GreaterThan(Math.Log(strike) * 1.5), "capped near the strike");
    }

    [Test]
    public void ASupercriticalGammaRunsAway()
    {
        var r = SimulationEngine.Run(Shocked(-0.05, new DealerGammaSpec(2e6), steps: 60), new RunOptions { Paths = 1, Backend = new ManagedBackend(1) });
        Assert.That(r.Runaways, Is.EqualTo(1), "G > D: each hedge moves the price more than the last; the runaway bound ends the path");
    }

    /// <summary>A hedge that runs away in the market-move phase ends the path there: the long that the shock put under
    /// its margin is not liquidated in a round after it (docs/model.md section 8.7).</summary>
    [Test]
    public void AHedgeThatRunsAwayEndsThePathBeforeTheRounds()
    {
        var asset = Asset("BTC", P0, 0, depth1pct: Depth, permanentImpact: 1) with { Mechanisms = MechanismSet.Empty.With(new DealerGammaSpec(1e9)) };
        var s = Single(asset, [Isolated(0, 1e4, 10, P0)], horizon: "10h", steps: 10, margin: 0.05) with { Stress = [new StressShock(0, 0, -0.08)] };
        var o = SimulationEngine.SimulatePaths(s, 0, 1);
        Assert.That(o.Runaway[0], Is.EqualTo(1), "G = 1000 D: the first hedge moves the price by 80 in log");
        Assert.That(o.CohortLiquidations[0], Is.Zero, "no round runs after it");
        Assert.That(o.LiquidatedNotional[0], Is.Zero);
        var calm = SimulationEngine.SimulatePaths(s with { Assets = [asset with { Mechanisms = MechanismSet.Empty }] }, 0, 1);
        Assert.That(calm.CohortLiquidations[0], Is.EqualTo(1), "without the dealers the shock liquidates the long");
    }

    [Test]
    public void ABreakerWithScopeAllHaltsTheDealers()
    {
        var asset = Asset("BTC", P0, 0.3, depth1pct: Depth) with { Mechanisms = MechanismSet.Empty.With(new DealerGammaSpec(3e5)) };
        Scenario With(CircuitBreakerScope scope)
        {
            var s = Single(asset, [Inert(0, P0)], horizon: "10h", steps: 10, paths: 64, margin: 0.05) with { Stress = [new StressShock(0, 0, -0.08)] };
            return s with { Venue = s.Venue with { Mechanisms = MechanismSet.Empty.With(new CircuitBreakerSpec(0.05, Duration.Parse("1h"), Duration.Parse("3h"), scope)) } };
        }
        var liquidations = SimulationEngine.SimulatePaths(With(CircuitBreakerScope.Liquidations), 0, 64);
        var all = SimulationEngine.SimulatePaths(With(CircuitBreakerScope.All), 0, 64);
        Assert.That(all["circuitBreaker.halts"].Min(), Is.GreaterThan(0), "the -8% shock trips it on every path");
        Assert.That(all["dealerGamma.hedgeVolume"].Sum(), Is.LessThan(liquidations["dealerGamma.hedgeVolume"].Sum()));
    }

    [Test]
    public void ShortGammaDeepensACascade()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Stress = [new StressShock(5, 0, -0.08)] };
        var with = d with
        {
            Assets = [.. d.Assets.Select(a => a with { Mechanisms = a.Mechanisms.With(new DealerGammaSpec(0.3 * ((LinearImpact)a.Impact).Depth1Pct)) })],
        };
        var plain = SimulationEngine.Run(d with { Paths = 2000 }, new RunOptions { Backend = new ManagedBackend(2) });
        var hedged = SimulationEngine.Run(with with { Paths = 2000 }, new RunOptions { Backend = new ManagedBackend(2) });
        var a = plain.Assets[0].Value.MaxDrawdown;
        var b = hedged.Assets[0].Value.MaxDrawdown;
        TestContext.Out.WriteLine($"BTC max drawdown {a.Mean:P3} without dealers, {b.Mean:P3} with G = 0.3 D");
        Assert.That(b.Mean - a.Mean, Is.GreaterThan(4 * Math.Sqrt(a.StandardError * a.StandardError + b.StandardError * b.StandardError)));
        Assert.That(hedged.Mechanisms.Mean("dealerGamma.hedgeVolume").Mean, Is.GreaterThan(0));
    }

    [TestCase("{gamma: .nan}", "assets[0].dealerGamma.gamma", "")]
    [TestCase("{gamma: 1e6, putStrike: 0}", "assets[0].dealerGamma.putStrike", "must be in (0, 1]")]
    [TestCase("{gamma: 1e6, putStrike: 1.2}", "assets[0].dealerGamma.putStrike", "must be in (0, 1]")]
    [TestCase("{putStrike: 0.9}", "assets[0].dealerGamma.gamma", "")]
    public void BadValuesAreRefusedNamingTheField(string subtree, string path, string message)
    {
        MechanismChecks.AssertRefused(Yaml.Replace("{gamma: 2e5, putStrike: 0.9}", subtree, StringComparison.Ordinal), path, message);
    }

    private static readonly string Yaml = MechanismChecks.Yaml(assetKeys: ", dealerGamma: {gamma: 2e5, putStrike: 0.9}");

    [Test]
    public void TheKeysBindAndRoundTrip()
    {
        var s = ScenarioLoader.LoadYaml(Yaml);
        Assert.That(s.Assets[0].Mechanisms.Get<DealerGammaSpec>(), Is.EqualTo(new DealerGammaSpec(2e5, 0.9)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Indented(s)), Is.EqualTo(s));
    }
}

/// <summary>Dealer hedging (with puts on one asset, depth under stress and a circuit breaker) on every ILGPU device.</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class DealerGammaParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    [Test]
    public void PerPathOutputsMatchTheManagedReference()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        DealerGammaSpec[] dealers = [new(4e7), new(1e7, 0.9), new(-5e6)];
        var s = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with
            {
                InsuranceFund = 2e6,
                Mechanisms = d.Venue.Mechanisms.With(new CircuitBreakerSpec(0.15, Duration.Parse("30m"), Duration.Parse("10m"), CircuitBreakerScope.All)),
            },
            Assets = [.. d.Assets.Select((a, i) => a with
            {
                Mechanisms = a.Mechanisms.With(dealers[i]),
                Liquidity = new LiquiditySpec(0.5, null, Duration.Parse("2h"), 0.2, Duration.Parse("30m")),
            })],
        };
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["dealerGamma.hedgeVolume"].Average(), Is.GreaterThan(0));
    }
}
