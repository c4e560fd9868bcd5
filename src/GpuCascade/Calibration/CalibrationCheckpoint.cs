using System.Text.Json;
using GpuCascade.Operations;
using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Calibration;

/// <summary>
/// Every finished candidate of a calibration, in a JSON file rewritten atomically (a temporary file in the same
/// directory, flushed to disk, then renamed over the old one) after each candidate, so an interrupted calibration
/// loses at most the candidate it was running. A restart with the same arguments (same fingerprint) takes the saved
/// candidates instead of running them; their figures round-trip exactly, so the result is identical.
/// </summary>
internal sealed class CalibrationCheckpoint
{
    private const string Format = "gpucascade-calibration-checkpoint/1";
    private readonly string _path;
    private readonly string _fingerprint;
    private readonly List<CalibrationCandidate> _candidates = [];

    private CalibrationCheckpoint(string path, string fingerprint)
    {
        _path = path;
        _fingerprint = fingerprint;
    }

    /// <summary>Opens a checkpoint: an absent file starts empty; a file for other arguments is refused.</summary>
    public static CalibrationCheckpoint Open(string path, string fingerprint)
    {
        var checkpoint = new CalibrationCheckpoint(path, fingerprint);
        if (!File.Exists(path))
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null && !Directory.Exists(directory))
                throw new CheckpointException($"--checkpoint {path}: the directory {directory} does not exist");
            return checkpoint;
        }
        try
        {
            string text;
            try
            {
                text = Operations.InputFile.ReadText(path, "checkpoint", Operations.InputFile.MaxJsonBytes);
            }
            catch (Operations.InputFileException e)
            {
                throw new CheckpointException($"--checkpoint {e.Message}");
            }
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != Format)
                throw new CheckpointException($"--checkpoint {path}: not a calibration checkpoint ({Format})");
            if (root.GetProperty("fingerprint").GetString() != fingerprint)
                throw new CheckpointException($"--checkpoint {path}: written by a calibration with other arguments, scenario, " +
                                              "backend or engine version; delete it or give another file");
            foreach (var c in root.GetProperty("candidates").EnumerateArray()) checkpoint._candidates.Add(Read(c));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CheckpointException($"--checkpoint {path}: unreadable ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"--checkpoint {path}: cannot read it ({e.Message})");
        }
        return checkpoint;
    }

    public CalibrationCandidate? Find(string regime, double value, ulong seed) =>
        _candidates.FirstOrDefault(c => c.Regime == regime && c.Value == value && c.Seed == seed);

    /// <summary>Adds a candidate and rewrites the file atomically.</summary>
    public void Add(CalibrationCandidate candidate)
    {
        _candidates.Add(candidate);
        AtomicFile.Write(_path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("fingerprint", _fingerprint);
            w.WriteStartArray("candidates");
            foreach (var c in _candidates) Write(w, c);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void Write(Utf8JsonWriter w, CalibrationCandidate c)
    {
        w.WriteStartObject();
        w.WriteString("regime", c.Regime);
        Number(w, "value", c.Value);
        w.WriteNumber("seed", c.Seed);
        w.WriteNumber("paths", c.Paths);
        Number(w, "insuranceFund", c.InsuranceFund);
        Number(w, "deleveragedNotional", c.DeleveragedNotional);
        Number(w, "openingRoundNotional", c.OpeningRoundNotional);
        w.WriteStartObject("figures");
        foreach (var (name, f) in c.Figures)
        {
            w.WriteStartObject(name);
            Number(w, "estimate", f.Estimate);
            Nullable(w, "lower", f.Lower);
            Nullable(w, "upper", f.Upper);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartArray("pricing");
        foreach (var p in c.Pricing) CalibrationJsonFields.Pricing(w, p, withRegime: false); // finite: notional > 0 in every row
        w.WriteEndArray();
        JsonFields.Strings(w, "warnings", c.Warnings);
        w.WriteEndObject();
    }

    private static CalibrationCandidate Read(JsonElement e)
    {
        string regime = e.GetProperty("regime").GetString()!;
        var figures = e.GetProperty("figures").EnumerateObject()
            .Select(f => new KeyValuePair<string, Figure>(f.Name, new Figure(
                Number(f.Value.GetProperty("estimate")), Nullable(f.Value.GetProperty("lower")), Nullable(f.Value.GetProperty("upper")))))
            .ToList();
        var pricing = e.GetProperty("pricing").EnumerateArray().Select(p => new PricingRow(regime, p.GetProperty("bucket").GetString()!,
            p.GetProperty("cohorts").GetInt32(), Number(p.GetProperty("notional")), Number(p.GetProperty("expectedBadDebt")),
            Number(p.GetProperty("feeBp")))).ToList();
        return new CalibrationCandidate(regime, Number(e.GetProperty("value")), e.GetProperty("seed").GetUInt64(),
            e.GetProperty("paths").GetInt64(), figures, Number(e.GetProperty("insuranceFund")), Number(e.GetProperty("deleveragedNotional")),
            Number(e.GetProperty("openingRoundNotional")),
            pricing, e.GetProperty("warnings").EnumerateArray().Select(s => s.GetString()!).ToList());
    }

    // NaN and infinities are not JSON numbers: written as strings, read back exactly.
    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteString(name, v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? v)
    {
        if (v is double x) Number(w, name, x);
        else w.WriteNull(name);
    }

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : e.GetDouble();

    private static double? Nullable(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Number(e);
}
