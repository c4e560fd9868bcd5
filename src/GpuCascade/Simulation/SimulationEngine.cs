using System.Diagnostics;
using GpuCascade.Backends.Managed;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Simulation;

/// <summary>Progress of a run.</summary>
/// <param name="PathsDone">Paths completed so far.</param>
/// <param name="PathsTotal">Paths requested.</param>
/// <param name="Elapsed">Time since the start of the simulation.</param>
public readonly record struct RunProgress(long PathsDone, long PathsTotal, TimeSpan Elapsed);

/// <summary>The engine's merged state: the completed segments and the segment in progress (null or empty at a boundary).</summary>
internal sealed record EngineState(RiskAccumulator Completed, RiskAccumulator? Segment);

/// <summary>Options of a run; everything is optional.</summary>
public sealed record RunOptions
{
    /// <summary>Overrides the scenario's path count.</summary>
    public long? Paths { get; init; }
    /// <summary>Overrides the scenario's seed.</summary>
    public ulong? Seed { get; init; }
    /// <summary>The device; a new <see cref="ManagedBackend"/> when null.</summary>
    public ISimulationBackend? Backend { get; init; }
    /// <summary>Paths per batch (rounded up to a multiple of <see cref="SimulationEngine.BlockSize"/>); the backend's choice when null.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Receives progress after each block of paths (from worker threads).</summary>
    public IProgress<RunProgress>? Progress { get; init; }
    /// <summary>Sees every block's per-path outputs (rows from, to of a batch whose first path is
    /// <see cref="PathOutputs.Start"/>) before they are summarised; called from worker threads, on disjoint rows.</summary>
    internal Action<PathOutputs, int, int>? PathObserver { get; init; }
    /// <summary>
    /// Sees every path the result summarises, in path order and exactly once: rows [from, to) of the batch whose first
    /// path is <see cref="PathOutputs.Start"/>, called on the thread that called
    /// <see cref="SimulationEngine.Run(Scenario, RunOptions?, CancellationToken)"/> as the blocks are merged, before the next
    /// batch reuses the arrays (copy what you keep). The values are those <see cref="SimulationEngine.SimulatePaths"/>
    /// gives for the same paths. After a cancellation only the completed prefix is shown; a resumed run (a checkpoint)
    /// shows only the paths it simulates. <c>run --paths-out</c> writes them to Parquet this way
    /// (<see cref="Reporting.PathsParquetWriter"/>).
    /// </summary>
    public Action<PathOutputs, int, int>? PathSink { get; init; }
    /// <summary>Record the outputs over time (docs/model.md section 8.5): per step and asset, quantiles of the prices and means of the
    /// rest, in <see cref="RunResult.Series"/> (<c>run --series</c>).</summary>
    public bool Series { get; init; }
    /// <summary>Keep the full records of paths 0 .. N - 1 (at most <see cref="GpuCascade.Paths.SamplePaths.MaxCount"/>) in
    /// <see cref="RunResult.SamplePaths"/> (<c>run --sample-paths</c>); 0 for none.</summary>
    public int SamplePaths { get; init; }
    /// <summary>The command line that started the run, recorded under <c>run</c> in the result.</summary>
    public string? CommandLine { get; init; }
    /// <summary>The merged accumulators of a completed prefix of this run's paths (a checkpoint): the run continues after
    /// them and ends with the result of an uninterrupted run.</summary>
    internal EngineState? Resume { get; init; }
    /// <summary>Sees the merged accumulators of the completed prefix after every batch (false) and at the end (true):
    /// where a checkpoint is written. Called on the thread that called <see cref="SimulationEngine.Run(Scenario, RunOptions?, CancellationToken)"/>.</summary>
    internal Action<EngineState, bool>? OnMerged { get; init; }
    /// <summary>Sees every segment when it is complete (a shard keeps them for the merge).</summary>
    internal Action<RiskAccumulator>? OnSegment { get; init; }
    /// <summary>Simulate only paths [FirstPath, EndPath) of the run (a shard): on segment boundaries.</summary>
    internal long FirstPath { get; init; }
    /// <inheritdoc cref="FirstPath"/>
    internal long? EndPath { get; init; }
    /// <summary>Skip the attribution's re-simulation of the tail (a shard: the merge does it over the whole run).</summary>
    internal bool SkipAttribution { get; init; }
    /// <summary>Sees the run's (or shard's) merged accumulators at the very end.</summary>
    internal Action<RiskAccumulator>? OnFinished { get; init; }
}

/// <summary>
/// The host orchestrator: splits the paths into batches, runs them on a backend, summarises fixed blocks of
/// <see cref="BlockSize"/> paths and merges them in path order (so the result is bit-identical whatever the batch
/// size or thread count), reports progress and stops cleanly on cancellation with what was computed.
/// </summary>
public static class SimulationEngine
{
    /// <summary>Paths per statistics block: a constant of the engine, not of the batch (<see cref="PathOutputs.BlockSize"/>).</summary>
    public const int BlockSize = PathOutputs.BlockSize;

