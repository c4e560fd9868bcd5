using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Calibration;

/// <summary>A <see cref="ComparisonResult"/> as JSON, CSV and a readable table (docs/calibration.md).</summary>
public static class ComparisonReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>What the pairing means, printed with every comparison.</summary>
    public const string Pairing =
        "every variant runs on the same paths (common random numbers: same seed and path indices) with the book held fixed; " +
        "paired intervals come from per-path differences (means, probabilities) or a paired bootstrap (VaR, ES); " +
        "unpaired ones combine the variants' own intervals (MOVER)";

    /// <summary>The comparison as indented JSON: <c>{"variants": [{"values", "result", "difference"}]}</c>.</summary>
    public static string Json(ComparisonResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("axes");
            foreach (var axis in c.Axes)
            {
                w.WriteStartObject();
                w.WriteString("key", axis.Key);
                w.WriteStartArray("values");
                foreach (double v in axis.Values) AxisValue(w, null, v);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("pairing", Pairing);
            w.WriteString("breach", c.Breach == Book.BreachRule.Liquidate ? "liquidate" : "deleverage");
            w.WriteNumber("plannedVariants", c.PlannedVariants);
            w.WriteBoolean("cancelled", c.Cancelled);
            w.WriteStartArray("variants");
            foreach (var v in c.Variants)
            {
                w.WriteStartObject();
                w.WriteStartObject("values");
                foreach (var (key, value) in v.Values) AxisValue(w, key, value);
                w.WriteEndObject();
                w.WriteBoolean("bookRegenerated", v.BookRegenerated);
                w.WriteNumber("deleveragedNotional", v.DeleveragedNotional);
                w.WriteNumber("openingRoundNotional", v.OpeningRoundNotional);
                w.WritePropertyName("result");
                ResultJson.Write(w, v.Result);
                w.WriteStartObject("difference");
                foreach (var (metric, d) in v.Difference)
                {
                    w.WriteStartObject(metric);
                    Number(w, "estimate", d.Estimate);
                    Number(w, "lower", d.Lower);
                    Number(w, "upper", d.Upper);
                    Number(w, "unpairedLower", d.UnpairedLower);
                    Number(w, "unpairedUpper", d.UnpairedUpper);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Number(Utf8JsonWriter w, string name, double? value) => JsonFields.Number(w, name, value);

    /// <summary>One row per variant and metric: <c>variant,KEY...,metric,estimate,lower,upper,difference,pairedLower,
    /// pairedUpper,unpairedLower,unpairedUpper</c>.</summary>
    public static string Csv(ComparisonResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = new StringBuilder("variant,");
        foreach (var axis in c.Axes) sb.Append(Quote(axis.Key)).Append(',');
        sb.Append("metric,estimate,lower,upper,difference,pairedLower,pairedUpper,unpairedLower,unpairedUpper\n");
        for (int i = 0; i < c.Variants.Count; i++)
        {
            var v = c.Variants[i];
            foreach (var (metric, d) in v.Difference)
            {
                var f = RiskMetric.Parse(metric).Read(v.Result);
                sb.Append(i + 1).Append(',');
                foreach (var (_, value) in v.Values) sb.Append(ScenarioNumbers.Text(value)).Append(',');
                sb.Append(metric).Append(',').Append(F(f.Estimate)).Append(',').Append(F(f.Lower)).Append(',').Append(F(f.Upper)).Append(',')
                  .Append(F(d.Estimate)).Append(',').Append(F(d.Lower)).Append(',').Append(F(d.Upper)).Append(',')
                  .Append(F(d.UnpairedLower)).Append(',').Append(F(d.UnpairedUpper)).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string Quote(string s) => JsonFields.CsvField(s);

    private static string F(double? x) => x is double v && double.IsFinite(v) ? v.ToString("R", Inv) : "";

    /// <summary>The metrics the table shows (the JSON and CSV have them all).</summary>
    private static readonly string[] TableMetrics =
    [
        "probabilities.anyLiquidation", "probabilities.cascade", "probabilities.badDebt", "probabilities.fundDepleted",
        "badDebt.mean", "badDebt.var.0.99", "badDebt.es.0.99", "liquidatedNotional.mean", "insuranceFund.uncoveredLoss.mean",
    ];

    /// <summary>The variants side by side, then each one's differences to the first with both intervals.</summary>
    public static string Table(ComparisonResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = new StringBuilder();
        var first = c.Variants.Count > 0 ? c.Variants[0].Result : null;
        sb.AppendLine("GpuCascade compare: " + string.Create(Inv, $"{c.Variants.Count} of {c.PlannedVariants} variants") +
                           (first is null ? "" : $", {first.Paths:N0} paths x {first.Steps} steps, seed {first.Seed}, backend {first.Backend}") +
                           (c.Cancelled ? "  (CANCELLED)" : ""));
        sb.AppendLine("Pairing: " + Pairing + ".");
        bool opening = c.Breach == Book.BreachRule.Liquidate;
        bool asGiven = c.Axes.Count == 0; // Comparison.Run(scenarios): variants as they are, no keys
        if (asGiven)
            sb.AppendLine("Variants: scenarios compared as given, with their own books and no initial-margin rule.");
        else
            sb.AppendLine(opening
                ? "Breach rule: a cohort below IM = M / 0.8 under a variant is liquidated in an opening round at the starting prices (--breach liquidate)."
                : "Breach rule: a cohort below IM = M / 0.8 under a variant is deleveraged to it (docs/calibration.md).");
        if (c.Variants.Any(v => v.BookRegenerated))
            sb.AppendLine(asGiven
                ? "Note: some variants' generator builds another book than the first's, so the variants differ in their books too."
                : "Note: a book.generator.* key regenerates the book per variant, so the variants differ in their books too.");
        sb.AppendLine();
        int keyWidth = Math.Max(12, c.Variants.Select(v => Values(v).Length).DefaultIfEmpty(0).Max());
        sb.Append("#".PadRight(3)).Append(' ').Append("values".PadRight(keyWidth)).Append(' ').Append(string.Join(" ", TableMetrics.Select(m => Short(m).PadLeft(12)))).Append(opening ? "  opening round\n" : "  deleveraged\n");
        for (int i = 0; i < c.Variants.Count; i++)
        {
            var v = c.Variants[i];
            string values = Values(v);
            sb.Append(Inv, $"{i + 1,-3} {values.PadRight(keyWidth)} ");
            sb.Append(string.Join(" ", TableMetrics.Select(m => Value(m, RiskMetric.Parse(m).Read(v.Result).Estimate).PadLeft(12))));
            sb.Append(Inv, $"  {SummaryTable.Usd(opening ? v.OpeningRoundNotional : v.DeleveragedNotional)}\n");
        }
        for (int i = 1; i < c.Variants.Count; i++)
        {
            var v = c.Variants[i];
            sb.AppendLine();
            sb.AppendLine(Inv, $"Variant {i + 1} minus variant 1{(v.Values.Count == 0 ? "" : $" ({Values(v)})")}:");
            sb.AppendLine(Inv, $"  {"metric",-34} {"difference",12}   {"paired 95%",-25} {"unpaired 95%",-25}");
            foreach (string m in TableMetrics)
            {
                var d = v.Difference.First(x => x.Key == m).Value;
                sb.AppendLine(Inv, $"  {m,-34} {Value(m, d.Estimate),12}   {Interval(m, d.Lower, d.Upper),-25} {Interval(m, d.UnpairedLower, d.UnpairedUpper),-25}");
            }
        }
        return sb.ToString();
    }

    private static string Values(VariantResult v) => string.Join(", ", v.Values.Select(x => $"{x.Key}={ScenarioNumbers.Text(x.Value)}"));

    /// <summary>A varied value: a JSON number, or the string ".inf" as a scenario's JSON writes no limit.</summary>
    private static void AxisValue(Utf8JsonWriter w, string? name, double value)
    {
        if (name is not null) w.WritePropertyName(name);
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteStringValue(ScenarioNumbers.Text(value));
    }

    private static string Short(string metric) => metric switch
    {
        "probabilities.anyLiquidation" => "P(any liq)",
        "probabilities.cascade" => "P(cascade)",
        "probabilities.badDebt" => "P(bad debt)",
        "probabilities.fundDepleted" => "P(fund out)",
        "badDebt.mean" => "bad debt",
        "badDebt.var.0.99" => "VaR99 debt",
        "badDebt.es.0.99" => "ES99 debt",
        "liquidatedNotional.mean" => "liquidated",
        "insuranceFund.uncoveredLoss.mean" => "uncovered",
        _ => metric,
    };

    private static string Value(string metric, double v) =>
        metric.StartsWith("probabilities.", StringComparison.Ordinal) ? SummaryTable.Pct(v) : SummaryTable.Usd(v);

    private static string Interval(string metric, double? lower, double? upper) =>
        $"[{(lower is double l ? Value(metric, l) : "n/a")}, {(upper is double u ? Value(metric, u) : "n/a")}]";
}
