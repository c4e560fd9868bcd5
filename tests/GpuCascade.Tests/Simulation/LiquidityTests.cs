using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>Depth that thins under stress (docs/model.md section 8.1): hand-computed depth paths and the direction of the effect.</summary>
public class LiquidityTests
{
    private const double S0 = 100;

    /// <summary>
    /// Flow withdrawal: a 10x long closed by a -8% shock sells Q1 into depth D (round 1, g = 1); the pressure becomes
    /// A = |Q1| / D, so round 2 (a 7.88x long pushed under its price by round 1's impact) meets depth D / (1 + phi A).
    /// </summary>
    [Test]
    public void FlowWithdrawalThinsTheNextRound()
    {
        const double depth = 1000, phi = 50;
        var asset = Asset("BTC", S0, 0, depth1pct: depth) with
        {
            Liquidity = new LiquiditySpec(0, null, LiquiditySpec.DefaultHalfLife, phi, LiquiditySpec.DefaultHalfLife),
        };
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0), Isolated(0, 1000, 7.877, S0)], steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.08)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double p1 = S0 * Math.Exp(-0.08);
        double q1 = -10 * p1;
        double delta1 = 0.01 * q1 / depth;
        double mid2 = p1 * Math.Exp(delta1);
        double q2 = -1000 / S0 * mid2;
        double g2 = 1 / (1 + phi * Math.Abs(q1) / depth);
        double delta2 = 0.01 * q2 / (depth * g2);
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(2));
        Assert.That(o.FinalPrice[0], Is.EqualTo(p1 * Math.Exp(delta1 + delta2)).Within(1e-9 * S0));
        Assert.That(o.MinDepthFactor[0], Is.EqualTo(g2).Within(1e-12));
        // Without withdrawal, round 2 meets the full depth.
        var plain = SimulationEngine.SimulatePaths(scenario with { Assets = [asset with { Liquidity = null }] }, 0, 1);
        Assert.That(plain.FinalPrice[0], Is.EqualTo(p1 * Math.Exp(delta1 + 0.01 * q2 / depth)).Within(1e-9 * S0));
        Assert.That(plain.MinDepthFactor[0], Is.EqualTo(1));
    }

    /// <summary>
    /// Volatility elasticity: a -10% step (nothing liquidated) lifts the EWMA of realised variance to
    /// v = lambda 0 + (1 - lambda) 0.1^2 / dt (lambda = 1/2 with a one-step half-life), so the next step's depth is
    /// D (sref^2 / v)^(kappa / 2) when a second shock liquidates a long.
    /// </summary>
    [Test]
    public void RealisedVolatilityThinsTheNextStep()
    {
        const double depth = 1e6, kappa = 1, sref = 0.5;
        var asset = Asset("BTC", S0, 0, depth1pct: depth) with
        {
            Liquidity = new LiquiditySpec(kappa, sref, Duration.Parse("1h"), 0, LiquiditySpec.DefaultHalfLife),
        };
        var scenario = Single(asset, [Isolated(0, 1000, 10, 90)], horizon: "2h", steps: 2, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.1), new StressShock(1, 0, -0.08)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double dt = scenario.StepYears;
        double v = 0.5 * 0.01 / dt;
        double g = Math.Pow(sref * sref / v, kappa / 2);
        double mid = S0 * Math.Exp(-0.18);
        double q = -(1000 / 90.0) * mid;
        Assert.That(o.CohortLiquidations[0], Is.EqualTo(1));
        Assert.That(o.MinDepthFactor[0], Is.EqualTo(g).Within(1e-12));
        Assert.That(o.FinalPrice[0], Is.EqualTo(mid * Math.Exp(0.01 * q / (depth * g))).Within(1e-9 * S0));
    }

    [Test]
    public void ThinningDepthDeepensCascades()
    {
        var d = ScenarioLoader.LoadDefault();
        var thin = d with
        {
            Assets = [.. d.Assets.Select(a => a with
            {
                Liquidity = new LiquiditySpec(0.5, null, LiquiditySpec.DefaultHalfLife, 0.2, LiquiditySpec.DefaultHalfLife),
            })],
        };
        var plain = SimulationEngine.Run(d, new RunOptions { Paths = 2048 });
        var stressed = SimulationEngine.Run(thin, new RunOptions { Paths = 2048 });
        Assert.That(stressed.Probabilities.Cascade.Lower, Is.GreaterThan(plain.Probabilities.Cascade.Upper));
        Assert.That(stressed.Assets[0].Value.MinDepthFactor.Mean, Is.LessThan(1));
        Assert.That(plain.Assets[0].Value.MinDepthFactor.Mean, Is.EqualTo(1));
    }

    /// <summary>
    /// Replenishment (docs/model.md section 8.6): the round-1 flow of <see cref="FlowWithdrawalThinsTheNextRound"/> leaves
    /// A = (1 - e^(-psi a)) / psi instead of a (a = |Q1| / D), so round 2 meets D / (1 + phi A), which never falls below
    /// D / (1 + phi / psi).
    /// </summary>
    [Test]
    public void ReplenishmentBoundsWhatTheFlowWithdraws()
    {
        const double depth = 1000, phi = 50, psi = 0.5;
        var asset = Asset("BTC", S0, 0, depth1pct: depth) with
        {
            Liquidity = new LiquiditySpec(0, null, LiquiditySpec.DefaultHalfLife, phi, LiquiditySpec.DefaultHalfLife, psi),
        };
        var scenario = Single(asset, [Isolated(0, 1000, 10, S0), Isolated(0, 1000, 7.877, S0)], steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.08)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double p1 = S0 * Math.Exp(-0.08);
        double a = 10 * p1 / depth;
        double pressure = (1 - Math.Exp(-psi * a)) / psi;
        double g2 = 1 / (1 + phi * pressure);
        Assert.That(o.MaxRoundsInStep[0], Is.EqualTo(2));
        Assert.That(o.MinDepthFactor[0], Is.EqualTo(g2).Within(1e-12));
        Assert.That(g2, Is.GreaterThan(1 / (1 + phi / psi)).And.GreaterThan(1 / (1 + phi * a)), "the floor, and more depth than without");
    }

    /// <summary>The pressure's update is the exact solution of dA/da = 1 - psi A: a flow cut in two leaves the same A as in
    /// one piece, and A tends to 1 / psi.</summary>
    [TestCase(0.0, 0.3, 0.9, 0.5)]
    [TestCase(2.0, 1e-6, 3.0, 0.05)]
    [TestCase(0.7, 12.0, 40.0, 4.0)]
    public void ReplenishmentComposesExactly(double start, double first, double second, double psi)
    {
        double cut = GpuCascade.Kernels.LiquidityMath.Replenish(GpuCascade.Kernels.LiquidityMath.Replenish(start, first, psi), second, psi);
        double whole = GpuCascade.Kernels.LiquidityMath.Replenish(start, first + second, psi);
        Assert.That(cut, Is.EqualTo(whole).Within(1e-12 * Math.Max(1, whole)));
        Assert.That(GpuCascade.Kernels.LiquidityMath.Replenish(start, 1e4, psi), Is.EqualTo(1 / psi).Within(1e-9 / psi));
    }

    [Test]
    public void ReplenishmentKeysAndErrors()
    {
        var s = ScenarioDocument.Default.With("assets[BTC].liquidity.flowWithdrawal", 0.2).With("assets[BTC].liquidity.replenishment", 0.5).ToScenario();
        Assert.That(s.Assets[0].Liquidity!.Replenishment, Is.EqualTo(0.5));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        Assert.That(ScenarioJson.Canonical(s with { Assets = [s.Assets[0] with { Liquidity = s.Assets[0].Liquidity! with { Replenishment = 0 } }, .. s.Assets[1..]] }),
            Does.Not.Contain("replenishment"), "0, the default, is not written (earlier scenarios keep their hash)");
        var e = Assert.Throws<ScenarioException>(() => ScenarioDocument.Default.With("assets[BTC].liquidity.replenishment", 0.5).ToScenario())!;
        Assert.That(e.Message, Does.Contain("assets[0].liquidity.replenishment: needs flowWithdrawal > 0"));
        e = Assert.Throws<ScenarioException>(() => ScenarioDocument.Default.With("assets[BTC].liquidity.replenishment", -1).ToScenario())!;
        Assert.That(e.Message, Does.Contain("assets[0].liquidity.replenishment: must be >= 0, got -1"));
    }

    [Test]
    public void FileKeysDefaultsAndErrors()
    {
        var s = ScenarioDocument.Default.With("assets[BTC].liquidity.volatilityElasticity", 1.5).ToScenario();
        Assert.That(s.Assets[0].Liquidity, Is.EqualTo(new LiquiditySpec(1.5, null, LiquiditySpec.DefaultHalfLife, 0, LiquiditySpec.DefaultHalfLife)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        var e = Assert.Throws<ScenarioException>(() => ScenarioDocument.Default.With("assets[ETH].liquidity.flowWithdrawal", -1).ToScenario())!;
        Assert.That(e.Message, Does.Contain("assets[1].liquidity.flowWithdrawal: must be >= 0, got -1"));
    }
}
