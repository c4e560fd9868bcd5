using System.Text.Json;
using GpuCascade.Calibration;

namespace GpuCascade.Reporting;

/// <summary>JSON and CSV fields shared by the reports and the calibration checkpoint.</summary>
internal static class JsonFields
{
    /// <summary>A number, or null when it is absent, NaN or infinite (JSON has no such numbers).</summary>
    public static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary><c>{"estimate", "lower", "upper"}</c>.</summary>
    public static void Figure(Utf8JsonWriter w, string name, Figure f)
    {
        w.WriteStartObject(name);
        Number(w, "estimate", f.Estimate);
        Number(w, "lower", f.Lower);
        Number(w, "upper", f.Upper);
        w.WriteEndObject();
    }

    /// <summary>An object of figures by metric name.</summary>
    public static void Figures(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, Figure>> figures)
    {
        w.WriteStartObject(name);
        foreach (var (metric, f) in figures) Figure(w, metric, f);
        w.WriteEndObject();
    }

    /// <summary>A row of the leverage pricing, with its regime or without (inside a candidate).</summary>
    public static void Pricing(Utf8JsonWriter w, PricingRow p, bool withRegime)
    {
        w.WriteStartObject();
        if (withRegime) w.WriteString("regime", p.Regime);
        w.WriteString("bucket", p.Bucket);
        w.WriteNumber("cohorts", p.Cohorts);
        Number(w, "notional", p.Notional);
        Number(w, "expectedBadDebt", p.ExpectedBadDebt);
        Number(w, "feeBp", p.FeeBasisPoints);
        w.WriteEndObject();
    }

    /// <summary>An array of strings.</summary>
    public static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var s in values) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    /// <summary>A number in a CSV field: round-trip precision, invariant culture, empty when NaN or infinite.</summary>
    public static string CsvNumber(double v) => double.IsFinite(v) ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>A CSV field, quoted when it holds a comma or a quote.</summary>
    public static string CsvField(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
