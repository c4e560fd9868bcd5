using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Docs;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The replay of 2025-10-10 from public inputs (scenarios/crash-2025-10-10.yaml, docs/model.md, "A crash from public
/// inputs"): the market fell about 11% (hourly low -10.3% from the start) and won most of it back within the hour. The
/// engine must do the same on the median path, with no path running away, and must not without the mechanisms that
/// end the cascade.
/// </summary>
public class CrashReplayTests
{
    private static Scenario Crash() =>
        ScenarioLoader.LoadFile(Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios", "crash-2025-10-10.yaml"));

    private static RunResult Run(Scenario s) =>
        SimulationEngine.Run(s, new RunOptions { Paths = 2000, Backend = new ManagedBackend(2), Series = true });

    private static double Median(RunResult r, int step) => r.Series!.Quantile(step, "BTC", SeriesMetric.Price, 0.5);

    [Test]
    public void TheMedianPathFallsAboutElevenPercentAndRecoversWithinTheHour()
    {
        var r = Run(Crash());
        Assert.That(r.Runaways, Is.Zero, "no path runs away");
        double low = Enumerable.Range(0, 121).Min(t => Median(r, t));
        Assert.That(low, Is.InRange(0.86, 0.93), "the real hourly low was 0.897 of the start");
        double exogenous = r.Series!.Quantile(60, "BTC", SeriesMetric.ExogenousPrice, 0.5);
        Assert.That(Median(r, 30), Is.EqualTo(exogenous).Within(0.01), "back at the exogenous level within half an hour");
        Assert.That(Median(r, 120), Is.GreaterThan(0.97), "and it stays there: the next four hours held within -3%");
    }

    [Test]
    public void WithoutReturningLiquidityTheSameBookGrindsDown()
    {
        var s = Crash();
        var without = s with { Assets = [.. s.Assets.Select(a => a with { Mechanisms = a.Mechanisms.Without<ReturningLiquiditySpec>() })] };
        var r = Run(without);
        Assert.That(Median(r, 60), Is.LessThan(0.6), "selling at capacity into the book with no buyers of the discount");
    }
}
