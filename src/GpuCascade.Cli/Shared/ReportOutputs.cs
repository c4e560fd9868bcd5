using GpuCascade.Report;

namespace GpuCascade.Cli.Shared;

/// <summary>
/// The <c>--report FILE</c> and <c>--plots DIR</c> options of run, compare, calibrate, backtest, fit and book, and the checks and writing of
/// the report command's own page and PNGs. A result is rendered from its JSON document by <see cref="HtmlReport"/>, so a
/// report made at the end of a run and one made later from its <c>--json</c> file are the same page.
/// </summary>
internal static class ReportOutputs
{
    /// <summary>The <c>--plots DIR</c> option of a command that draws a report (one instance per command).</summary>
    public static Option<string?> PlotsOption() =>
        new("--plots") { Description = "write each chart of the report as a PNG into DIR (created if absent)", HelpName = "DIR" };

    /// <summary>Checks <c>--report</c> and <c>--plots</c> of run, compare and calibrate before anything runs (the file
    /// itself is checked with the command's other outputs).</summary>
    public static void Check(ScenarioRunArguments a) => Check(a.ReportPath, a.PlotsDirectory);

    /// <summary>Checks a command's <c>--report</c> (not stdout) and <c>--plots</c> before anything runs.</summary>
    public static void Check(string? reportPath, string? plotsDirectory)
    {
        if (reportPath == "-") throw new UsageException("--report: needs a file, not stdout ('gpucascade report RESULT.json --out -' writes to stdout)");
        CheckPlots(plotsDirectory);
    }

    /// <summary>Checks a <c>--plots</c> directory before anything runs.</summary>
    public static void CheckPlots(string? directory)
    {
        if (directory is null) return;
        if (string.IsNullOrWhiteSpace(directory)) throw new UsageException("--plots: needs a directory name, got an empty one");
        if (directory == "-") throw new UsageException("--plots: needs a directory, not stdout");
        if (File.Exists(directory)) throw new UsageException($"--plots: {directory} is a file; give a directory");
        // Created with its parents when absent ("plots/" and "plots" alike): the nearest one that exists must be a
        // directory we can write in, checked now rather than after the run.
        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"--plots: not a valid directory name {Operations.Echo.Quote(directory)}: {e.Message}");
        }
        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new UsageException($"--plots: {existing} is a file, so {directory} cannot be created in it");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is not null && !OutputFiles.CanWrite(existing, out string why))
            throw new UsageException($"--plots: cannot write in {existing}: {why}");
    }

    /// <summary>Writes <c>--report</c> and <c>--plots</c> when asked; returns the failures, one line each naming the option.</summary>
    public static List<string> Write(ScenarioRunArguments a, Func<ReportInput> result, Func<ReportInput>? series = null) =>
        Write(a.ReportPath, a.PlotsDirectory, result, series);

    /// <summary>Writes a command's <c>--report</c> and <c>--plots</c> when asked; returns the failures, one line each
    /// naming the option.</summary>
    public static List<string> Write(string? reportPath, string? plotsDirectory, Func<ReportInput> result, Func<ReportInput>? series = null) =>
        Write(reportPath, plotsDirectory, [result], series);

    /// <summary>Writes a command's <c>--report</c> and <c>--plots</c> of several results (a section each) when asked; returns
    /// the failures, one line each naming the option.</summary>
    public static List<string> Write(string? reportPath, string? plotsDirectory, IReadOnlyList<Func<ReportInput>> results, Func<ReportInput>? series = null)
    {
        if (reportPath is null && plotsDirectory is null) return [];
        HtmlReport report;
        try
        {
            report = HtmlReport.Build([.. results.Select(r => r())], series?.Invoke());
        }
        catch (ReportException e)
        {
            return [$"{(reportPath is not null ? "--report" : "--plots")}: {e.Message}"];
        }
        catch (Exception e) when (Unexpected(e))
        {
            // After a long run the other outputs are written already: a failure to draw is one failed output, not a crash.
            return [$"{(reportPath is not null ? "--report" : "--plots")}: could not make the report: {e.GetType().Name}: {e.Message}"];
        }
        var failures = reportPath is null ? [] : OutputFiles.WriteAll(TextWriter.Null, ("--report", reportPath, () => report.Html));
        failures.AddRange(WritePlots(report, plotsDirectory));
        return failures;
    }

    /// <summary>A failure inside the drawing (a bug, or Skia's native library missing beside a single-file publish),
    /// reported as a failed output; cancellation and out-of-memory still propagate.</summary>
    public static bool Unexpected(Exception e) => e is not (OperationCanceledException or OutOfMemoryException);

    /// <summary>Writes the report's charts as PNGs into <paramref name="directory"/> when asked; returns the failures.</summary>
    public static List<string> WritePlots(HtmlReport report, string? directory)
    {
        if (directory is null) return [];
        try
        {
            report.WritePlots(directory);
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"--plots: could not write into {directory}: {e.Message}"];
        }
    }
}
