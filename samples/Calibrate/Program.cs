// Research example (docs/calibration.md): the lowest maintenance rate for every asset that keeps ES 99% of bad debt within
// the insurance fund and the fund depleted on at most 1% of paths, on common random numbers with the book held fixed, as
// gpucascade calibrate does. Run: dotnet run --project samples/Calibrate -c Release -- [--paths N]
using GpuCascade.Calibration;
using GpuCascade.Scenarios;

long paths = args.SkipWhile(a => a != "--paths").Skip(1).Select(long.Parse).FirstOrDefault(20_000);
CalibrationResult calibration = Calibrator.Run(ScenarioDocument.Default, new CalibrationOptions
{
    Key = "venue.maintenanceMargin", Low = 0.004, High = 0.05, Resolution = 0.0005, Paths = paths,
    Targets = [CalibrationTarget.Parse("badDebt.es.0.99<=insuranceFund"), CalibrationTarget.Parse("probabilities.fundDepleted<=0.01")],
});
RegimeCalibration regime = calibration.Regimes[0];
Console.WriteLine($"Response curve ({calibration.Rule})");
foreach (CalibrationCandidate c in regime.Curve)
{
    Figure es = c.Figure("badDebt.es.0.99"), depleted = c.Figure("probabilities.fundDepleted");
    Console.WriteLine($"  {(c.Feasible ? '*' : ' ')} {c.Value,-10:0.#####} ES 99% {es.Estimate,12:N0} [{es.Lower:N0}, {es.Upper:N0}]" +
                      $"   P(fund depleted) {100 * depleted.Estimate:0.00}% [{100 * depleted.Lower:0.00}%, {100 * depleted.Upper:0.00}%]");
}
Console.WriteLine(regime.Chosen is double m
    ? $"chosen maintenance rate {m:0.#####}; out of sample (seed {regime.OutOfSample!.Seed}): {(regime.OutOfSample.Holds ? "holds" : "does not hold")}"
    : "chosen: none; no rate in [0.004, 0.05] keeps every target at these paths");