    /// <summary>Paths per segment (16 blocks): blocks fold into segments, segments into the run, in path order. Shards
    /// start on segment boundaries and keep their segments' floating-point sums apart, so that their merge repeats the
    /// run's order exactly.</summary>
    public const int SegmentPaths = 16 * BlockSize;

    /// <summary>A run with engine-internal options (a shard's range and segments); the scenario's overrides are applied
    /// by the caller.</summary>
    internal static RunResult RunAccumulators(Scenario scenario, RunOptions options, CancellationToken cancellation) =>
        Run(scenario, options, cancellation);

    /// <summary>Runs a scenario and aggregates the results.</summary>
    /// <exception cref="ScenarioException">The scenario (with the overrides) is invalid.</exception>
    public static RunResult Run(Scenario scenario, RunOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new RunOptions();
        scenario = scenario with
        {
            Paths = options.Paths ?? scenario.Paths,
            Seed = options.Seed ?? scenario.Seed,
        };
        ScenarioValidator.EnsureValid(scenario);
        if (options.SamplePaths < 0 || options.SamplePaths > GpuCascade.Paths.SamplePaths.MaxCount || options.SamplePaths > scenario.Paths)
            throw new ArgumentOutOfRangeException(nameof(options), options.SamplePaths,
                $"SamplePaths must be in 0 .. {Math.Min(GpuCascade.Paths.SamplePaths.MaxCount, scenario.Paths):N0} (at most {GpuCascade.Paths.SamplePaths.MaxCount:N0} and the paths)");
        // Before the book is generated: a run that cannot fit in memory is refused now, not hours (or gigabytes) later.
        int workers = options.Backend is ManagedBackend managed ? managed.Threads : Environment.ProcessorCount;
        ResourceEstimate.For(scenario, workers, options.BatchSize ?? SimulationEngine.BlockSize * Math.Max(4, 4 * workers),
            options.Series, options.SamplePaths).EnsureFits();
        var plan = SimulationPlan.Build(scenario);
        bool ownBackend = options.Backend is null;
        var backend = options.Backend ?? new ManagedBackend();
        try
        {
            return Run(plan, backend, options, cancellation);
        }
        finally
        {
            if (ownBackend) backend.Dispose();
        }
    }

    private static RunResult Run(SimulationPlan plan, ISimulationBackend backend, RunOptions options,
        CancellationToken cancellation)
    {
        long total = plan.Scenario.Paths;
        int batch = options.BatchSize ?? backend.PreferredBatchSize(plan);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(options), batch, "BatchSize must be >= 1");
        int seriesRows = options.Series || options.SamplePaths > 0 ? plan.Steps + 1 : 0;
        if (seriesRows > 0) batch = (int)Math.Min(batch, SeriesBatchLimit(plan.AssetCount, seriesRows));
        batch = (int)Math.Min((batch + BlockSize - 1L) / BlockSize * BlockSize, (total + BlockSize - 1) / BlockSize * BlockSize);

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // Two levels: blocks fold into segments of SegmentPaths, segments fold into the result, all in path order. A
        // segment is the unit that checkpoints and shards keep apart, so every way of running gives the same bits.
        RiskAccumulator Fresh() => new(plan.AssetCount, total)
        {
            Series = options.Series ? new SeriesAccumulator(plan.AssetCount, seriesRows) : null,
            Samples = options.SamplePaths > 0 ? new GpuCascade.Paths.SamplePaths(options.SamplePaths, seriesRows, PathSeriesFields(plan)) : null,
        };
        var state = options.Resume ?? new EngineState(Fresh(), null);
        CheckResumed(state, options, seriesRows);
        var result = state.Completed;
        var segment = state.Segment ?? Fresh();
        long rangeStart = options.FirstPath, rangeEnd = options.EndPath ?? total;
        if (rangeStart % SegmentPaths != 0 || rangeEnd > total || rangeStart > rangeEnd || (rangeEnd % SegmentPaths != 0 && rangeEnd != total))
            throw new ArgumentException($"paths [{rangeStart:N0}, {rangeEnd:N0}) do not fall on segments of {SegmentPaths:N0} paths within {total:N0}", nameof(options));
        long first = rangeStart + result.Paths + segment.Paths;
        if (first > rangeEnd || (first % BlockSize != 0 && first != rangeEnd) || result.Paths % SegmentPaths != 0)
            throw new ArgumentException($"a resumed prefix of {first - rangeStart:N0} paths does not fit paths [{rangeStart:N0}, {rangeEnd:N0})", nameof(options));
        var outputs = new PathOutputs(batch, plan.AssetCount, seriesRows);
        long done = first;
        var progressLock = new object();
        bool cancelled = false;

        void CloseSegment()
        {
            result.Merge(segment);
            options.OnSegment?.Invoke(segment);
            segment = Fresh();
        }

