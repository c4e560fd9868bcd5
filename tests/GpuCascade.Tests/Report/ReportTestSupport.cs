using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuCascade.Calibration;
using GpuCascade.Report;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Report;

/// <summary>Small results made once per test run (a few thousand paths) and the checks the report tests share.</summary>
internal static partial class ReportTestSupport
{
    private static readonly Lazy<(string Run, string Series)> RunDocuments = new(() =>
    {
        var result = SimulationEngine.Run(ScenarioLoader.LoadDefault(), new RunOptions { Paths = 2048, Series = true });
        return (ResultJson.Serialize(result), SeriesFiles.SeriesJson(result.Series!));
    });

    /// <summary>A small run of an example scenario (scenarios/NAME.yaml).</summary>
    private static Lazy<string> ExampleRun(string name, int paths) => new(() => ResultJson.Serialize(SimulationEngine.Run(
        ScenarioLoader.LoadFile(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", name + ".yaml")), new RunOptions { Paths = paths })));

    private static readonly Lazy<string> TwoVenuesDocument = ExampleRun("two-venues", 256);
    private static readonly Lazy<string> FrontRunnerDocument = ExampleRun("front-runner", 256);

    private static readonly Lazy<string> CalibrationDocument = new(() => CalibrationReport.Json(Calibrator.Run(
        ScenarioDocument.FromYaml(Calibration.CalibrationScenarios.SingleLong(2048)),
        new CalibrationOptions
        {
            Key = "venue.maintenanceMargin", Low = 0.02, High = 0.25, Grid = 3, Resolution = 0.02, Paths = 2048, Prefer = Preference.High,
            Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=0.05")],
        })));

    private static readonly Lazy<string> ComparisonDocument = new(() => ComparisonReport.Json(Comparison.Run(ScenarioDocument.Default,
        [new VaryAxis("venue.maintenanceMargin.ETH", [0.005, 0.02])], new ComparisonOptions { Paths = 1024 })));

    private static readonly Lazy<string> BacktestDocument = new(() =>
        GpuCascade.MarketData.BacktestJson.Serialize(GpuCascade.MarketData.MarginBacktest.Run(
            GpuCascade.Prices.PriceFile.Parse(PriceCsv(), "prices.csv", "BTC"), new GpuCascade.MarketData.EwmaMargin())));

    /// <summary>A daily price file of 400 days from 2023-01-01: moves of up to 1.5% a day and every 97th day a fall of 15%
    /// or a rise of 18%, which an EWMA margin does not foresee (exceedances on both sides).</summary>
    public static string PriceCsv()
    {
        var rng = new Random(3);
        var start = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
        double price = 100;
        var lines = new StringBuilder("date,close\n");
        for (int d = 0; d < 400; d++)
        {
            price *= d % 97 == 60 ? (d % 2 == 0 ? 0.85 : 1.18) : Math.Exp(0.03 * (rng.NextDouble() - 0.5));
            lines.Append(CultureInfo.InvariantCulture, $"{start.AddDays(d):yyyy-MM-dd},{price:R}\n");
        }
        return lines.ToString();
    }

    /// <summary><c>backtest --json</c> of <see cref="PriceCsv"/> under the EWMA rule at 99% over 2 days.</summary>
    public static string BacktestJson => BacktestDocument.Value;

    /// <summary><c>run --json</c> of the default scenario, 2,048 paths.</summary>
    public static string RunJson => RunDocuments.Value.Run;
    /// <summary>Its <c>--series FILE.json</c>.</summary>
    public static string SeriesJson => RunDocuments.Value.Series;
    /// <summary><c>run --json</c> of scenarios/two-venues.yaml (venues cex and dex, arbitrageurs), 256 paths.</summary>
    public static string TwoVenuesJson => TwoVenuesDocument.Value;
    /// <summary><c>run --json</c> of scenarios/front-runner.yaml (a front-runner that sees the book), 256 paths.</summary>
    public static string FrontRunnerJson => FrontRunnerDocument.Value;
    /// <summary><c>calibrate --json</c>: the single long's maintenance margin for P(liquidation) &lt;= 5%.</summary>
    public static string CalibrationJson => CalibrationDocument.Value;
    /// <summary><c>compare --json</c>: ETH's maintenance margin at 0.5% and 2%.</summary>
    public static string ComparisonJson => ComparisonDocument.Value;

    /// <summary>The value at a JSON Pointer (RFC 6901), or null when there is none.</summary>
    public static JsonElement? Resolve(JsonElement root, string pointer)
    {
        if (pointer.Length == 0) return root;
        var node = root;
        foreach (string raw in pointer[1..].Split('/'))
        {
            string name = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var child)) node = child;
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < node.GetArrayLength()) node = node[i];
            else return null;
        }
        return node;
    }

    /// <summary>One value shown in the report: its document, pointer, exact value (absent for text and n/a), text and
    /// what the text shows of the value (<c>data-shown</c>: null for the value itself, "change" for value - 1, a relative
    /// price shown as its change from the start).</summary>
    public readonly record struct Shown(int Doc, string Pointer, string? Value, string Text, string? As = null);

    /// <summary>Every element of <paramref name="html"/> that carries a JSON pointer (the same as the browser test reads
    /// through the DOM; the report writes them as flat spans, so a regular expression finds them).</summary>
    public static List<Shown> ShownValues(string html) =>
        DataJson().Matches(html).Select(m => new Shown(int.Parse(m.Groups["doc"].Value, CultureInfo.InvariantCulture), WebUtility.HtmlDecode(m.Groups["json"].Value),
            m.Groups["value"].Success ? m.Groups["value"].Value : null, WebUtility.HtmlDecode(m.Groups["text"].Value),
            m.Groups["shown"].Success ? m.Groups["shown"].Value : null)).ToList();

    [GeneratedRegex("""<(?<tag>span|pre) data-json="(?<json>[^"]*)"(?: data-value="(?<value>[^"]*)")? data-doc="(?<doc>\d+)"(?: data-shown="(?<shown>[^"]*)")?>(?<text>[^<]*)</\k<tag>>""")]
    private static partial Regex DataJson();

    /// <summary>Checks one shown value against the documents: the pointer exists, data-value is the JSON's number exactly,
    /// and the text people read is that number as formatted (80.3M, 10.79%, 1.375x, 4,000) to within its last digit.
    /// Returns a description of the mismatch, or null.</summary>
    public static string? Mismatch(Shown s, IReadOnlyList<JsonElement> documents)
    {
        if (s.Doc < 0 || s.Doc >= documents.Count) return $"{s.Pointer}: data-doc {s.Doc} is no document";
        if (Resolve(documents[s.Doc], s.Pointer) is not { } json) return $"doc {s.Doc} {s.Pointer}: no such field";
        string text = s.Text.Trim();
        if (s.Value is not null)
        {
            if (json.ValueKind != JsonValueKind.Number) return $"doc {s.Doc} {s.Pointer}: data-value {s.Value} but the JSON has {json.ValueKind}";
            double value = double.Parse(s.Value, CultureInfo.InvariantCulture);
            if (value != json.GetDouble()) return $"doc {s.Doc} {s.Pointer}: data-value {s.Value} but the JSON has {json.GetRawText()}";
            return s.As switch
            {
                null => ShowsNumber(text, value) ? null : $"doc {s.Doc} {s.Pointer}: shows '{text}' for {s.Value}",
                "change" => ShowsNumber(text, value - 1) ? null : $"doc {s.Doc} {s.Pointer}: shows '{text}' as the change of {s.Value}",
                _ => $"doc {s.Doc} {s.Pointer}: unknown data-shown '{s.As}'",
            };
        }
        return json.ValueKind switch
        {
            JsonValueKind.Null => text is "n/a" or "" ? null : $"doc {s.Doc} {s.Pointer}: shows '{text}' for null",
            JsonValueKind.String => text == json.GetString()!.Trim() ? null : $"doc {s.Doc} {s.Pointer}: shows '{text}' for \"{json.GetString()}\"",
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => text == json.GetRawText() ? null : $"doc {s.Doc} {s.Pointer}: shows '{text}' for {json.GetRawText()}",
            _ => $"doc {s.Doc} {s.Pointer}: an {json.ValueKind} shown as text",
        };
    }

    /// <summary>Whether <paramref name="text"/> (as the report formats numbers: 1.36M, 10.79%, 1.375x, 20,000, 0.0395)
    /// is <paramref name="value"/> to within half a unit of its last digit.</summary>
    public static bool ShowsNumber(string text, double value)
    {
        string t = text.Trim();
        double scale = 1;
        if (t.EndsWith('%')) (scale, t) = (0.01, t[..^1]);
        else if (t.EndsWith('x')) t = t[..^1];
        else if (t.Length > 0 && "kMBT".Contains(t[^1])) (scale, t) = (t[^1] switch { 'k' => 1e3, 'M' => 1e6, 'B' => 1e9, _ => 1e12 }, t[..^1]);
        t = t.Replace(",", "", StringComparison.Ordinal);
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double shown)) return false;
        int e = t.IndexOfAny(['e', 'E']);
        string mantissa = e >= 0 ? t[..e] : t;
        int exponent = e >= 0 ? int.Parse(t[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        int decimals = mantissa.Contains('.') ? mantissa.Length - mantissa.IndexOf('.') - 1 : 0;
        double tolerance = 0.5 * Math.Pow(10, exponent - decimals) * scale * (1 + 1e-9) + 1e-12 * Math.Abs(value);
        return Math.Abs(shown * scale - value) <= tolerance;
    }

    /// <summary>Checks every shown value of a report made from <paramref name="inputs"/> (results, then the series).</summary>
    public static void AssertNumbersMatch(string html, params string[] inputs)
    {
        var documents = inputs.Select(i => JsonDocument.Parse(i).RootElement).ToList();
        var shown = ShownValues(html);
        var mismatches = shown.Select(s => Mismatch(s, documents)).OfType<string>().ToList();
        Assert.That(mismatches, Is.Empty, $"{mismatches.Count} of {shown.Count} shown values differ from the JSON");
        Assert.That(shown.Count(s => s.Value is not null), Is.GreaterThan(20), "the report shows numbers with their pointers");
    }

    /// <summary>A temporary directory, deleted when disposed.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gpucascade-report-").FullName;
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    public static ReportInput Input(string source, string json) => new(source, json);
}
