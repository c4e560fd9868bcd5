using System.Text.Json;
using GpuCascade.Reporting;

namespace GpuCascade.Calibration;

/// <summary>The JSON fields of calibration's and comparison's own records, shared by their reports and the calibration
/// checkpoint; the plain fields are <see cref="JsonFields"/>.</summary>
internal static class CalibrationJsonFields
{
    /// <summary><c>{"estimate", "lower", "upper"}</c>.</summary>
    public static void Figure(Utf8JsonWriter w, string name, Figure f) => JsonFields.Figure(w, name, f.Estimate, f.Lower, f.Upper);

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
        JsonFields.Number(w, "notional", p.Notional);
        JsonFields.Number(w, "expectedBadDebt", p.ExpectedBadDebt);
        JsonFields.Number(w, "feeBp", p.FeeBasisPoints);
        w.WriteEndObject();
    }
}
