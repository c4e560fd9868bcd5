// Research example: sweep a parameter with Scenario.With on common random numbers (every variant runs on the same
// paths: the same seed and path indices), and read each variant's paired difference to the first from the library.
// Here: every order book thinned to a fraction of its depth. Run: dotnet run --project samples/CrnSweep -c Release -- [--paths N]
using GpuCascade.Calibration;
using GpuCascade.Scenarios;

long paths = args.SkipWhile(a => a != "--paths").Skip(1).Select(long.Parse).FirstOrDefault(20_000);
Scenario scenario = ScenarioLoader.LoadDefault();
double[] fractions = [1, 0.9, 0.8];

// One variant per fraction; With returns a new validated scenario, the original is unchanged. Depth does not enter
// the book generator, so every variant keeps the same generated book (a margin key would change it: compare a
// ScenarioDocument by key to hold the book fixed, as Comparison.Run(document, axes) and gpucascade compare do).
var variants = fractions.Select(f => scenario.With(
    [.. scenario.Assets.Select(a => ($"assets[{a.Symbol}].depth1pct", f * ((LinearImpact)a.Impact).Depth1Pct))])).ToList();

ComparisonResult sweep = Comparison.Run(variants, new ComparisonOptions { Paths = paths });
Console.WriteLine($"Depth sweep on common random numbers: {paths:N0} paths, seed {scenario.Seed}; differences to full depth " +
                  "with the paired 95% interval (per-path differences or paired bootstrap) and the unpaired one");
string[] metrics = ["probabilities.cascade", "badDebt.mean", "badDebt.es.0.99", "liquidatedNotional.mean"];
Console.WriteLine($"  {"depth",-6} {"metric",-26} {"difference",14}   {"paired 95%",-30} {"unpaired 95%",-30}");
for (int v = 1; v < sweep.Variants.Count; v++)
{
    if (sweep.Variants[v].BookRegenerated) Console.WriteLine("  (this variant's generated book differs from the first's)");
    foreach (string metric in metrics)
    {
        MetricDifference d = sweep.Variants[v].Difference.First(x => x.Key == metric).Value;
        string F(double? x) => x is not double value ? "n/a" : metric.StartsWith("probabilities") ? $"{100 * value:0.00}%" : $"{value:N0}";
        Console.WriteLine($"  {fractions[v],-6:0.##} {metric,-26} {F(d.Estimate),14}   {$"[{F(d.Lower)}, {F(d.Upper)}]",-30} " +
                          $"{$"[{F(d.UnpairedLower)}, {F(d.UnpairedUpper)}]",-30}");
    }
}
