using System.CommandLine;
using GpuCascade.Report;
using GpuCascade.Reporting;

namespace GpuCascade.Cli;

/// <summary>Parsed arguments of <c>gpucascade report</c>.</summary>
internal sealed record ReportArguments
{
    public required IReadOnlyList<string> Files { get; init; }
    public string? SeriesPath { get; init; }
    public required string OutPath { get; init; }
    public string? PlotsDirectory { get; init; }
}

/// <summary>
/// <c>gpucascade report RESULT.json [MORE.json ...] [--series SERIES.json] --out report.html [--plots DIR]</c>, and the
/// <c>--report FILE</c> / <c>--plots DIR</c> options of run, compare and calibrate. Both go one way: the result as its
/// JSON document, rendered by <see cref="HtmlReport"/> (run serialises its result first), so a report made at the end of
/// a run and one made later from its <c>--json</c> file are the same page.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The command, its arguments and its examples (declared here, added to the tree by <see cref="CommandLine"/>).</summary>
    public static Command Declare(Func<ReportArguments, int> report, Dictionary<Command, string> examples)
    {
        var files = new Argument<string[]>("RESULT")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "result files as written by 'gpucascade run --json', 'calibrate --json' or 'compare --json'; each gets a section, and two or more runs a side-by-side table",
        };
        var series = new Option<string?>("--series")
        {
            Description = "the outputs over time of a run ('gpucascade run --series FILE.json'): price fan charts and liquidations over time, shown with the run it comes from (same paths, steps, assets, seed and scenario)",
            HelpName = "SERIES.json",
        };
        var output = new Option<string>("--out") { Description = "the HTML file to write ('-' for stdout)", HelpName = "FILE", Required = true };
        var plots = new Option<string?>("--plots") { Description = "also write each chart as a PNG into DIR (created if absent)", HelpName = "DIR" };
        var command = new Command("report", "Write the HTML report of results: one self-contained page (no script, no network) with tables and charts, every number traceable to its JSON field.")
            { files, series, output, plots };
        examples[command] = """
              gpucascade run --json result.json --series series.json && gpucascade report result.json --series series.json --out report.html
              gpucascade report calm.json stressed.json --out both.html          (two runs: each in full, and side by side)
              gpucascade report cal.json --out calibration.html --plots plots/      (the charts also as PNG files)
              gpucascade run --series series.json --report report.html              (the same page straight from a run)
            """;
        command.SetAction(r => report(new ReportArguments
        {
            Files = r.GetValue(files) ?? [],
            SeriesPath = r.GetValue(series),
            OutPath = r.GetValue(output)!,
            PlotsDirectory = r.GetValue(plots),
        }));
        return command;
    }

    /// <summary>The report command: read the documents, build the page, write it (and the PNGs).</summary>
    public static int Run(ReportArguments a, TextWriter stdout, TextWriter stderr)
    {
        var inputs = a.Files.Select(f => ("result file", (string?)f)).Append(("series file", a.SeriesPath)).ToArray();
        OutputFiles.Check([("--out", a.OutPath)], inputs);
        CheckPlots(a.PlotsDirectory);
        HtmlReport report;
        try
        {
            report = HtmlReport.Build(a.Files.Select(ReportInput.FromFile).ToList(), a.SeriesPath is null ? null : ReportInput.FromFile(a.SeriesPath));
        }
        catch (ReportException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return CliApp.ExitInvalidInput;
        }
        catch (Exception e) when (Unexpected(e))
        {
            stderr.WriteLine($"error: could not make the report: {e.GetType().Name}: {e.Message}");
            return CliApp.ExitFailure;
        }
        var failures = OutputFiles.WriteAll(stdout, ("--out", a.OutPath, () => report.Html));
        failures.AddRange(WritePlots(report, a.PlotsDirectory));
        if (a.OutPath != "-" && failures.Count == 0)
            stdout.WriteLine($"report: {a.OutPath} ({report.Charts.Count} charts{(a.PlotsDirectory is null ? "" : $", also as PNG in {a.PlotsDirectory}")})");
        return CliApp.Finish(failures, stderr, CliApp.ExitOk);
    }

    /// <summary>Checks <c>--report</c> and <c>--plots</c> of run, compare and calibrate before anything runs (the file
    /// itself is checked with the command's other outputs).</summary>
    public static void Check(RunArguments a)
    {
        if (a.ReportPath == "-") throw new UsageException("--report: needs a file, not stdout ('gpucascade report RESULT.json --out -' writes to stdout)");
        CheckPlots(a.PlotsDirectory);
    }

    private static void CheckPlots(string? directory)
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
            throw new UsageException($"--plots: not a valid directory name {Scenarios.Echo.Quote(directory)}: {e.Message}");
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

    /// <summary>The report and plots of a run: its result and, with <c>--series</c>, its outputs over time.</summary>
    public static List<string> WriteRun(RunArguments a, RunResult result) =>
        Write(a, () => ReportInput.From(result, a.JsonPath is { } json && json != "-" ? json : a.ScenarioPath ?? "the embedded default scenario"),
            result.Series is { } s ? () => ReportInput.From(s, a.SeriesPath is { } path && path != "-" ? path : "series") : null);

    /// <summary>Writes <c>--report</c> and <c>--plots</c> when asked; returns the failures, one line each naming the option.</summary>
    public static List<string> Write(RunArguments a, Func<ReportInput> result, Func<ReportInput>? series = null)
    {
        if (a.ReportPath is null && a.PlotsDirectory is null) return [];
        HtmlReport report;
        try
        {
            report = HtmlReport.Build([result()], series?.Invoke());
        }
        catch (ReportException e)
        {
            return [$"{(a.ReportPath is not null ? "--report" : "--plots")}: {e.Message}"];
        }
        catch (Exception e) when (Unexpected(e))
        {
            // After a long run the other outputs are written already: a failure to draw is one failed output, not a crash.
            return [$"{(a.ReportPath is not null ? "--report" : "--plots")}: could not make the report: {e.GetType().Name}: {e.Message}"];
        }
        var failures = a.ReportPath is null ? [] : OutputFiles.WriteAll(TextWriter.Null, ("--report", a.ReportPath, () => report.Html));
        failures.AddRange(WritePlots(report, a.PlotsDirectory));
        return failures;
    }

    /// <summary>A failure inside the drawing (a bug, or Skia's native library missing beside a single-file publish),
    /// reported as a failed output; cancellation and out-of-memory still propagate.</summary>
    private static bool Unexpected(Exception e) => e is not (OperationCanceledException or OutOfMemoryException);

    private static List<string> WritePlots(HtmlReport report, string? directory)
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
