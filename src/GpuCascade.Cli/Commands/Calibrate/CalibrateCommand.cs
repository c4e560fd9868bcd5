using System.Diagnostics;
using GpuCascade.Book;
using GpuCascade.Calibration;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Calibrate;

/// <summary><c>gpucascade calibrate</c>: the range, targets and regimes checked, then <see cref="Calibrator.Run"/> in the
/// run pipeline, writing the calibration's JSON, CSV and YAML fragment, the report and its table; the exit code is the
/// verdict's (3 when no value meets every target, 4 when the chosen one fails out of sample).</summary>
internal sealed class CalibrateCommand : VariantPipeline<CalibrationResult>
{
    private readonly CalibrateArguments _a;
    private readonly CalibrationOptions _search;
    private Stopwatch _clock = new();

    private CalibrateCommand(CalibrateArguments a, CalibrationOptions search, CommandContext context) : base(a.Run, context) => (_a, _search) = (a, search);

    /// <summary>The handler of <c>gpucascade calibrate</c>.</summary>
    public static int Run(CalibrateArguments a, CommandContext context)
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
        // The search as asked; the backend, progress and log are the pipeline's.
        var search = new CalibrationOptions
        {
            Key = key, Low = low, High = high, Targets = targets, Grid = a.Grid, Resolution = a.Resolution,
            Prefer = a.PreferHigh ? Preference.High : Preference.Low, UseEstimate = a.Estimate, Regimes = regimes,
            Paths = a.Run.Paths, Seed = a.Run.Seed, CheckpointPath = a.CheckpointPath,
            Breach = a.LiquidateBreaches ? BreachRule.Liquidate : BreachRule.Deleverage,
        };
        return new CalibrateCommand(a, search, context).Execute();
    }

    protected override IEnumerable<(string Option, string? Path)> Outputs =>
    [
        ("--json", _a.Run.JsonPath), ("--csv", _a.Run.CsvPath), ("--yaml", _a.YamlPath), ("--checkpoint", _a.CheckpointPath), ("--log", _a.Run.LogPath),
        ("--report", _a.Run.ReportPath),
    ];

    protected override bool WritesToStdout => _a.Run.JsonPath == "-" || _a.Run.CsvPath == "-" || _a.YamlPath == "-";

    protected override void Check()
    {
        if (_a.CheckpointPath == "-") throw new UsageException("--checkpoint: needs a file, not stdout");
    }

    protected override CalibrationResult Compute(ScenarioDocument document, ISimulationBackend backend, CommandProgress progress)
    {
        _clock = Stopwatch.StartNew();
        try
        {
            return Calibrator.Run(document, _search with { Backend = backend, Progress = progress.Progress, Log = progress.Line }, Context.Cancellation);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--vary: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    protected override IEnumerable<string> Messages(CalibrationResult result) => result.Warnings.Select(w => $"warning: {w}");

    protected override IEnumerable<(string Option, string? Path, Func<string> Text)> Files(CalibrationResult result) =>
    [
        ("--json", _a.Run.JsonPath, () => CalibrationReport.Json(result, _clock.Elapsed.TotalSeconds)),
        ("--csv", _a.Run.CsvPath, () => CalibrationReport.Csv(result)),
        ("--yaml", _a.YamlPath, () => CalibrationReport.Yaml(result)),
    ];

    protected override (Func<ReportInput> Result, Func<ReportInput>? Series)? ReportOf(CalibrationResult result) =>
        (() => ReportInput.From(result, _a.Run.JsonPath ?? "calibration"), null);

    protected override void WriteSummary(CalibrationResult result, TextWriter stdout) => stdout.Write(CalibrationReport.Table(result));

    /// <summary>Stopped, no feasible value (exit 3) or a value that fails out of sample (exit 4), each said on stderr.</summary>
    protected override int ExitCode(CalibrationResult result)
    {
        var stderr = Context.Stderr;
        if (result.Cancelled) return ExitCodes.Cancelled;
        if (!result.Feasible)
        {
            stderr.WriteLine($"error: no value of {_search.Key} in [{CalibrationResult.Format(_search.Low)}, {CalibrationResult.Format(_search.High)}] meets every target" +
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
            throw new UsageException($"--vary: {Echo.Key(key)}: LO must be a finite number, got {Echo.Quote(lo.Trim())}");
        if (!ScenarioNumbers.TryParseDouble(hi, out double high) || !double.IsFinite(high))
            throw new UsageException($"--vary: {Echo.Key(key)}: HI must be a finite number, got {Echo.Quote(hi.Trim())}");
        if (low >= high) throw new UsageException($"--vary: {Echo.Key(key)}: LO must be below HI, got {Echo.Clip(lo.Trim())}..{Echo.Clip(hi.Trim())}");
        return (key, low, high);
    }
}
