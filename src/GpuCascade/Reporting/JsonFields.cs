using System.Text.Json;

namespace GpuCascade.Reporting;

/// <summary>JSON and CSV fields shared by the result files, the calibration and comparison reports and the calibration
/// checkpoint (their own fields: <see cref="Calibration.CalibrationJsonFields"/>).</summary>
internal static class JsonFields
{
    /// <summary>A number, or null when it is absent, NaN or infinite (JSON has no such numbers).</summary>
    public static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>An array of numbers, null for one that is not finite.</summary>
    public static void Numbers(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
            if (double.IsFinite(v)) w.WriteNumberValue(v);
            else w.WriteNullValue();
        w.WriteEndArray();
    }

    /// <summary><c>{"estimate", "lower", "upper"}</c>.</summary>
    public static void Figure(Utf8JsonWriter w, string name, double estimate, double? lower, double? upper)
    {
        w.WriteStartObject(name);
        Number(w, "estimate", estimate);
        Number(w, "lower", lower);
        Number(w, "upper", upper);
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
