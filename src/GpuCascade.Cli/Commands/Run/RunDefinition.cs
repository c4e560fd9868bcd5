using System.Globalization;
using GpuCascade.Operations;
using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Commands.Run;

/// <summary>Parsed arguments of <c>gpucascade run</c> (and of a shard, <c>run --shard I/N</c>).</summary>
internal sealed record RunArguments : ScenarioRunArguments
{
    public RunArguments(ScenarioRunArguments common) : base(common) { }

    public string? CheckpointPath { get; init; }
    public int CheckpointEverySeconds { get; init; } = 60;
    public (int Index, int Count)? Shard { get; init; }
    public string? PartialPath { get; init; }
    public string? SeriesPath { get; init; }
    public int SamplePaths { get; init; }
    public string? SamplePathsFile { get; init; }
    public string? PathsOutPath { get; init; }
}

/// <summary>The <c>run</c> command: the run options, checkpoints, shards, the outputs over time, and their examples.</summary>
internal static class RunDefinition
{
    public static Command Create(CommandTree tree, Func<RunArguments, int> run)
    {
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "save the completed paths' statistics to FILE (atomically) every --checkpoint-every seconds, on a signal and at the end; rerun the same command to resume (or, when complete, to report) with the identical result",
            HelpName = "FILE",
        };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "seconds between checkpoints [60]", HelpName = "SECONDS" };
        var shard = new Option<(int Index, int Count)?>("--shard")
        {
            Description = "simulate only shard I of N (0-based: whole segments of 16,384 paths) and write its statistics to --partial; combine the parts with 'gpucascade merge'",
            HelpName = "I/N",
        };
        var partial = new Option<string?>("--partial") { Description = "the shard's partial file (with --shard)", HelpName = "FILE" };
        var series = new Option<string?>("--series")
        {
            Description = "write the outputs over time to FILE: per step and asset, quantiles of the prices and means of liquidations, depth, queue and fund (CSV; JSON when FILE ends in .json, Parquet for .parquet; '-' for stdout)",
            HelpName = "FILE",
        };
        var samplePaths = new Option<string[]>("--sample-paths")
        {
            Description = "write the full trajectories of paths 0 .. N-1 (N <= 1,000) to FILE, for plots (CSV; JSON when FILE ends in .json, Parquet for .parquet; '-' for stdout)",
            HelpName = "N FILE",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var pathsOut = new Option<string?>("--paths-out")
        {
            Description = "write every path's outputs (bad debt, fund, liquidations, per-asset drawdowns, ...) to FILE as Parquet, one row per path in path order, for pandas, polars or DuckDB (docs/research-data.md)",
            HelpName = "FILE.parquet",
        };

        var command = new Command("run", "Simulate a scenario and report the risk figures with their intervals.");
        var set = new RunOptionSet(tree, command, "a YAML or JSON scenario file (.json is read as JSON); the embedded default scenario when absent");
        tree.Examples[command] = """
              gpucascade run                                   the embedded default scenario, 20,000 paths
              gpucascade run venue.yaml --paths 200000 --json result.json
              gpucascade run venue.yaml --backend cuda:0 --seed 7 --quiet --csv result.csv
              gpucascade run venue.yaml --paths 100000000 --checkpoint night.ckpt --log night.log --json night.json
                                                               (interrupted? run the same command again to resume)
              gpucascade run scenarios/flash-crash.yaml --series fc.csv --sample-paths 20 paths.json
                                                               (quantiles and means per step; 20 trajectories for plots)
              gpucascade run venue.yaml --paths 1000000 --paths-out paths.parquet
                                                               (every path's outputs, one row per path, for pandas/polars/DuckDB)
            """;
        checkpointEvery.CustomParser = r => Parse<int?>(r, t => (int)Integer("--checkpoint-every", t, 1, 86400));
        shard.CustomParser = r => Parse<(int, int)?>(r, t =>
        {
            var parts = t.Split('/');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n)
                return (i, n);
            throw new UsageException($"--shard: expected I/N with 0 <= I < N (such as 0/4, as SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT), got {Echo.Quote(t)}");
        });
        command.Options.Add(checkpoint);
        command.Options.Add(checkpointEvery);
        command.Options.Add(shard);
        command.Options.Add(partial);
        command.Options.Add(series);
        command.Options.Add(samplePaths);
        command.Options.Add(pathsOut);
        command.Validators.Add(r =>
        {
            bool isShard = r.GetResult(shard) is not null, hasPartial = r.GetResult(partial) is not null;
            if (isShard != hasPartial) r.AddError(isShard ? "--shard needs --partial FILE (where the shard's statistics go)" : "--partial needs --shard I/N");
            if (isShard && r.GetResult(checkpoint) is not null) r.AddError("--shard and --checkpoint: a shard is rerun whole if stopped; give one of them");
            if (r.GetResult(samplePaths) is { Tokens: [var n, _] })
            {
                try
                {
                    Integer("--sample-paths", n.Value, 1, GpuCascade.Paths.SamplePaths.MaxCount);
                }
                catch (UsageException e)
                {
                    r.AddError($"{e.Message} (the number of paths comes first: --sample-paths N FILE)");
                }
            }
        });
        command.SetAction(r => run(new RunArguments(set.Read(r))
        {
            CheckpointPath = r.GetValue(checkpoint),
            CheckpointEverySeconds = r.GetValue(checkpointEvery) ?? 60,
            Shard = r.GetValue(shard),
            PartialPath = r.GetValue(partial),
            SeriesPath = r.GetValue(series),
            SamplePaths = SamplePathCount(r.GetValue(samplePaths)),
            SamplePathsFile = r.GetValue(samplePaths) is [_, var file] ? file : null,
            PathsOutPath = r.GetValue(pathsOut),
        }));
        return command;
    }

    /// <summary>N of <c>--sample-paths N FILE</c> (0 when absent); the parser has checked it.</summary>
    private static int SamplePathCount(string[]? values) =>
        values is [var n, _] ? (int)Integer("--sample-paths", n, 1, GpuCascade.Paths.SamplePaths.MaxCount) : 0;
}
