using GpuCascade.Book;
using GpuCascade.Calibration;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Compare;

/// <summary><c>gpucascade compare</c>: the variants (<c>--vary</c>) checked, then <see cref="Comparison.Run"/> in the run
/// pipeline, writing the comparison's JSON and CSV, the report and its table.</summary>
internal sealed class CompareCommand : VariantPipeline<ComparisonResult>
{
    private readonly CompareArguments _a;
    private readonly IReadOnlyList<VaryAxis> _axes;

    private CompareCommand(CompareArguments a, IReadOnlyList<VaryAxis> axes, CommandContext context) : base(a.Run, context) => (_a, _axes) = (a, axes);

    /// <summary>The handler of <c>gpucascade compare</c>.</summary>
    public static int Run(CompareArguments a, CommandContext context)
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
        return new CompareCommand(a, axes, context).Execute();
    }

    protected override IEnumerable<(string Option, string? Path)> Outputs =>
        [("--json", _a.Run.JsonPath), ("--csv", _a.Run.CsvPath), ("--log", _a.Run.LogPath), ("--report", _a.Run.ReportPath)];

    protected override bool WritesToStdout => _a.Run.JsonPath == "-" || _a.Run.CsvPath == "-";

    protected override ComparisonResult Compute(ScenarioDocument document, ISimulationBackend backend, CommandProgress progress)
    {
        try
        {
            return Comparison.Run(document, _axes, new ComparisonOptions
            {
                Paths = _a.Run.Paths,
                Seed = _a.Run.Seed,
                Backend = backend,
                Progress = progress.Progress,
                Log = progress.Line,
                Breach = _a.LiquidateBreaches ? BreachRule.Liquidate : BreachRule.Deleverage,
            }, Context.Cancellation);
        }
        catch (ArgumentException e)
        {
            string message = e.Message.Split(" (Parameter")[0];
            throw new UsageException(message.StartsWith("paths:", StringComparison.Ordinal) ? "--" + message
                : message.StartsWith("variants:", StringComparison.Ordinal) ? "--vary:" + message["variants:".Length..] : message);
        }
    }

    /// <summary>Warnings shared by every variant (those about the path count) once; the others with their variant.</summary>
    protected override IEnumerable<string> Messages(ComparisonResult result)
    {
        var shared = result.Variants.Count == 0 ? []
            : result.Variants.Skip(1).Aggregate((IEnumerable<string>)result.Variants[0].Result.Warnings, (w, v) => w.Intersect(v.Result.Warnings)).ToList();
        foreach (var warning in shared) yield return $"warning: {warning}";
        foreach (var (v, i) in result.Variants.Select((v, i) => (v, i)))
            foreach (var warning in v.Result.Warnings.Except(shared)) yield return $"warning: variant {i + 1}: {warning}";
    }

    protected override IEnumerable<(string Option, string? Path, Func<string> Text)> Files(ComparisonResult result) =>
        [("--json", _a.Run.JsonPath, () => ComparisonReport.Json(result)), ("--csv", _a.Run.CsvPath, () => ComparisonReport.Csv(result))];

    protected override (Func<ReportInput> Result, Func<ReportInput>? Series)? ReportOf(ComparisonResult result) =>
        (() => ReportInput.From(result, _a.Run.JsonPath ?? "comparison"), null);

    protected override void WriteSummary(ComparisonResult result, TextWriter stdout) => stdout.Write(ComparisonReport.Table(result));

    protected override int ExitCode(ComparisonResult result) => result.Cancelled ? ExitCodes.Cancelled : ExitCodes.Ok;
}
