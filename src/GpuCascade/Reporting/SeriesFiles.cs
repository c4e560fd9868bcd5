using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Statistics;

namespace GpuCascade.Reporting;

/// <summary>
/// The files of <c>run --series</c> and <c>run --sample-paths</c>: CSV (long format, one value per row, for pandas, R and
/// spreadsheets) or JSON (arrays over the steps, for plotting code); JSON when the file name ends in <c>.json</c>.
/// </summary>
internal static class SeriesFiles
{
    /// <summary>Whether <paramref name="path"/> asks for JSON (it ends in .json).</summary>
    public static bool IsJson(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static string F(double v) => JsonFields.CsvNumber(v);

    /// <summary>CSV: <c>step,time,asset,metric,statistic,value</c> (time in hours; asset empty for the fund's metrics).</summary>
    public static string SeriesCsv(SeriesResult series)
    {
        var sb = new StringBuilder("step,time,asset,metric,statistic,value\n");
        foreach (var p in series.Points())
            sb.Append(p.Step.ToString(CultureInfo.InvariantCulture)).Append(',').Append(F(p.Time)).Append(',')
              .Append(JsonFields.CsvField(p.Asset)).Append(',').Append(p.Metric).Append(',').Append(p.Statistic).Append(',')
              .Append(F(p.Value)).Append('\n');
        return sb.ToString();
    }

    /// <summary>JSON: <c>{paths, steps, seed, scenarioSha256, stepHours, time: [...], resolution, assets: {SYMBOL: {metric: {statistic: [...]}}},
    /// fund: {...}, pFundDepleted: {...}}</c>, every array over steps 0 .. steps.</summary>
    public static string SeriesJson(SeriesResult series)
    {
        var byKey = new Dictionary<(string Asset, string Metric, string Statistic), double[]>();
        var order = new List<(string Asset, string Metric, string Statistic)>();
        foreach (var p in series.Points())
        {
            var key = (p.Asset, p.Metric, p.Statistic);
            if (!byKey.TryGetValue(key, out var values))
            {
                byKey[key] = values = new double[series.Steps + 1];
                order.Add(key);
            }
            values[p.Step] = p.Value;
        }
        return Json(w =>
        {
            w.WriteNumber("paths", series.Paths);
            w.WriteNumber("steps", series.Steps);
            if (series.Seed is { } seed) w.WriteNumber("seed", seed);
            if (series.ScenarioSha256 is { } sha) w.WriteString("scenarioSha256", sha);
            w.WriteNumber("stepHours", series.StepHours);
            JsonFields.Numbers(w, "time", Enumerable.Range(0, series.Steps + 1).Select(k => Math.Round(k * series.StepHours, 9)));
            w.WriteStartObject("resolution");
            w.WriteString("prices", $"{PriceBins.Interior} bins even in asinh(ln(price / start) / {PriceBins.Scale}) over [{PriceBins.Lowest}, {PriceBins.Highest}], " +
                                    "each keeping its exact minimum and maximum (docs/outputs-over-time.md)");
            w.WriteEndObject();
            w.WriteStartObject("assets");
            foreach (var symbol in series.Symbols)
            {
                w.WriteStartObject(symbol);
                Metrics(w, order.Where(k => k.Asset == symbol), byKey);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            Metrics(w, order.Where(k => k.Asset.Length == 0), byKey);
        });
    }

    private static void Metrics(Utf8JsonWriter w, IEnumerable<(string Asset, string Metric, string Statistic)> keys,
        Dictionary<(string, string, string), double[]> values)
    {
        foreach (var metric in keys.GroupBy(k => k.Metric))
        {
            w.WriteStartObject(metric.Key);
            foreach (var key in metric) JsonFields.Numbers(w, key.Statistic, values[key]);
            w.WriteEndObject();
        }
    }

    /// <summary>CSV, one row per path, step and asset: <c>path,step,time,asset,price,exogenousPrice,liquidatedNotional,
    /// depthFactor,queuedNotional,fund,uncoveredBeforeAdl</c> (the last two are per path, repeated on each asset's row).</summary>
    public static string SamplePathsCsv(SamplePathSet paths)
    {
        var sb = new StringBuilder("path,step,time,asset,price,exogenousPrice,liquidatedNotional,depthFactor,queuedNotional,fund,uncoveredBeforeAdl\n");
        for (int p = 0; p < paths.Count; p++)
            for (int k = 0; k <= paths.Steps; k++)
                for (int i = 0; i < paths.Symbols.Count; i++)
                    sb.Append(p.ToString(CultureInfo.InvariantCulture)).Append(',').Append(k.ToString(CultureInfo.InvariantCulture)).Append(',')
                      .Append(F(Math.Round(k * paths.StepHours, 9))).Append(',').Append(JsonFields.CsvField(paths.Symbols[i])).Append(',')
                      .Append(F(paths.Price(p, k, i))).Append(',').Append(F(paths.ExogenousPrice(p, k, i))).Append(',')
                      .Append(F(paths.LiquidatedNotional(p, k, i))).Append(',').Append(F(paths.DepthFactor(p, k, i))).Append(',')
                      .Append(F(paths.QueuedNotional(p, k, i))).Append(',').Append(F(paths.Fund(p, k))).Append(',')
                      .Append(F(paths.UncoveredBeforeAdl(p, k))).Append('\n');
        return sb.ToString();
    }

    /// <summary>JSON: <c>{steps, stepHours, time, paths: [{path, fund: [...], uncoveredBeforeAdl: [...], assets: {SYMBOL:
    /// {price: [...], ...}}}]}</c>.</summary>
    public static string SamplePathsJson(SamplePathSet paths)
    {
        var steps = Enumerable.Range(0, paths.Steps + 1).ToArray();
        return Json(w =>
        {
            w.WriteNumber("steps", paths.Steps);
            w.WriteNumber("stepHours", paths.StepHours);
            JsonFields.Numbers(w, "time", steps.Select(k => Math.Round(k * paths.StepHours, 9)));
            w.WriteStartArray("paths");
            for (int p = 0; p < paths.Count; p++)
            {
                w.WriteStartObject();
                w.WriteNumber("path", p);
                JsonFields.Numbers(w, "fund", steps.Select(k => paths.Fund(p, k)));
                JsonFields.Numbers(w, "uncoveredBeforeAdl", steps.Select(k => paths.UncoveredBeforeAdl(p, k)));
                w.WriteStartObject("assets");
                for (int i = 0; i < paths.Symbols.Count; i++)
                {
                    w.WriteStartObject(paths.Symbols[i]);
                    JsonFields.Numbers(w, "price", steps.Select(k => paths.Price(p, k, i)));
                    JsonFields.Numbers(w, "exogenousPrice", steps.Select(k => paths.ExogenousPrice(p, k, i)));
                    JsonFields.Numbers(w, "liquidatedNotional", steps.Select(k => paths.LiquidatedNotional(p, k, i)));
                    JsonFields.Numbers(w, "depthFactor", steps.Select(k => paths.DepthFactor(p, k, i)));
                    JsonFields.Numbers(w, "queuedNotional", steps.Select(k => paths.QueuedNotional(p, k, i)));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
