using System.Diagnostics;
using GpuCascade.Backends;
using GpuCascade.Book;
using GpuCascade.Calibration;
using GpuCascade.Cli.Shared;
using GpuCascade.Report;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Cli.Commands.Calibrate;

/// <summary><c>gpucascade calibrate</c>: argument checks, the search (<see cref="Calibrator.Run"/>), the outputs and the verdict's exit code.</summary>
internal static class CalibrateCommand
{
    public static int Run(CalibrateArguments a, CommandContext context)
    {
        var (stdout, stderr, cancellation, progressToTerminal) = context;
        var (key, low, high) = Range(a.Vary);
        var targets = new List<CalibrationTarget>();
        foreach (string text in a.Targets)
        {
            try
            {
                targets.Add(CalibrationTarget.Parse(text));
            }
            catch (FormatException e)
            {
                throw new UsageException($"--target: {e.Message}");
            }
        }
        IReadOnlyList<VolatilityRegime>? regimes = null;
        if (a.Regimes is not null)
        {
            try
            {
                regimes = VolatilityRegime.ParseList(a.Regimes);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--regimes: {e.Message}");
            }
        }
        var outputs = new[] { ("--json", a.Run.JsonPath), ("--csv", a.Run.CsvPath), ("--yaml", a.YamlPath) }.Where(o => o.Item2 == "-").ToList();
        OutputFiles.Check([("--json", a.Run.JsonPath), ("--csv", a.Run.CsvPath), ("--yaml", a.YamlPath), ("--checkpoint", a.CheckpointPath), ("--log", a.Run.LogPath),
            ("--report", a.Run.ReportPath)], ("scenario file", a.Run.ScenarioPath));
        ReportOutputs.Check(a.Run);
        if (a.CheckpointPath == "-") throw new UsageException("--checkpoint: needs a file, not stdout");

        var document = a.Run.ScenarioPath is null ? ScenarioDocument.Default : ScenarioDocument.Load(a.Run.ScenarioPath);
        var precision = document.ToScenario().Precision;
        using var backend = BackendCatalog.Create(a.Run.Backend, precision, a.Run.Threads, line => stderr.WriteLine(line));
        using var progress = new CommandProgress(a.Run, stderr, progressToTerminal);
        var clock = Stopwatch.StartNew();
        CalibrationResult result;
        try
        {
            result = Calibrator.Run(document, new CalibrationOptions
            {
                Key = key, Low = low, High = high, Targets = targets, Grid = a.Grid, Resolution = a.Resolution,
                Prefer = a.PreferHigh ? Preference.High : Preference.Low, UseEstimate = a.Estimate, Regimes = regimes,
                Paths = a.Run.Paths, Seed = a.Run.Seed, Backend = backend, Progress = progress.Progress,
                Log = progress.Line, CheckpointPath = a.CheckpointPath,
                Breach = a.LiquidateBreaches ? BreachRule.Liquidate : BreachRule.Deleverage,
            }, cancellation);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--vary: {e.Message.Split(" (Parameter")[0]}");
        }
        progress.Finish();
        foreach (var warning in result.Warnings) progress.Line($"warning: {warning}");

        var failures = OutputFiles.WriteAll(stdout,
            ("--json", a.Run.JsonPath, () => CalibrationReport.Json(result, clock.Elapsed.TotalSeconds)),
            ("--csv", a.Run.CsvPath, () => CalibrationReport.Csv(result)),
            ("--yaml", a.YamlPath, () => CalibrationReport.Yaml(result)));
        failures.AddRange(ReportOutputs.Write(a.Run, () => ReportInput.From(result, a.Run.JsonPath ?? "calibration")));
        if (!a.Run.Quiet && outputs.Count == 0) stdout.Write(CalibrationReport.Table(result));
        if (failures.Count > 0) return ExitCodes.Finish(failures, stderr, ExitCodes.Failure);
        if (result.Cancelled) return ExitCodes.Cancelled;
        if (!result.Feasible)
        {
            stderr.WriteLine($"error: no value of {key} in [{CalibrationResult.Format(low)}, {CalibrationResult.Format(high)}] meets every target" +
                             (result.Regimes.Count > 1 ? $" in regime{(result.Regimes.Count(r => r.Chosen is null) > 1 ? "s" : "")} " +
                                                         string.Join(", ", result.Regimes.Where(r => r.Chosen is null).Select(r => r.Regime.Name)) : "") +
                             " (the response curve shows how close each candidate came)");
            return ExitCodes.TargetUnreachable;
        }
        if (result.Verdict == CalibrationVerdict.FailsOutOfSample)
        {
            stderr.WriteLine($"error: {CalibrationReport.VerdictText(result)}");
            return ExitCodes.OutOfSampleFailed;
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>KEY=LO..HI</c>.</summary>
    private static (string Key, double Low, double High) Range(string text)
    {
        int eq = text.IndexOf('=');
        int dots = eq > 0 ? text.IndexOf("..", eq, StringComparison.Ordinal) : -1;
        if (eq <= 0 || dots < 0)
            throw new UsageException($"--vary: expected KEY=LO..HI, such as venue.maintenanceMargin=0.005..0.05, got {Echo.Quote(text)}");
        string key = text[..eq].Trim();
        string lo = text[(eq + 1)..dots], hi = text[(dots + 2)..];
        if (!ScenarioNumbers.TryParseDouble(lo, out double low) || !double.IsFinite(low))
            throw new UsageException($"--vary: {key}: LO must be a finite number, got {Echo.Quote(lo.Trim())}");
        if (!ScenarioNumbers.TryParseDouble(hi, out double high) || !double.IsFinite(high))
            throw new UsageException($"--vary: {key}: HI must be a finite number, got {Echo.Quote(hi.Trim())}");
        if (low >= high) throw new UsageException($"--vary: {key}: LO must be below HI, got {lo.Trim()}..{hi.Trim()}");
        return (key, low, high);
    }
}