        for (long start = first; start < rangeEnd && !cancelled; start += batch)
        {
            int count = (int)Math.Min(batch, rangeEnd - start);
            int blocks = (count + BlockSize - 1) / BlockSize;
            var summaries = new RiskAccumulator?[blocks];
            backend.Run(plan, start, count, outputs, b =>
            {
                int from = b * BlockSize, to = Math.Min(count, from + BlockSize);
                options.PathObserver?.Invoke(outputs, from, to);
                var block = new RiskAccumulator(plan.AssetCount, total);
                block.AddRows(outputs, from, to);
                block.Cohorts = outputs.BlockCohorts[b];
                outputs.BlockCohorts[b] = null; // the block's summary owns them now
                summaries[b] = block;
                long now = Interlocked.Add(ref done, to - from);
                if (options.Progress is { } progress)
                    lock (progressLock) progress.Report(new RunProgress(now - rangeStart, rangeEnd - rangeStart, clock.Elapsed));
            }, cancellation);
            // Merge in path order; after a cancellation keep only the complete prefix, so the result is the
            // exact result of a smaller run.
            for (int b = 0; b < blocks; b++)
            {
                if (summaries[b] is not { } block)
                {
                    cancelled = true;
                    break;
                }
                segment.Merge(block);
                options.PathSink?.Invoke(outputs, b * BlockSize, b * BlockSize + (int)block.Paths);
                // The records fold here, in path order: a block's summary does not carry them (their bins are large).
                segment.Series?.AddRows(outputs, b * BlockSize, b * BlockSize + (int)block.Paths);
                segment.Samples?.AddRows(outputs, b * BlockSize, b * BlockSize + (int)block.Paths);
                if ((start + (long)b * BlockSize + block.Paths) % SegmentPaths == 0) CloseSegment();
            }
            if (cancellation.IsCancellationRequested && start + batch < rangeEnd) cancelled = true;
            if (!cancelled && start + batch < rangeEnd) options.OnMerged?.Invoke(new EngineState(result, segment), false);
        }
        clock.Stop();
        options.OnMerged?.Invoke(new EngineState(result, segment), true);
        if (segment.Paths > 0)
        {
            // The last, shorter segment (or the completed prefix of one), into a fresh accumulator: the state just shown
            // stays as it was (merging into an empty accumulator copies exactly).
            var final = Fresh();
            final.Merge(result);
            result = final;
            CloseSegment();
        }
        options.OnFinished?.Invoke(result);
        long expected = rangeEnd - rangeStart;
        var attribution = options.SkipAttribution ? [] : CohortAttributionBuilder.Build(plan, result);
        return ResultBuilder.Build(plan, result, backend, new RunInfo(
            backend.Description,
            clock.Elapsed.TotalSeconds,
            (rangeStart + result.Paths - first) * (double)plan.Steps / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
            result.Paths < expected, // a run whose paths all finished is complete, whenever the request to stop came
            started,
            Environment.MachineName,
            EngineInfo.Version) { CommandLine = options.CommandLine, ResumedPaths = first - rangeStart }, attribution);
    }

    /// <summary>Host memory the records of a batch may take (the backend's block and the outputs, each).</summary>
    public const long SeriesBatchBytes = 128L << 20;

    /// <summary>Paths per batch when each path records <paramref name="rows"/> rows: <see cref="SeriesBatchBytes"/> of records,
    /// in whole blocks, at least one.</summary>
    internal static long SeriesBatchLimit(int assets, int rows)
    {
        long perPath = 8L * rows * Kernels.PathSeries.Fields(assets);
        return Math.Max(1, SeriesBatchBytes / perPath / BlockSize) * BlockSize;
    }

    private static int PathSeriesFields(SimulationPlan plan) => Kernels.PathSeries.Fields(plan.AssetCount);

    /// <summary>A resumed prefix must have recorded what this run records.</summary>
    private static void CheckResumed(EngineState state, RunOptions options, int rows)
    {
        foreach (var acc in new[] { state.Completed, state.Segment })
        {
            if (acc is null) continue;
            if (options.Series != acc.Series is not null || (acc.Series is { } s && s.Rows != rows))
                throw new CheckpointException(options.Series
                    ? "the checkpoint was written without --series; rerun without it, or delete the checkpoint to start afresh"
                    : "the checkpoint was written with --series; rerun with it, or delete the checkpoint to start afresh");
            if (options.SamplePaths != (acc.Samples?.Count ?? 0) || (acc.Samples is { } p && p.Rows != rows))
                throw new CheckpointException(
                    $"the checkpoint keeps {acc.Samples?.Count ?? 0} sample paths, this run asks for {options.SamplePaths}; rerun with " +
                    "the same --sample-paths, or delete the checkpoint to start afresh");
        }
    }

    /// <summary>
    /// Simulates paths [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) and returns their
    /// per-path outputs (research use, parity tests). The scenario's path count is ignored.
    /// </summary>
    public static PathOutputs SimulatePaths(Scenario scenario, long start, int count, ISimulationBackend? backend = null)
    {
        var plan = SimulationPlan.Build(scenario);
        var outputs = new PathOutputs(count, plan.AssetCount);
        bool own = backend is null;
        backend ??= new ManagedBackend();
        try
        {
            backend.Run(plan, start, count, outputs, null, CancellationToken.None);
        }
        finally
        {
            if (own) backend.Dispose();
        }
        return outputs;
    }
}
