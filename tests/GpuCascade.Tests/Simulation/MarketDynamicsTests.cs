using System.Collections.Immutable;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>The exogenous market (docs/model.md section 2) recovers its inputs, each within 4 standard errors.</summary>
public class MarketDynamicsTests
{
    private static double[] LogReturns(PathOutputs o, double s0, int asset)
    {
        var r = new double[o.Count];
        for (int p = 0; p < o.Count; p++) r[p] = Math.Log(o.FinalPrice[p * o.AssetCount + asset] / s0);
        return r;
    }

    [Test]
    public void StudentTShocksHaveTheKurtosisOfTheirDegreesOfFreedom()
    {
        const double nu = 10, s0 = 100, sigma = 0.5;
        const int paths = 200_000;
        var scenario = Single(Asset("BTC", s0, sigma), [Inert(0, s0)], horizon: "1d", steps: 1) with
        {
            Innovations = new InnovationSpec(nu),
        };
        var r = LogReturns(SimulationEngine.SimulatePaths(scenario, 0, paths), s0, 0);
        double mean = r.Average();
        double m2 = r.Average(x => Math.Pow(x - mean, 2)), m4 = r.Average(x => Math.Pow(x - mean, 4));
        double kurtosis = m4 / (m2 * m2);
        // Standardised t: mu4 = 3 (nu-2)/(nu-4) = 4, mu8 = 105 (nu-2)^3 / ((nu-4)(nu-6)(nu-8)) = 1120.
        double expected = 3 * (nu - 2) / (nu - 4);
        double se = Math.Sqrt((1120 - expected * expected) / paths);
        Assert.That(kurtosis, Is.EqualTo(expected).Within(4 * se));
        Assert.That(m2, Is.EqualTo(sigma * sigma / 365).Within(0.02 * sigma * sigma / 365), "unit variance after scaling");
    }

    [Test]
    public void GaussianShocksHaveKurtosisThree()
    {
        const double s0 = 100;
        const int paths = 100_000;
        var scenario = Single(Asset("BTC", s0, 0.5), [Inert(0, s0)], steps: 1);
        var r = LogReturns(SimulationEngine.SimulatePaths(scenario, 0, paths), s0, 0);
        double mean = r.Average();
        double m2 = r.Average(x => Math.Pow(x - mean, 2)), m4 = r.Average(x => Math.Pow(x - mean, 4));
        Assert.That(m4 / (m2 * m2), Is.EqualTo(3).Within(4 * Math.Sqrt(96.0 / paths)));
    }

    [TestCase(0.8)]
    [TestCase(-0.3)]
    [TestCase(1.0)]
    public void ShocksRecoverTheCorrelationMatrix(double rho)
    {
        const int paths = 100_000;
        var scenario = Single(Asset("BTC", 100, 0.6), [Inert(0, 100)], steps: 1) with
        {
            Assets = [Asset("BTC", 100, 0.6), Asset("ETH", 10, 0.9)],
            Correlation = [1, rho, rho, 1],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(0.01), new StaticMargin(0.01)] },
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, paths);
        var a = LogReturns(o, 100, 0);
        var b = LogReturns(o, 10, 1);
        double ma = a.Average(), mb = b.Average();
        double cov = a.Zip(b).Average(t => (t.First - ma) * (t.Second - mb));
        double r = cov / Math.Sqrt(a.Average(x => (x - ma) * (x - ma)) * b.Average(x => (x - mb) * (x - mb)));
        double se = Math.Max((1 - rho * rho) / Math.Sqrt(paths), 1e-9);
        Assert.That(r, Is.EqualTo(rho).Within(4 * se + 1e-9));
    }

    /// <summary>
    /// GARCH(1,1) with E[e^2] = 1 has E[h_t] = sigmaBar^2 + (alpha + beta)^t (h_0 - sigmaBar^2), so the variance of
    /// the summed log return is dt sum_t E[h_t] (returns are uncorrelated; the drift term is negligible at this dt).
    /// Starting far from the long-run level checks that the variance converges to sigmaBar^2.
    /// </summary>
    [Test]
    public void GarchVarianceConvergesToItsLongRunLevel()
    {
        const double s0 = 100, sigma0 = 0.3, sigmaBar = 0.9, alpha = 0.08, beta = 0.88;
        const int steps = 400, paths = 40_000;
        var asset = Asset("BTC", s0, sigma0) with { LongRunVolatility = sigmaBar };
        var scenario = Single(asset, [Inert(0, s0)], horizon: "1d", steps: steps) with { Garch = new GarchSpec(alpha, beta) };
        var r = LogReturns(SimulationEngine.SimulatePaths(scenario, 0, paths), s0, 0);
        double dt = 1.0 / 365 / steps, expected = 0;
        for (int t = 0; t < steps; t++)
            expected += dt * (sigmaBar * sigmaBar + Math.Pow(alpha + beta, t) * (sigma0 * sigma0 - sigmaBar * sigmaBar));
        double mean = r.Average();
        double m2 = r.Average(x => (x - mean) * (x - mean)), m4 = r.Average(x => Math.Pow(x - mean, 4));
        double se = Math.Sqrt((m4 - m2 * m2) / paths);
        Assert.That(m2, Is.EqualTo(expected).Within(4 * se));
        // Far from the starting variance: the test distinguishes a GARCH stuck at sigma0.
        Assert.That(Math.Abs(sigma0 * sigma0 / 365 - expected), Is.GreaterThan(20 * se));
    }

    [Test]
    public void JumpsArriveAtTheirIntensityWithTheirSize()
    {
        // Zero volatility: the only moves are jumps. lambda dt = 0.1 per step, one step.
        const double s0 = 100;
        const int paths = 50_000;
        var scenario = Single(Asset("BTC", s0, 0) with { JumpBeta = 2.0 }, [Inert(0, s0)], horizon: "1d", steps: 1) with
        {
            Jumps = new JumpSpec(36.5, -0.1, 0.02),
        };
        var r = LogReturns(SimulationEngine.SimulatePaths(scenario, 0, paths), s0, 0);
        var jumps = r.Where(x => Math.Abs(x) > 1e-9).ToArray();
        double p = 0.1;
        Assert.That((double)jumps.Length / paths, Is.EqualTo(p).Within(4 * Math.Sqrt(p * (1 - p) / paths)));
        double mean = jumps.Average();
        Assert.That(mean, Is.EqualTo(2 * -0.1).Within(4 * 2 * 0.02 / Math.Sqrt(jumps.Length)));
    }

    [Test]
    public void StressShocksAreDeterministicWithZeroVolatility()
    {
        var scenario = Single(Asset("BTC", 100, 0), [Inert(0, 100)], steps: 3) with
        {
            Stress = [new StressShock(0, 0, -0.05), new StressShock(2, 0, 0.02)],
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 3);
        for (int p = 0; p < 3; p++)
        {
            Assert.That(o.FinalPrice[p], Is.EqualTo(100 * Math.Exp(-0.03)).Within(1e-12));
            Assert.That(o.MaxDrawdown[p], Is.EqualTo(1 - Math.Exp(-0.05)).Within(1e-12));
            Assert.That(o.ExogenousMaxDrawdown[p], Is.EqualTo(1 - Math.Exp(-0.05)).Within(1e-12));
        }
    }
}
