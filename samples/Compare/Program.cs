// Research example (docs/calibration.md): compare variants of a scenario by key on common random numbers, the generated
// book held fixed, as gpucascade compare does. Run: dotnet run --project samples/Compare -c Release -- [KEY=V1,V2,...] [--paths N]
using GpuCascade.Calibration;
using GpuCascade.Scenarios;

long paths = args.SkipWhile(a => a != "--paths").Skip(1).Select(long.Parse).FirstOrDefault(20_000);
VaryAxis axis = VaryAxis.Parse(args.FirstOrDefault(a => a.Contains('=')) ?? "venue.maintenanceMargin.ETH=0.005,0.01,0.02");
var document = ScenarioDocument.Default;                  // or ScenarioDocument.Load("venue.yaml"), ScenarioDocument.From(scenario)
ComparisonResult comparison = Comparison.Run(document, [axis], new ComparisonOptions { Paths = paths });
foreach (VariantResult variant in comparison.Variants.Skip(1))
{
    MetricDifference d = variant.Difference.First(x => x.Key == "badDebt.es.0.99").Value;   // variant minus the first
    Console.WriteLine($"{axis.Key}={variant.Values[0].Value}: ES 99% of bad debt {d.Estimate:N0}, paired [{d.Lower:N0}, {d.Upper:N0}], " +
                      $"unpaired [{d.UnpairedLower:N0}, {d.UnpairedUpper:N0}]; deleveraged {variant.DeleveragedNotional:N0}");
}
Console.Write(ComparisonReport.Table(comparison));        // every figure, as gpucascade compare prints it
