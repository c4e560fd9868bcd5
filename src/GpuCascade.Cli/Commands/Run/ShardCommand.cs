using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Run;

/// <summary>What a shard's run left: whether its partial file was written (not when it was stopped before its paths
/// were done) and the shard's own result (its series and sample paths).</summary>
internal sealed record ShardOutcome(bool Written, RunResult? Result);

/// <summary>
/// <c>gpucascade run --shard I/N --partial FILE</c>: <see cref="Shards.RunShard"/> in the run pipeline. The shard writes
/// its partial file (for <c>gpucascade merge</c>) and its own series, sample paths and <c>--paths-out</c> rows; it has no
/// result of its own to report, and a stopped shard writes nothing (it is rerun whole).
/// </summary>
internal sealed class ShardCommand : SimulationPipeline<ShardOutcome>
{
    private readonly (int Index, int Count) _shard;
    private (long First, long End) _range;
    private PathsParquetWriter? _pathsOut;

    public ShardCommand(RunArguments a, (int Index, int Count) shard, CommandContext context) : base(a, context) => _shard = shard;

    protected override void Check()
    {
        base.Check();
        if (A.PartialPath == "-") throw new UsageException("--partial: needs a file, not stdout");
        if (A.ReportPath is not null || A.PlotsDirectory is not null)
            throw new UsageException($"{(A.ReportPath is not null ? "--report" : "--plots")}: a shard has no result of its own; report on the merged one ('gpucascade merge --json FILE', then 'gpucascade report FILE')");
        if (A.JsonPath is not null || A.CsvPath is not null)
            throw new UsageException("--shard writes only its --partial file; 'gpucascade merge' writes --json and --csv");
    }

    protected override Scenarios.Scenario Load(string? path)
    {
        var scenario = base.Load(path);
        try
        {
            _range = Shards.Range(AsRun.Paths, _shard.Index, _shard.Count);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--shard: {e.Message}");
        }
        return scenario;
    }

    protected override IEnumerable<string> Manifest(Scenarios.Scenario scenario, ISimulationBackend backend) =>
        base.Manifest(scenario, backend).Append($"shard {_shard.Index}/{_shard.Count}: paths [{_range.First:N0}, {_range.End:N0}) of {AsRun.Paths:N0}");

    protected override ShardOutcome Compute(Scenarios.Scenario scenario, ISimulationBackend backend, CommandProgress progress)
    {
        _pathsOut = OpenPathsOut(backend);
        RunResult? result = null;
        var written = Shards.RunShard(scenario, _shard.Index, _shard.Count, A.PartialPath!, Options(backend, progress, _pathsOut),
            Context.Cancellation, r => result = r);
        return new ShardOutcome(written is not null, result);
    }

    protected override IEnumerable<string> Messages(ShardOutcome outcome) => outcome.Written
        ? []
        : [$"shard {_shard.Index}/{_shard.Count} stopped before its paths were done: nothing written; run it again"];

    /// <summary>The shard's own series and sample paths (the partial file keeps them for merge --series / --sample-paths),
    /// and its --paths-out rows (the shard's paths only: read the shards' files together).</summary>
    protected override void WriteMore(ShardOutcome outcome, List<string> failures)
    {
        if (outcome.Written) WriteSeriesAndPaths(outcome.Result!, _pathsOut, failures);
    }

    protected override void WriteSummary(ShardOutcome outcome, TextWriter stdout)
    {
        if (outcome.Written)
            stdout.WriteLine($"shard {_shard.Index}/{_shard.Count}: paths [{_range.First:N0}, {_range.End:N0}) of {AsRun.Paths:N0} written to {A.PartialPath}");
    }

    protected override int ExitCode(ShardOutcome outcome) => outcome.Written ? ExitCodes.Ok : ExitCodes.Cancelled;

    protected override string? Finished(ShardOutcome outcome, IReadOnlyList<string> failures, int code) =>
        outcome.Written ? $"finished: shard written to {A.PartialPath}; exit {code}" : null;
}
