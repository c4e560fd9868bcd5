using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Prices;
using GpuCascade.Reporting;

namespace GpuCascade.MarketData;

/// <summary>
/// Writes a <see cref="MarketFit"/> as JSON (<c>fit --json</c>, docs/market-data.md, "What is fitted, and how"): the interval,
/// per asset its returns, span, gaps, last price and each estimate with its standard error, GARCH's alpha and beta, the
/// Student-t's degrees of freedom, the jumps, the correlation matrix with its standard errors, the shrinkage, the
/// log-likelihood and the price files with their SHA-256, which the HTML report shows. An estimate is
/// <c>{"value", "standardError"}</c>; NaN is written as null.
/// </summary>
public static class FitJson
{
    /// <summary>The fit as indented JSON text; <paramref name="series"/> (the fitted series, in the fit's order) names
    /// each asset's file and its SHA-256.</summary>
    public static string Serialize(MarketFit fit, IReadOnlyList<PriceSeries>? series = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            Write(w, fit, series);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the fit to <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, MarketFit fit, IReadOnlyList<PriceSeries>? series = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(fit);
        w.WriteStartObject();
        w.WriteString("interval", Intervals.Format(fit.Interval));
        JsonFields.Number(w, "intervalYears", fit.IntervalYears);
        w.WriteStartArray("assets");
        foreach (var a in fit.Assets)
        {
            var s = series?.FirstOrDefault(x => x.Symbol == a.Symbol);
            w.WriteStartObject();
            w.WriteString("symbol", a.Symbol);
            if (s is not null) w.WriteString("source", s.Source);
            else w.WriteNull("source");
            if (s?.Sha256 is { } sha) w.WriteString("sourceSha256", sha);
            else w.WriteNull("sourceSha256");
            w.WriteNumber("returns", a.Returns);
            w.WriteString("first", Time(a.First));
            w.WriteString("last", Time(a.Last));
            w.WriteNumber("gaps", a.Gaps);
            w.WriteNumber("duplicates", a.Duplicates);
            JsonFields.Number(w, "lastPrice", a.LastPrice);
            Estimate(w, "volatility", a.Volatility);
            Estimate(w, "longRunVolatility", a.LongRunVolatility);
            Estimate(w, "ewmaVolatility", a.EwmaVolatility);
            Estimate(w, "jumpBeta", a.JumpBeta);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("garch");
        Estimate(w, "alpha", fit.GarchAlpha);
        Estimate(w, "beta", fit.GarchBeta);
        w.WriteEndObject();
        Estimate(w, "dof", fit.Dof);
        w.WriteStartObject("jumps");
        w.WriteNumber("count", fit.Jumps);
        Estimate(w, "intensity", fit.JumpIntensity);
        Estimate(w, "meanLogSize", fit.JumpMeanLogSize);
        Estimate(w, "logSizeVolatility", fit.JumpLogSizeVolatility);
        w.WriteEndObject();
        int n = fit.Assets.Length;
        Matrix(w, "correlation", fit.Correlation, n);
        Matrix(w, "correlationStandardErrors", fit.CorrelationStandardErrors, n);
        JsonFields.Number(w, "shrinkage", fit.Shrinkage);
        JsonFields.Number(w, "logLikelihood", fit.LogLikelihood);
        w.WriteEndObject();
    }

    private static void Estimate(Utf8JsonWriter w, string name, Estimate e)
    {
        w.WriteStartObject(name);
        JsonFields.Number(w, "value", e.Value);
        JsonFields.Number(w, "standardError", e.StandardError);
        w.WriteEndObject();
    }

    /// <summary>A row-major N x N matrix as an array of rows.</summary>
    private static void Matrix(Utf8JsonWriter w, string name, IReadOnlyList<double> values, int n)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < n; i++)
        {
            w.WriteStartArray();
            for (int j = 0; j < n; j++)
            {
                double v = i * n + j < values.Count ? values[i * n + j] : double.NaN;
                if (double.IsFinite(v)) w.WriteNumberValue(v);
                else w.WriteNullValue();
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
