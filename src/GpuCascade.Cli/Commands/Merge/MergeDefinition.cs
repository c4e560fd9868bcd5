namespace GpuCascade.Cli.Commands.Merge;

/// <summary>Parsed arguments of <c>gpucascade merge</c>.</summary>
internal sealed record MergeArguments
{
    public required IReadOnlyList<string> Files { get; init; }
    public string? JsonPath { get; init; }
    public string? CsvPath { get; init; }
    public bool Quiet { get; init; }
    public string? CommandLine { get; init; }
    public string? SeriesPath { get; init; }
    public string? SamplePathsFile { get; init; }
}

/// <summary>The <c>merge</c> command: its partial files, its outputs and its examples.</summary>
internal static class MergeDefinition
{
    public static Command Create(CommandTree tree, Func<MergeArguments, int> merge)
    {
        var files = new Argument<string[]>("PARTIAL") { Arity = ArgumentArity.OneOrMore, Description = "the partial files of every shard, in any order" };
        var json = new Option<string?>("--json") { Description = "write the full result as JSON ('-' for stdout)", HelpName = "FILE" };
        var csv = new Option<string?>("--csv") { Description = "write the statistics as CSV ('-' for stdout)", HelpName = "FILE" };
        var quiet = new Option<bool>("--quiet") { Description = "no summary table on stdout" };
        var series = new Option<string?>("--series")
            { Description = "write the whole run's outputs over time (the shards ran with --series; CSV, JSON when FILE ends in .json, Parquet for .parquet)", HelpName = "FILE" };
        var samplePaths = new Option<string?>("--sample-paths")
            { Description = "write the sample paths (the shards ran with --sample-paths; CSV, JSON when FILE ends in .json, Parquet for .parquet)", HelpName = "FILE" };
        var command = new Command("merge", "Merge the partial files of a sharded run into its result, identical to the one-shot run's; every part is checked.")
            { files, json, csv, quiet, series, samplePaths };
        tree.Examples[command] = """
              gpucascade run venue.yaml --paths 4000000 --shard 0/4 --partial part0.bin   (and 1/4, 2/4, 3/4 elsewhere)
              gpucascade merge part*.bin --json result.json
            """;
        command.SetAction(r => merge(new MergeArguments
        {
            Files = r.GetValue(files) ?? [],
            JsonPath = r.GetValue(json),
            CsvPath = r.GetValue(csv),
            Quiet = r.GetValue(quiet),
            SeriesPath = r.GetValue(series),
            SamplePathsFile = r.GetValue(samplePaths),
            CommandLine = OptionParsing.CommandLineText(r.Tokens.Select(t => t.Value)),
        }));
        return command;
    }
}
