using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Merge;

/// <summary><c>gpucascade merge</c>: the partial files of a sharded run merged into its result (<see cref="Shards.Merge"/>),
/// identical to the one-shot run's, and written as run writes it.</summary>
internal static class MergeCommand
{
    public static int Run(MergeArguments a, CommandContext context)
    {
        var (stdout, stderr) = (context.Stdout, context.Stderr);
        OutputFiles.Check([("--json", a.JsonPath), ("--csv", a.CsvPath), ("--series", a.SeriesPath), ("--sample-paths", a.SamplePathsFile)],
            [.. a.Files.Select(f => ("partial file", (string?)f))]);
        var result = Shards.Merge(a.Files, a.CommandLine);
        if (a.SeriesPath is not null && result.Series is null)
            throw new UsageException("--series: the partial files hold no series; run the shards with --series");
        if (a.SamplePathsFile is not null && result.SamplePaths is null)
            throw new UsageException("--sample-paths: the partial files hold no sample paths; run the shards with --sample-paths N FILE");
        foreach (var warning in result.Warnings) stderr.WriteLine($"warning: {warning}");
        var failures = OutputFiles.WriteAll(stdout, ResultOutputs.Files(result, a.JsonPath, a.CsvPath));
        failures.AddRange(ResultOutputs.WriteSeries(stdout, result, a.SeriesPath, a.SamplePathsFile));
        if (!a.Quiet && a.JsonPath != "-" && a.CsvPath != "-" && a.SeriesPath != "-" && a.SamplePathsFile != "-") stdout.Write(SummaryTable.Format(result));
        return ExitCodes.Finish(failures, stderr, ExitCodes.Ok);
    }
}
