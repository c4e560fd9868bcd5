using System.Diagnostics;
using GpuCascade.Backends;
using GpuCascade.Book;
using GpuCascade.Calibration;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Cli;

/// <summary><c>gpucascade compare</c> and <c>gpucascade calibrate</c>: argument checks, the run, the outputs.</summary>
internal static class CalibrationCommands
{
    public static int Compare(CompareArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, bool progressToTerminal)
    {
        var axes = new List<VaryAxis>();
        foreach (string text in a.Vary)
        {
            try
            {
                axes.Add(VaryAxis.Parse(text));
            }
            catch (FormatException e)
            {
                throw new UsageException($"--vary: {e.Message}");
            }
        }
        if (axes.GroupBy(x => x.Key).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"--vary: {Echo.Key(twice.Key)} is given twice; list its values once (KEY=V1,V2,...)");
        OutputFiles.Check([("--json", a.Run.JsonPath), ("--csv", a.Run.CsvPath), ("--log", a.Run.LogPath), ("--report", a.Run.ReportPath)], ("scenario file", a.Run.ScenarioPath));
        ReportCommand.Check(a.Run);
        var document = a.Run.ScenarioPath is null ? ScenarioDocument.Default : ScenarioDocument.Load(a.Run.ScenarioPath);
        var precision = document.ToScenario().Precision;
        using var backend = BackendCatalog.Create(a.Run.Backend, precision, a.Run.Threads, line => stderr.WriteLine(line));
        using var progress = new CommandProgress(a.Run, stderr, progressToTerminal);
        ComparisonResult result;
        try
        {
            result = Comparison.Run(document, axes, new ComparisonOptions
            {
                Paths = a.Run.Paths,
                Seed = a.Run.Seed,
                Backend = backend,
                Progress = progress.Progress,
                Log = progress.Line,
                Breach = a.LiquidateBreaches ? BreachRule.Liquidate : BreachRule.Deleverage,
            }, cancellation);
        }
        catch (ArgumentException e)
        {
            string message = e.Message.Split(" (Parameter")[0];
            throw new UsageException(message.StartsWith("paths:", StringComparison.Ordinal) ? "--" + message
                : message.StartsWith("variants:", StringComparison.Ordinal) ? "--vary:" + message["variants:".Length..] : message);
        }
        progress.Finish();
        // Warnings shared by every variant (those about the path count) once; the others with their variant.
        var shared = result.Variants.Count == 0 ? []
            : result.Variants.Skip(1).Aggregate((IEnumerable<string>)result.Variants[0].Result.Warnings, (w, v) => w.Intersect(v.Result.Warnings)).ToList();
        foreach (var warning in shared) progress.Line($"warning: {warning}");
        foreach (var (v, i) in result.Variants.Select((v, i) => (v, i)))
            foreach (var warning in v.Result.Warnings.Except(shared)) progress.Line($"warning: variant {i + 1}: {warning}");

        var failures = OutputFiles.WriteAll(stdout,
            ("--json", a.Run.JsonPath, () => ComparisonReport.Json(result)),
            ("--csv", a.Run.CsvPath, () => ComparisonReport.Csv(result)));
        failures.AddRange(ReportCommand.Write(a.Run, () => Report.ReportInput.From(result, a.Run.JsonPath ?? "comparison")));
        if (!a.Run.Quiet && a.Run.JsonPath != "-" && a.Run.CsvPath != "-") stdout.Write(ComparisonReport.Table(result));
        return CliApp.Finish(failures, stderr, result.Cancelled ? CliApp.ExitCancelled : CliApp.ExitOk);
    }

    public static int Calibrate(CalibrateArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, bool progressToTerminal)
    {
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
        ReportCommand.Check(a.Run);
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
        failures.AddRange(ReportCommand.Write(a.Run, () => Report.ReportInput.From(result, a.Run.JsonPath ?? "calibration")));
        if (!a.Run.Quiet && outputs.Count == 0) stdout.Write(CalibrationReport.Table(result));
        if (failures.Count > 0) return CliApp.Finish(failures, stderr, CliApp.ExitFailure);
        if (result.Cancelled) return CliApp.ExitCancelled;
        if (!result.Feasible)
        {
            stderr.WriteLine($"error: no value of {key} in [{CalibrationResult.Format(low)}, {CalibrationResult.Format(high)}] meets every target" +
                             (result.Regimes.Count > 1 ? $" in regime{(result.Regimes.Count(r => r.Chosen is null) > 1 ? "s" : "")} " +
                                                         string.Join(", ", result.Regimes.Where(r => r.Chosen is null).Select(r => r.Regime.Name)) : "") +
                             " (the response curve shows how close each candidate came)");
            return CliApp.ExitTargetUnreachable;
        }
        if (result.Verdict == CalibrationVerdict.FailsOutOfSample)
        {
            stderr.WriteLine($"error: {CalibrationReport.VerdictText(result)}");
            return CliApp.ExitOutOfSampleFailed;
        }
        return CliApp.ExitOk;
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
            throw new UsageException($"--vary: {Echo.Key(key)}: LO must be a finite number, got {Echo.Quote(lo.Trim())}");
        if (!ScenarioNumbers.TryParseDouble(hi, out double high) || !double.IsFinite(high))
            throw new UsageException($"--vary: {Echo.Key(key)}: HI must be a finite number, got {Echo.Quote(hi.Trim())}");
        if (low >= high) throw new UsageException($"--vary: {Echo.Key(key)}: LO must be below HI, got {lo.Trim()}..{hi.Trim()}");
        return (key, low, high);
    }
}
