using System.Globalization;
using GpuCascade.MarketData;
using GpuCascade.Scenarios;
using static GpuCascade.Tests.MarketData.MarketFitTests;

namespace GpuCascade.Tests.MarketData;

/// <summary>
/// How often <c>fit</c>'s estimates lie within two standard errors of the truth, over many seeds of the series
/// <see cref="MarketFitTests"/> simulates (docs/market-data.md, "Coverage"). Too slow for every run (about a second a
/// seed): <c>SEEDS=40 dotnet test --filter FullyQualifiedName~FitCoverageStudy</c>.
/// </summary>
[Explicit("a study over many seeds; run it by name")]
public class FitCoverageStudy
{
    private static int Seeds => int.Parse(Environment.GetEnvironmentVariable("SEEDS") ?? "20", CultureInfo.InvariantCulture);

    private static void Report(string name, List<double[]> z, string[] labels)
    {
        for (int k = 0; k < labels.Length; k++)
        {
            var col = z.Select(r => r[k]).Where(double.IsFinite).ToList();
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} {labels[k]}: within 2 s.e. on {col.Count(x => Math.Abs(x) <= 2)} of {z.Count} seeds; mean z {col.DefaultIfEmpty().Average():0.00}, s.d. z {Sd(col):0.00}"));
        }
    }

    private static double Sd(List<double> x) => x.Count < 2 ? double.NaN : Math.Sqrt(x.Sum(v => (v - x.Average()) * (v - x.Average())) / (x.Count - 1));

    private static double Z(Estimate e, double truth) => (e.Value - truth) / e.StandardError;

    [Test]
    public void GarchStudentT()
    {
        var z = new List<double[]>();
        for (ulong seed = 1; seed <= (ulong)Seeds; seed++)
        {
            var f = MarketFitter.Fit(MarketFitTests.Simulate(MarketFitTests.Market(new GarchSpec(0.08, 0.9), new InnovationSpec(6), null, 0.6) with { Seed = seed }, 20_000),
                new FitOptions { Interval = TimeSpan.FromHours(1) });
            z.Add([Z(f.GarchAlpha, 0.08), Z(f.GarchBeta, 0.9), Z(f.Dof, 6), Z(f.Assets[0].LongRunVolatility, 0.5), Z(f.Assets[1].LongRunVolatility, 0.7),
                Z(new Estimate(f.Correlation[1], f.CorrelationStandardErrors[1]), 0.6), Z(f.JumpIntensity, 0)]);
        }
        Report("garch-t", z, ["alpha", "beta", "nu", "BTC long-run", "ETH long-run", "rho", "jump intensity"]);
    }

    [Test]
    public void Jumps()
    {
        var z = new List<double[]>();
        for (ulong seed = 1; seed <= (ulong)Seeds; seed++)
        {
            var f = MarketFitter.Fit(MarketFitTests.Simulate(MarketFitTests.Market(null, InnovationSpec.Normal, new JumpSpec(60, -0.05, 0.01), 0.5) with { Seed = seed }, 20_000));
            z.Add([Z(f.JumpIntensity, 60), Z(f.JumpMeanLogSize, -0.05), Z(f.JumpLogSizeVolatility, 0.01), Z(f.Assets[1].JumpBeta, 1.3), Z(f.Assets[0].LongRunVolatility, 0.5)]);
        }
        Report("jumps", z, ["intensity", "mean size", "size volatility", "ETH beta", "BTC long-run"]);
    }
}
