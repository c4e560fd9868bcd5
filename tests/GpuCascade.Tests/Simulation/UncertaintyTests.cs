using GpuCascade.Market;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Uncertain inputs (docs/model.md section 8.4): per path, lognormal multipliers of depth, volatility and book, median 1 and the
/// stated dispersion, recovered here path by path from deterministic outputs; an effect test; nothing drawn when off.
/// </summary>
public class UncertaintyTests
{
    private const double S0 = 100;
    private const int Paths = 4000;

    /// <summary>The multipliers' logs have mean 0 and standard deviation d, within 4 standard errors.</summary>
    private static void AssertLognormal(IReadOnlyList<double> multipliers, double dispersion, string what)
    {
        var logs = multipliers.Select(m => Math.Log(m)).ToArray();
        double mean = logs.Average();
        double sd = Math.Sqrt(logs.Sum(x => (x - mean) * (x - mean)) / (logs.Length - 1));
        Assert.That(mean, Is.EqualTo(0).Within(4 * dispersion / Math.Sqrt(logs.Length)), $"{what}: median 1");
        Assert.That(sd, Is.EqualTo(dispersion).Within(4 * dispersion / Math.Sqrt(2.0 * logs.Length)), $"{what}: dispersion");
    }

    private static Scenario Shocked(double depth, UncertaintySpec uncertainty) =>
        Single(Asset("BTC", S0, 0, depth1pct: depth), [Isolated(0, 1000, 10, S0)], steps: 1, margin: 0.05, paths: Paths) with
        {
            Stress = [new StressShock(0, 0, -0.08)],
            Uncertainty = uncertainty,
        };

    [Test]
    public void DepthMultipliersHaveTheirMedianAndDispersion()
    {
        // Linear impact Delta = 0.01 Q / (D u): u = Delta(known) / Delta(path).
        const double depth = 10_000, d = 0.4;
        var o = SimulationEngine.SimulatePaths(Shocked(depth, new UncertaintySpec(Depth: d)), 0, Paths);
        double mid = S0 * Math.Exp(-0.08);
        double known = 0.01 * (10 * mid) / depth;
        AssertLognormal(o.MaxDisplacement.Select(x => known / x).ToList(), d, "depth");
    }

    [Test]
    public void BookMultipliersHaveTheirMedianAndDispersion()
    {
        // No impact: the liquidated notional is r x 10 units x the shocked mid.
        const double b = 0.3;
        var o = SimulationEngine.SimulatePaths(Shocked(1e30, new UncertaintySpec(Book: b)), 0, Paths);
        double known = 10 * S0 * Math.Exp(-0.08);
        AssertLognormal(o.LiquidatedNotional.Select(x => x / known).ToList(), b, "book");
    }

    [Test]
    public void VolatilityMultipliersHaveTheirMedianAndDispersion()
    {
        // One GBM step, no impact: ln(F / S0) = -a^2 w^2 / 2 + a w z with a = sigma sqrt(dt), z the step's normal.
        const double sigma = 0.5, v = 0.3;
        var scenario = Single(Asset("BTC", S0, sigma), [Isolated(0, 1, 1, S0)], horizon: "1h", steps: 1, paths: Paths) with
        {
            Uncertainty = new UncertaintySpec(Volatility: v),
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, Paths);
        double a = sigma * Math.Sqrt(scenario.StepYears);
        var w = new List<double>();
        Span<double> z = stackalloc double[1];
        for (int p = 0; p < Paths; p++)
        {
            RandomStreams.StepNormals(scenario.Seed, (ulong)p, 0, z);
            if (Math.Abs(z[0]) < 0.2) continue; // too little move to read w from (independent of w: another slot)
            double l = Math.Log(o.FinalPrice[p] / S0);
            w.Add((z[0] - Math.Sign(z[0]) * Math.Sqrt(z[0] * z[0] - 2 * l)) / a);
        }
        AssertLognormal(w, v, "volatility");
    }

    [Test]
    public void UncertainDepthMakesACascadeProbableInsteadOfImpossible()
    {
        // A book that a known depth never cascades: with uncertain depth, the thin paths do.
        var known = ClosedFormsLadder(UncertaintySpec.None);
        var uncertain = ClosedFormsLadder(new UncertaintySpec(Depth: 1.0));
        Assert.That(known.Probabilities.Cascade.Estimate, Is.Zero);
        Assert.That(uncertain.Probabilities.Cascade.Lower, Is.GreaterThan(0));
    }

    private static GpuCascade.Reporting.RunResult ClosedFormsLadder(UncertaintySpec uncertainty)
    {
        var ladder = GpuCascade.Validation.ClosedForms.LadderScenario(0.5);
        return SimulationEngine.Run(ladder with { Paths = 2048, Uncertainty = uncertainty });
    }

    [Test]
    public void FileKeysAndDefaults()
    {
        var d = ScenarioLoader.LoadDefault();
        Assert.That(d.Uncertainty, Is.EqualTo(UncertaintySpec.None));
        var s = ScenarioDocument.Default.With("uncertainty.depth", 0.3).With("uncertainty.book", 0.1).ToScenario();
        Assert.That(s.Uncertainty, Is.EqualTo(new UncertaintySpec(0.3, 0, 0.1)));
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        var e = Assert.Throws<ScenarioException>(() => ScenarioDocument.Default.With("uncertainty.volatility", 9).ToScenario())!;
        Assert.That(e.Message, Does.Contain("uncertainty.volatility: must be in [0, 5], got 9"));
    }
}
