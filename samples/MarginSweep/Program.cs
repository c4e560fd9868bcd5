// Research example (docs/calibration.md): compare variants of the default scenario on common random numbers, then
// calibrate one maintenance rate against the insurance fund. Run: dotnet run --project samples/MarginSweep -c Release
using GpuCascade.Calibration;
using GpuCascade.Scenarios;

var document = ScenarioDocument.Default;                  // or ScenarioDocument.Load("venue.yaml")
var comparison = Comparison.Run(document, [new VaryAxis("venue.insuranceFund", [0, 1e9])],
    new ComparisonOptions { Paths = 4_096 });
MetricDifference d = comparison.Variants[1].Difference.First(x => x.Key == "badDebt.mean").Value;   // [0, 0]
Console.WriteLine($"fund 1e9 vs 0: mean bad debt {d.Estimate:N0} [{d.Lower:N0}, {d.Upper:N0}] (paired)");

var calibration = Calibrator.Run(document, new CalibrationOptions
{
    Key = "venue.maintenanceMargin", Low = 0.004, High = 0.05, Paths = 4_096,
    Targets = [CalibrationTarget.Parse("badDebt.es.0.99<=insuranceFund")],
});
double? margin = calibration.Regimes[0].Chosen;
Console.WriteLine(margin is double m ? $"maintenance rate for ES 99% <= fund: {m:P3}" : "no rate in range keeps ES 99% within the fund");
