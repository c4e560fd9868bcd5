using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Square-root impact on the step's cumulative flow makes the price path independent of how the liquidation flow is cut
/// into rounds, so the same open interest cut into 50 or 800 cohorts per asset gives drawdowns of the same size. A square
/// root taken afresh in every round would make the finer book's drawdowns twice as deep (measured: BTC 5.5% -> 11.7%).
/// </summary>
public class ImpactGranularityTests
{
    [Test]
    public void DrawdownsDoNotDependOnHowFinelyTheBookIsCut()
    {
        string text = ScenarioLoader.DefaultScenarioText
            .Replace("depth1pct: 1.5e8", "impact: {model: sqrt, dailyVolume: 1.0e9, y: 1}")
            .Replace("depth1pct: 6.0e7", "impact: {model: sqrt, dailyVolume: 5.0e8, y: 1}")
            .Replace("depth1pct: 3.0e7", "impact: {model: sqrt, dailyVolume: 1.0e8, y: 1}");
        var coarse = SimulationEngine.Run(ScenarioLoader.LoadYaml(text.Replace("cohortsPerAsset: 100", "cohortsPerAsset: 50")),
            new RunOptions { Paths = 2048 });
        var fine = SimulationEngine.Run(ScenarioLoader.LoadYaml(text.Replace("cohortsPerAsset: 100", "cohortsPerAsset: 800")),
            new RunOptions { Paths = 2048 });
        for (int i = 0; i < coarse.Assets.Count; i++)
        {
            var (symbol, a) = coarse.Assets[i];
            double ratio = fine.Assets[i].Value.MaxDrawdown.Mean / a.MaxDrawdown.Mean;
            TestContext.Out.WriteLine($"{symbol}: {a.MaxDrawdown.Mean:P2} with 50 cohorts, {fine.Assets[i].Value.MaxDrawdown.Mean:P2} with 800");
            Assert.That(ratio, Is.InRange(0.75, 1.25), symbol);
        }
    }
}
