// Research example: per-path outputs (SimulationEngine.SimulatePaths) answer questions the run's summary does not: the bad
// debt of paths with a cascade against those without, and how BTC's drawdown and the liquidations move together.
// Run: dotnet run --project samples/PathAnalysis -c Release -- [--paths N]
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;
using MathNet.Numerics.Statistics;

int paths = args.SkipWhile(a => a != "--paths").Skip(1).Select(int.Parse).FirstOrDefault(20_000);
Scenario scenario = ScenarioLoader.LoadDefault();
PathOutputs o = SimulationEngine.SimulatePaths(scenario, start: 0, count: paths);   // paths 0 .. N-1, as inside any run
int btc = scenario.AssetIndex("BTC"), n = o.Count, assets = o.AssetCount;

// Bad debt given a cascade (a liquidation-driven move of 5% somewhere) and given none: mean +- 1.96 s.e.
Moments cascade = new(), calm = new();
for (int p = 0; p < n; p++)
{
    if (o.Cascade[p] != 0) cascade.Add(o.BadDebt[p]);
    else calm.Add(o.BadDebt[p]);
}
ProbabilityEstimate pCascade = Proportion.WilsonInterval(cascade.Count, n);
Console.WriteLine($"{n:N0} paths of {scenario.Horizon} in {scenario.Steps} steps; P(cascade) {100 * pCascade.Estimate:0.00}% " +
                  $"[{100 * pCascade.Lower:0.00}%, {100 * pCascade.Upper:0.00}%]");
static string Mean(Moments m) => $"{m.Mean:N0} +- {Proportion.Z95 * m.StandardError:N0}";
Console.WriteLine($"E[bad debt | cascade]    {Mean(cascade)} ({cascade.Count:N0} paths)");
Console.WriteLine($"E[bad debt | no cascade] {Mean(calm)} ({calm.Count:N0} paths)");
Console.WriteLine($"share of all bad debt on cascade paths: {100 * cascade.Mean * cascade.Count / (cascade.Mean * cascade.Count + calm.Mean * calm.Count):0.0}%");

// Drawdown and liquidations together: the traded drawdown, the part the liquidations added (traded minus exogenous).
double[] drawdown = [.. Enumerable.Range(0, n).Select(p => o.MaxDrawdown[p * assets + btc])];
double[] added = [.. Enumerable.Range(0, n).Select(p => o.MaxDrawdown[p * assets + btc] - o.ExogenousMaxDrawdown[p * assets + btc])];
double[] liquidated = [.. o.LiquidatedNotional.Take(n)];
Console.WriteLine($"corr(BTC max drawdown, liquidated notional): Pearson {Correlation.Pearson(drawdown, liquidated):0.000}, " +
                  $"Spearman {Correlation.Spearman(drawdown, liquidated):0.000}");
Console.WriteLine($"corr(BTC drawdown added by liquidations, liquidated notional): Pearson {Correlation.Pearson(added, liquidated):0.000}, " +
                  $"Spearman {Correlation.Spearman(added, liquidated):0.000}");
