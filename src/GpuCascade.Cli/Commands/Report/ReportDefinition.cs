namespace GpuCascade.Cli.Commands.Report;

/// <summary>Parsed arguments of <c>gpucascade report</c>.</summary>
internal sealed record ReportArguments
{
    public required IReadOnlyList<string> Files { get; init; }
    public string? SeriesPath { get; init; }
    public required string OutPath { get; init; }
    public string? PlotsDirectory { get; init; }
}

/// <summary>The <c>report</c> command: its arguments, options and examples.</summary>
internal static class ReportDefinition
{
    public static Command Create(CommandTree tree, Func<ReportArguments, int> report)
    {
        var files = new Argument<string[]>("RESULT")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "result files as written by 'gpucascade run --json', 'calibrate --json', 'compare --json', 'backtest --json', 'fit --json' or 'book --json'; each gets a section, and two or more runs a side-by-side table",
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
        tree.Examples[command] = """
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
}
