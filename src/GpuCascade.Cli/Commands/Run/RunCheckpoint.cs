using System.Diagnostics;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Run;

/// <summary>
/// <c>run --checkpoint FILE</c>: the merged statistics of the completed prefix of paths, saved atomically every so many
/// seconds, at the end and on a signal (the engine's last call). A rerun of the same command resumes after the prefix;
/// the file must match the scenario as run (its SHA-256: file, --paths, --seed), the engine build and the backend, or the
/// rerun is refused naming what differs. A complete run's checkpoint is kept: rerunning just reports the result.
/// </summary>
internal sealed class RunCheckpoint(string path, Scenarios.Scenario asRun, string backend, TimeSpan every)
{
    private readonly string _sha = ScenarioJson.Sha256(asRun);
    private readonly string _json = ScenarioJson.Canonical(asRun);
    private readonly Stopwatch _sinceSave = Stopwatch.StartNew();

    /// <summary>The saved prefix, or null when there is no file yet.</summary>
    /// <exception cref="CheckpointException">The file does not match this run, or is corrupt.</exception>
    public EngineState? Load()
    {
        if (!File.Exists(path)) return null;
        var (header, _, accumulators) = AccumulatorFile.Read(path, _ => asRun.Assets.Length, "checkpoint");
        string Refuse(string what) => $"--checkpoint {path}: {what}; delete it to start afresh, or give another file";
        if (header.Kind != "checkpoint") throw new CheckpointException(Refuse($"a {header.Kind} file, not a run's checkpoint"));
        if (header.ScenarioSha256 != _sha)
            throw new CheckpointException(Refuse($"written for another scenario as run (sha256 {header.ScenarioSha256[..12]}..., this run " +
                                                 $"{_sha[..12]}...: the scenario file, --paths or --seed differ)"));
        if (header.EngineBuild != EngineInfo.BuildId) throw new CheckpointException(Refuse("written by another build of the engine"));
        if (header.Backend != backend)
            throw new CheckpointException(Refuse($"written on backend {header.Backend}, this run uses {backend} (rerun with --backend {header.Backend})"));
        if (accumulators.Count != 2 || accumulators[0].Paths + accumulators[1].Paths != header.EndPath)
            throw new CheckpointException(Refuse("its content does not match its header"));
        return new EngineState(accumulators[0], accumulators[1]);
    }

    /// <summary>The engine's call after each batch (saved every <c>every</c>) and at the end (always saved).</summary>
    public void Save(EngineState prefix, bool final)
    {
        if (!final && _sinceSave.Elapsed < every) return;
        var segment = prefix.Segment ?? new RiskAccumulator(asRun.Assets.Length, asRun.Paths);
        AccumulatorFile.Write(path, new AccumulatorHeader("checkpoint", _sha, EngineInfo.BuildId, backend, asRun.Paths, 0,
            prefix.Completed.Paths + segment.Paths), _json, [prefix.Completed, segment]);
        _sinceSave.Restart();
    }
}
