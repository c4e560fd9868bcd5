using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Report;

/// <summary>
/// <c>gpucascade report RESULT.json [MORE.json ...] [--series SERIES.json] --out report.html [--plots DIR]</c>: the
/// result files as their JSON documents, rendered by <see cref="HtmlReport"/> (the same page as run's, compare's and
/// calibrate's <c>--report</c>, <see cref="ReportOutputs"/>).
/// </summary>
internal static class ReportCommand
{
    /// <summary>The report command: read the documents, build the page, write it (and the PNGs).</summary>
    public static int Run(ReportArguments a, CommandContext context)
    {
        var (stdout, stderr) = (context.Stdout, context.Stderr);
        var inputs = a.Files.Select(f => ("result file", (string?)f)).Append(("series file", a.SeriesPath)).ToArray();
        OutputFiles.Check([("--out", a.OutPath)], inputs);
        ReportOutputs.CheckPlots(a.PlotsDirectory);
        HtmlReport report;
        try
        {
            report = HtmlReport.Build(a.Files.Select(ReportInput.FromFile).ToList(), a.SeriesPath is null ? null : ReportInput.FromFile(a.SeriesPath));
        }
        catch (ReportException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (ReportOutputs.Unexpected(e))
        {
            stderr.WriteLine($"error: could not make the report: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failure;
        }
        var failures = OutputFiles.WriteAll(stdout, ("--out", a.OutPath, () => report.Html));
        failures.AddRange(ReportOutputs.WritePlots(report, a.PlotsDirectory));
        if (a.OutPath != "-" && failures.Count == 0)
            stdout.WriteLine($"report: {a.OutPath} ({report.Charts.Count} charts{(a.PlotsDirectory is null ? "" : $", also as PNG in {a.PlotsDirectory}")})");
        return ExitCodes.Finish(failures, stderr, ExitCodes.Ok);
    }
}
