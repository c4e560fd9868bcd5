using GpuCascade.Backends;
using GpuCascade.Book;
using GpuCascade.Calibration;
using GpuCascade.Cli.Shared;
using GpuCascade.Report;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Cli.Commands.Compare;

/// <summary><c>gpucascade compare</c>: argument checks, the variants' run (<see cref="Comparison.Run"/>), the outputs.</summary>
internal static class CompareCommand
{
    public static int Run(CompareArguments a, CommandContext context)
    {
        var (stdout, stderr, cancellation, progressToTerminal) = context;
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
            throw new UsageException($"--vary: {twice.Key} is given twice; list its values once (KEY=V1,V2,...)");
        OutputFiles.Check([("--json", a.Run.JsonPath), ("--csv", a.Run.CsvPath), ("--log", a.Run.LogPath), ("--report", a.Run.ReportPath)], ("scenario file", a.Run.ScenarioPath));
        ReportOutputs.Check(a.Run);
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
        failures.AddRange(ReportOutputs.Write(a.Run, () => ReportInput.From(result, a.Run.JsonPath ?? "comparison")));
        if (!a.Run.Quiet && a.Run.JsonPath != "-" && a.Run.CsvPath != "-") stdout.Write(ComparisonReport.Table(result));
        return ExitCodes.Finish(failures, stderr, result.Cancelled ? ExitCodes.Cancelled : ExitCodes.Ok);
    }
}
