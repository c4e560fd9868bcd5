using System.Security.Cryptography;
using System.Text;
using GpuCascade.Paths;

namespace GpuCascade.Simulation;

/// <summary>What an accumulator file holds besides the accumulators.</summary>
/// <param name="Kind">"checkpoint" (the completed prefix of a run: the completed segments and the one in progress) or
/// "partial" (a shard: its total, then each of its segments).</param>
/// <param name="ScenarioSha256">SHA-256 of the scenario as run (canonical JSON).</param>
/// <param name="EngineBuild">The engine build that wrote it (<see cref="Operations.EngineInfo.BuildId"/>).</param>
/// <param name="Backend">The backend's name.</param>
/// <param name="TotalPaths">Paths of the whole run.</param>
/// <param name="FirstPath">First path summarised.</param>
/// <param name="EndPath">One past the last path summarised.</param>
/// <param name="ScenarioDirectory">Where the files the scenario names (a history's prices) were found: its folder, or null
/// for the current directory.</param>
internal sealed record AccumulatorHeader(string Kind, string ScenarioSha256, string EngineBuild, string Backend, long TotalPaths,
    long FirstPath, long EndPath, string? ScenarioDirectory = null);

/// <summary>
/// The merged accumulators of a range of paths in a versioned binary file: a magic line, the format version, the
/// header, the scenario as run (canonical JSON), every figure exactly (doubles bit for bit), and a SHA-256 of all of it.
/// Written atomically (temporary file, flush to disk, rename). A truncated, corrupt, foreign or newer file is refused
/// with a message that says which.
/// </summary>
internal static class AccumulatorFile
{
    private const string Magic = "GpuCascade accumulators";
    /// <summary>2: the depth factor's moments and histograms; 3: auto-deleveraging's; 4: the liquidation queue's; 5: the
    /// outputs over time and the sample paths; 6: the figures row by row in the output schema's order
    /// (<see cref="OutputSchema"/>), after the schema's fingerprint. A file of another version, or of another schema, is
    /// refused, naming both; 7: the scenario's folder, where a history's price files are found again.</summary>
    public const int FormatVersion = 7;

    /// <summary>Writes the file; <paramref name="withTails"/> says which accumulators keep their exact tails (the others,
    /// a shard's segments, are only needed for their moments).</summary>
    public static void Write(string path, AccumulatorHeader header, string scenarioJson, IReadOnlyList<RiskAccumulator> accumulators,
        Func<int, bool>? withTails = null) =>
        Write(path, header, scenarioJson, accumulators.Count, w =>
        {
            for (int k = 0; k < accumulators.Count; k++) accumulators[k].WriteTo(w, withTails?.Invoke(k) ?? true);
        });

    /// <summary>Writes the file with <paramref name="count"/> accumulators written by <paramref name="writeAccumulators"/>
    /// (a shard's segments arrive already serialised, without tails, to keep its memory small).</summary>
    public static void Write(string path, AccumulatorHeader header, string scenarioJson, int count, Action<BinaryWriter> writeAccumulators)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(OutputSchema.Fingerprint);
            w.Write(header.Kind);
            w.Write(header.ScenarioSha256);
            w.Write(header.EngineBuild);
            w.Write(header.Backend);
            w.Write(header.TotalPaths);
            w.Write(header.FirstPath);
            w.Write(header.EndPath);
            w.Write(header.ScenarioDirectory ?? "");
            w.Write(scenarioJson);
            w.Write(count);
            writeAccumulators(w);
        }
        byte[] bytes = body.ToArray();
        byte[] checksum = SHA256.HashData(bytes);
        Operations.AtomicFile.Write(path, stream =>
        {
            stream.Write(bytes);
            stream.Write(checksum);
        });
    }

    /// <summary>Reads a file; <paramref name="assets"/> is the scenario's asset count (from its JSON, checked here).</summary>
    /// <exception cref="CheckpointException">Missing, truncated, corrupt, not ours, or of another format version.</exception>
    public static (AccumulatorHeader Header, string ScenarioJson, List<RiskAccumulator> Accumulators) Read(string path, Func<string, int> assets,
        string what = "accumulator file")
    {
        byte[] bytes;
        try
        {
            bytes = Operations.InputFile.ReadBytes(path, what, Operations.InputFile.MaxAccumulatorBytes);
        }
        catch (Operations.InputFileException e)
        {
            throw new CheckpointException(e.Message);
        }
        if (bytes.Length < 32 + Magic.Length)
            throw new CheckpointException($"{path}: truncated ({bytes.Length} bytes), not a complete GpuCascade accumulator file");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            if (r.ReadString() != Magic) throw new CheckpointException($"{path}: not a GpuCascade accumulator file");
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new CheckpointException(version < FormatVersion
                    ? $"{path}: format version {version}, written by an earlier engine; this engine reads version {FormatVersion} only: " +
                      "rerun the shard or the run with this engine (the results are the same)"
                    : $"{path}: format version {version}, written by a newer engine; this engine reads version {FormatVersion}");
            string schema = r.ReadString();
            if (schema != OutputSchema.Fingerprint)
                throw new CheckpointException($"{path}: written by a build with other outputs (output schema {Operations.Echo.Quote(schema)}, this " +
                                              $"build's is {OutputSchema.Fingerprint}); rerun the shard or the run with this engine");
            if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(body.Length)))
                throw new CheckpointException($"{path}: corrupt or truncated (its checksum does not match its content)");
            var header = new AccumulatorHeader(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt64(),
                r.ReadInt64(), r.ReadString() is { Length: > 0 } directory ? directory : null);
            string json = r.ReadString();
            int count = r.ReadInt32();
            if (count < 1 || count > 1 << 24) throw new InvalidDataException($"{count} accumulators");
            int assetCount = assets(json);
            var accumulators = new List<RiskAccumulator>(count);
            for (int k = 0; k < count; k++) accumulators.Add(RiskAccumulator.ReadFrom(r, assetCount, header.TotalPaths));
            return (header, json, accumulators);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or FormatException)
        {
            throw new CheckpointException($"{path}: corrupt or truncated ({e.Message})");
        }
    }
}
