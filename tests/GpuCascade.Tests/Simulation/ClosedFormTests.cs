using System.Collections.Immutable;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Validation;
using MathNet.Numerics.Distributions;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>docs/model.md section 7: closed forms the engine must reproduce.</summary>
public class ClosedFormTests
{
    /// <summary>
    /// First passage of GBM below the liquidation price B = S0 (1 - 1/L) / (1 - m), monitored at the steps, against
    /// the continuous formula with the Broadie-Glasserman-Kou shift B -> B exp(-0.5826 sigma sqrt(dt)). Depth is so
    /// large that impact vanishes. Tolerance: 4 Monte Carlo standard errors.
    /// </summary>
    [TestCase(0.0)]
    [TestCase(0.5)]
    public void FirstPassageProbabilityMatchesBroadieGlassermanKou(double drift)
    {
        const double s0 = 100, sigma = 0.8, leverage = 5, m = 0.05;
        const int steps = 250, paths = 20_000;
        var scenario = ClosedForms.FirstPassageScenario(drift, sigma, leverage, m, steps, paths, "30d");
        var result = SimulationEngine.Run(scenario);

        double t = 30.0 / 365, dt = t / steps;
        double barrier = ClosedForms.LongLiquidationPrice(s0, leverage, m);
        Assert.That(barrier, Is.EqualTo(100 * 0.8 / 0.95).Within(1e-12));
        double expected = ClosedForms.FirstPassageProbability(s0, barrier, drift, sigma, t, dt);
        double p = result.Probabilities.AnyLiquidation.Estimate;
        double se = Math.Sqrt(expected * (1 - expected) / paths);
        Assert.That(p, Is.EqualTo(expected).Within(4 * se), $"closed form {expected:F4}, simulated {p:F4}");
        // Without the shift the continuous formula is biased high by several standard errors: the test can tell.
        double continuous = ClosedForms.FirstPassageProbability(s0, barrier, drift, sigma, t);
        Assert.That(continuous - expected, Is.GreaterThan(4 * se));
        // Known value of the closed form itself (zero drift: 2 Phi(b / sigma sqrt T) + a drift correction).
        if (drift == 0)
        {
            double b = Math.Log(barrier / s0), sd = sigma * Math.Sqrt(t);
            double reflection = Normal.CDF(0, 1, (b + sigma * sigma / 2 * t) / sd)
                                + Math.Exp(-b) * Normal.CDF(0, 1, (b - sigma * sigma / 2 * t) / sd);
            Assert.That(continuous, Is.EqualTo(reflection).Within(1e-12));
        }
    }

    /// <summary>
    /// A uniform ladder of isolated longs (density rho of USD flow per unit log price) under linear depth D and a
    /// live oracle amplifies an exogenous log drop d0 to about d0 / (1 - kappa), kappa = 0.01 rho / D; the engine must
    /// match the exact discrete fixed point of the rounds to 1e-9 relative.
    /// </summary>
    [TestCase(0.5)]
    [TestCase(0.25)]
    public void LadderAmplifiesDropByOneOverOneMinusKappa(double kappa)
    {
        const double s0 = 100, d0 = 0.05;
        var scenario = ClosedForms.LadderScenario(kappa, d0);
        var outputs = SimulationEngine.SimulatePaths(scenario, 0, 1);
        double finalLogMove = Math.Log(outputs.FinalPrice[0] / s0);
        double exact = ClosedForms.LadderFinalLogMove(scenario);
        Assert.That(finalLogMove, Is.EqualTo(exact).Within(1e-9 * Math.Abs(exact)));
        // The continuum limit: within a few ladder spacings relative to the total move.
        Assert.That(-finalLogMove, Is.EqualTo(d0 / (1 - kappa)).Within(0.03 * d0 / (1 - kappa)));
        // The liquidation-driven displacement is the move beyond the exogenous drop (no decay within the step).
        Assert.That(-outputs.MaxDisplacement[0], Is.EqualTo(finalLogMove + d0).Within(1e-9 * Math.Abs(exact)));
        Assert.That(outputs.Cascade[0] != 0, Is.EqualTo(outputs.MaxDisplacement[0] >= 0.05));
    }

    /// <summary>kappa &gt;= 1: the cascade runs through the whole ladder.</summary>
    [Test]
    public void SupercriticalLadderRunsThroughTheWholeBook()
    {
        const double s0 = 100, depth = 1e8, m = 0.01, delta = 0.0005;
        const int levels = 200;
        double rho = 1.2 * depth / 0.01;
        var cohorts = Enumerable.Range(1, levels).Select(j =>
        {
            double liquidationPrice = s0 * Math.Exp(-(j - 0.5) * delta);
            return Isolated(0, rho * delta / liquidationPrice * s0, 1 / (1 - (1 - m) * liquidationPrice / s0), s0);
        }).ToList();
        var scenario = Single(Asset("BTC", s0, 0, depth1pct: depth), cohorts, margin: m) with
        {
            Stress = [new StressShock(0, 0, -0.01)],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(m)], LiquidationPenalty = 0, RoundCap = 10_000 },
        };
        var outputs = SimulationEngine.SimulatePaths(scenario, 0, 1);
        Assert.That(outputs.ClosedUnitsShare[0], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(-Math.Log(outputs.FinalPrice[0] / s0), Is.GreaterThan(levels * delta));
    }
}
