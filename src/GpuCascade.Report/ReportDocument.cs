using System.Text.Json;

namespace GpuCascade.Report;

/// <summary>What a document is, told from its fields.</summary>
internal enum DocumentKind
{
    /// <summary><c>run --json</c> (or <c>merge --json</c>).</summary>
    Run,
    /// <summary><c>calibrate --json</c>.</summary>
    Calibration,
    /// <summary><c>compare --json</c>.</summary>
    Comparison,
    /// <summary><c>run --series FILE.json</c>.</summary>
    Series,
    /// <summary><c>backtest --json</c>.</summary>
    Backtest,
    /// <summary><c>fit --json</c>.</summary>
    Fit,
    /// <summary><c>book --json</c>.</summary>
    BookData,
}

/// <summary>A parsed input: its kind, its root and its number in the report (<c>data-doc</c>).</summary>
internal sealed class ReportDocument : IDisposable
{
    private readonly JsonDocument _json;

    private ReportDocument(JsonDocument json, DocumentKind kind, string source, int index)
    {
        _json = json;
        Kind = kind;
        Source = source;
        Index = index;
        Root = Field.Root(json, source, index);
    }

    public DocumentKind Kind { get; }
    public string Source { get; }
    public int Index { get; }
    public Field Root { get; }

    /// <summary>Which fields tell each kind (all must be present).</summary>
    private static readonly (DocumentKind Kind, string[] Fields, string Writer)[] Signatures =
    [
        (DocumentKind.Run, ["paths", "probabilities", "badDebt"], "gpucascade run --json"),
        (DocumentKind.Calibration, ["key", "curve", "targets"], "gpucascade calibrate --json"),
        (DocumentKind.Comparison, ["axes", "variants"], "gpucascade compare --json"),
        (DocumentKind.Series, ["stepHours", "time", "assets"], "gpucascade run --series FILE.json"),
        (DocumentKind.Backtest, ["rule", "confidence", "horizonDays", "variants", "moves"], "gpucascade backtest --json"),
        (DocumentKind.Fit, ["interval", "assets", "garch", "dof", "jumps", "correlation"], "gpucascade fit --json"),
        (DocumentKind.BookData, ["positioning", "ladder"], "gpucascade book --json"),
    ];

    public static string Describe(DocumentKind kind) => kind switch
    {
        DocumentKind.Run => "a run result",
        DocumentKind.Calibration => "a calibration result",
        DocumentKind.Comparison => "a comparison result",
        DocumentKind.Backtest => "a margin backtest",
        DocumentKind.Fit => "a market fit",
        DocumentKind.BookData => "a book from data",
        _ => "a series",
    };

    /// <summary>Parses <paramref name="input"/> and tells its kind; a <see cref="ReportException"/> names the file and what
    /// it lacks when it is none of them.</summary>
    public static ReportDocument Open(ReportInput input, int index)
    {
        var json = input.Parse();
        try
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ReportException($"{input.Source}: expected a JSON object (a GpuCascade result), got {(root.ValueKind == JsonValueKind.Array ? "an array" : "a " + root.ValueKind.ToString().ToLowerInvariant())}");
            foreach (var (kind, fields, _) in Signatures)
                if (fields.All(f => root.TryGetProperty(f, out _)))
                    return new ReportDocument(json, kind, input.Source, index);
            // The nearest kind: the one with the most of its fields present.
            var best = Signatures.MaxBy(s => s.Fields.Count(f => root.TryGetProperty(f, out _)));
            int present = best.Fields.Count(f => root.TryGetProperty(f, out _));
            string expected = string.Join("; ", Signatures.Select(s => $"{s.Writer}: {string.Join(", ", s.Fields)}"));
            throw new ReportException(present == 0
                ? $"{input.Source}: not a GpuCascade result: none of the expected fields ({expected})"
                : $"{input.Source}: looks like {Describe(best.Kind)} ({best.Writer}) but lacks {string.Join(", ", best.Fields.Where(f => !root.TryGetProperty(f, out _)))}");
        }
        catch
        {
            json.Dispose();
            throw;
        }
    }

    public void Dispose() => _json.Dispose();
}
