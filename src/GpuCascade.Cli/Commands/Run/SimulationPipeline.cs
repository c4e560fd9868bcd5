using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Run;

/// <summary>
/// What run and a shard share in the run pipeline: their outputs, the scenario as run (the file with <c>--paths</c> and
/// <c>--seed</c>) with <c>--sample-paths</c> checked against its paths, the manifest of <c>--log</c>, and
/// <c>--paths-out</c>.
/// </summary>
internal abstract class SimulationPipeline<TResult> : RunPipeline<Scenarios.Scenario, TResult>
{
    protected SimulationPipeline(RunArguments arguments, CommandContext context) : base(arguments, context) => A = arguments;

    protected RunArguments A { get; }

    /// <summary>The scenario as run: the file's, with <c>--paths</c> and <c>--seed</c>.</summary>
    protected Scenarios.Scenario AsRun { get; private set; } = null!;

    protected override IEnumerable<(string Option, string? Path)> Outputs =>
    [
        ("--json", A.JsonPath), ("--csv", A.CsvPath), ("--log", A.LogPath), ("--checkpoint", A.CheckpointPath), ("--partial", A.PartialPath),
        ("--series", A.SeriesPath), ("--sample-paths", A.SamplePathsFile), ("--report", A.ReportPath), ("--paths-out", A.PathsOutPath),
    ];

    protected override bool WritesToStdout => A.JsonPath == "-" || A.CsvPath == "-" || A.SeriesPath == "-" || A.SamplePathsFile == "-";

    protected override void Check() => PathsOut.Check(A);

    protected override Scenarios.Scenario Load(string? path)
    {
        var scenario = path is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(path);
        AsRun = scenario with { Paths = A.Paths ?? scenario.Paths, Seed = A.Seed ?? scenario.Seed };
        // --sample-paths N keeps paths 0 .. N - 1: N cannot exceed the run's paths (the scenario's, or --paths).
        long paths = AsRun.Paths;
        if (A.SamplePaths > paths)
            throw new UsageException($"--sample-paths: {A.SamplePaths:N0} sample paths asked for, but the run has {paths:N0} path{(paths == 1 ? "" : "s")}; " +
                                     $"give at most {paths:N0} (or more paths with --paths)");
        return scenario;
    }

    protected override Precision PrecisionOf(Scenarios.Scenario scenario) => scenario.Precision;

    /// <summary>The scenario as run and its SHA-256, the backend, the memory estimate.</summary>
    protected override IEnumerable<string> Manifest(Scenarios.Scenario scenario, ISimulationBackend backend)
    {
        yield return $"scenario: {A.ScenarioPath ?? "the embedded default"}, sha256 {ScenarioJson.Sha256(AsRun)}, {AsRun.Paths:N0} paths x {AsRun.Steps:N0} steps, seed {AsRun.Seed}";
        yield return $"backend: {backend.Description}";
        int workers = backend is Backends.Managed.ManagedBackend m ? m.Threads : Environment.ProcessorCount;
        yield return $"memory estimate: {ResourceEstimate.For(AsRun, workers, SimulationEngine.BlockSize * Math.Max(4, 4 * workers), A.SeriesPath is not null, A.SamplePaths)}";
    }

    /// <summary>The options of the engine's run, the same for a whole run and a shard.</summary>
    protected RunOptions Options(ISimulationBackend backend, CommandProgress progress, PathsParquetWriter? pathsOut) => new()
    {
        Paths = A.Paths,
        Seed = A.Seed,
        Backend = backend,
        Progress = progress.Progress,
        CommandLine = A.CommandLine,
        Series = A.SeriesPath is not null,
        SamplePaths = A.SamplePaths,
        PathSink = PathsOut.Sink(pathsOut, A.PathsOutPath),
    };

    /// <summary>The <c>--paths-out</c> file, disposed with the pipeline; null when it was not asked for.</summary>
    protected PathsParquetWriter? OpenPathsOut(ISimulationBackend backend) => Own(PathsOut.Open(A, AsRun, backend.Name));

    /// <summary>The <c>--series</c> and <c>--sample-paths</c> files of <paramref name="result"/>, then <c>--paths-out</c> completed.</summary>
    protected void WriteSeriesAndPaths(RunResult result, PathsParquetWriter? pathsOut, List<string> failures)
    {
        failures.AddRange(ResultOutputs.WriteSeries(Context.Stdout, result, A.SeriesPath, A.SamplePathsFile));
        PathsOut.Commit(pathsOut, A.PathsOutPath, failures);
    }
}
