using GpuCascade.Paths;
using GpuCascade.Report;
using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Run;

/// <summary>
/// <c>gpucascade run</c>: <see cref="SimulationEngine.Run"/> in the run pipeline, resumed from and saved to
/// <c>--checkpoint</c>, writing the result's files, the report and the summary table. With <c>--shard I/N</c> the
/// command is a shard's (<see cref="ShardCommand"/>).
/// </summary>
internal sealed class RunCommand : SimulationPipeline<RunResult>
{
    private PathsParquetWriter? _pathsOut;

    private RunCommand(RunArguments a, CommandContext context) : base(a, context) { }

    /// <summary>The handler of <c>gpucascade run</c>.</summary>
    public static int Run(RunArguments a, CommandContext context) =>
        a.Shard is { } shard ? new ShardCommand(a, shard, context).Execute() : new RunCommand(a, context).Execute();

    protected override void Check()
    {
        base.Check();
        if (A.CheckpointPath == "-") throw new UsageException("--checkpoint: needs a file, not stdout");
    }

    protected override RunResult Compute(Scenarios.Scenario scenario, ISimulationBackend backend, CommandProgress progress)
    {
        var checkpoint = A.CheckpointPath is null ? null : new RunCheckpoint(A.CheckpointPath, AsRun, backend.Name, TimeSpan.FromSeconds(A.CheckpointEverySeconds));
        var resume = checkpoint?.Load();
        if (resume is not null)
            progress.Line($"resuming from {resume.Completed.Paths + (resume.Segment?.Paths ?? 0):N0} of {AsRun.Paths:N0} paths (checkpoint {A.CheckpointPath})");
        _pathsOut = OpenPathsOut(backend);
        return SimulationEngine.Run(scenario, Options(backend, progress, _pathsOut) with
        {
            Resume = resume,
            OnMerged = checkpoint is null ? null : checkpoint.Save,
        }, Context.Cancellation);
    }

    protected override IEnumerable<string> Messages(RunResult result) => result.Warnings.Select(w => $"warning: {w}");

    protected override IEnumerable<(string Option, string? Path, Func<string> Text)> Files(RunResult result) =>
        ResultOutputs.Files(result, A.JsonPath, A.CsvPath);

    protected override void WriteMore(RunResult result, List<string> failures) => WriteSeriesAndPaths(result, _pathsOut, failures);

    /// <summary>The report of the result and, with <c>--series</c>, of its outputs over time.</summary>
    protected override (Func<ReportInput> Result, Func<ReportInput>? Series)? ReportOf(RunResult result) =>
        (() => ReportInput.From(result, A.JsonPath is { } json && json != "-" ? json : A.ScenarioPath ?? "the embedded default scenario"),
            result.Series is { } s ? () => ReportInput.From(s, A.SeriesPath is { } path && path != "-" ? path : "series") : null);

    protected override void WriteSummary(RunResult result, TextWriter stdout) => stdout.Write(SummaryTable.Format(result));

    protected override int ExitCode(RunResult result) => result.Run.Cancelled ? ExitCodes.Cancelled : ExitCodes.Ok;

    protected override string Finished(RunResult result, IReadOnlyList<string> failures, int code) =>
        $"finished: {result.Paths:N0} of {result.RequestedPaths:N0} paths in {result.Run.ElapsedSeconds:0.0} s" +
        $"{(result.Run.Cancelled ? " (stopped)" : "")}; outputs {(failures.Count == 0 ? "written" : "FAILED: " + string.Join("; ", failures))}; exit {code}";
}
