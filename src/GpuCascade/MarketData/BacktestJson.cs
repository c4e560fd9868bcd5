using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Reporting;

namespace GpuCascade.MarketData;

/// <summary>
/// Writes a <see cref="BacktestResult"/> as JSON (<c>backtest --json</c>, docs/market-data.md, "The JSON document"):
/// the rule, the price file and its SHA-256, per tool and side the coverage tests and the procyclicality, and each
/// window's date, move, margins and exceedances, which the HTML report draws. NaN is written as null.
/// </summary>
public static class BacktestJson
{
    /// <summary>The backtest as indented JSON text.</summary>
    public static string Serialize(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            Write(w, result);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the backtest to <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, BacktestResult r)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        double p = 1 - r.Confidence;
        w.WriteStartObject();
        w.WriteString("symbol", r.Symbol);
        w.WriteString("source", r.Source);
        if (r.SourceSha256 is { } sha) w.WriteString("sourceSha256", sha);
        else w.WriteNull("sourceSha256");
        w.WriteString("rule", r.Model.ToString());
        w.WriteNumber("confidence", r.Confidence);
        w.WriteNumber("horizonDays", r.HorizonDays);
        w.WriteNumber("windows", r.Dates.Length);
        w.WriteString("first", Date(r.Dates[0]));
        w.WriteString("last", Date(r.Dates[^1]));
        w.WriteStartArray("variants");
        foreach (var v in r.Variants)
        {
            w.WriteStartObject();
            w.WriteString("tool", v.Tool.Key());
            w.WriteString("label", v.Tool.Label());
            Side(w, "long", v.Long, r.Moves, p, isLong: true);
            Side(w, "short", v.Short, r.Moves, p, isLong: false);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        JsonFields.Strings(w, "dates", r.Dates.Select(Date));
        JsonFields.Numbers(w, "moves", r.Moves);
        w.WriteEndObject();
    }

    private static void Side(Utf8JsonWriter w, string name, SideBacktest s, IReadOnlyList<double> moves, double p, bool isLong)
    {
        var c = s.Coverage;
        w.WriteStartObject(name);
        w.WriteNumber("observations", c.Days);
        w.WriteNumber("exceedances", c.Exceedances);
        w.WriteNumber("expected", p * c.Days);
        w.WriteNumber("rate", (double)c.Exceedances / c.Days);
        Ratio(w, "kupiec", c.Kupiec);
        Ratio(w, "independence", c.Independence);
        Ratio(w, "conditionalCoverage", c.ConditionalCoverage);
        w.WriteString("zone", c.Zone.ToString().ToLowerInvariant());
        JsonFields.Number(w, "peakToTrough", s.PeakToTrough);
        JsonFields.Number(w, "largest30DayIncrease", s.Largest30DayIncrease);
        JsonFields.Number(w, "meanMargin", s.MeanMargin);
        JsonFields.Numbers(w, "margins", s.Margins);
        w.WriteStartArray("exceeded");
        for (int t = 0; t < moves.Count; t++) w.WriteBooleanValue(MarginBacktest.Exceeds(moves[t], s.Margins[t], isLong));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Ratio(Utf8JsonWriter w, string name, LikelihoodRatio lr)
    {
        w.WriteStartObject(name);
        JsonFields.Number(w, "statistic", lr.Statistic);
        JsonFields.Number(w, "pValue", lr.PValue);
        w.WriteEndObject();
    }

    private static string Date(DateTimeOffset d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
