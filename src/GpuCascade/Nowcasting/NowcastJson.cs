using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Reporting;

namespace GpuCascade.Nowcasting;

/// <summary>
/// A nowcast as JSON (docs/market-data.md, "Nowcast"): the state's time, the fitted volatilities, what the positioning
/// data gave, today's liquidation ladder, and per horizon the cascade, bad-debt and fund-depletion probabilities with their Wilson intervals, the
/// bad debt's mean and ES 99%, the cohorts with the largest tail share, and the horizon's whole run result
/// (<see cref="ResultJson"/>).
/// </summary>
public static class NowcastJson
{
    /// <summary>How many cohorts each horizon lists as its drivers.</summary>
    public const int Drivers = 10;

    /// <summary>The document, indented.</summary>
    public static string Serialize(NowcastResult n)
    {
        ArgumentNullException.ThrowIfNull(n);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("asOf", n.AsOf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            JsonFields.Number(w, "elapsedSeconds", n.ElapsedSeconds);
            w.WriteString("interval", Prices.Intervals.Format(n.Fit.Interval));
            w.WriteStartArray("assets");
            foreach (var a in n.Fit.Assets)
            {
                w.WriteStartObject();
                w.WriteString("symbol", a.Symbol);
                JsonFields.Number(w, "price", a.LastPrice);
                JsonFields.Figure(w, "volatility", a.Volatility.Value, a.Volatility.Value - 1.96 * a.Volatility.StandardError, a.Volatility.Value + 1.96 * a.Volatility.StandardError);
                var p = n.Positioning.FirstOrDefault(x => x.Symbol == a.Symbol);
                if (p?.OpenInterest is double oi) JsonFields.Number(w, "openInterest", oi);
                if (p?.LongShare is double share) JsonFields.Number(w, "longShare", share);
                if (p?.MapCohorts > 0)
                {
                    JsonFields.Number(w, "liquidationMapLongUsd", p.MapLongUsd);
                    JsonFields.Number(w, "liquidationMapShortUsd", p.MapShortUsd);
                }
                if (p?.Depth is { } d) JsonFields.Number(w, "depth1pct", d.Depth1Pct);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (n.Horizons.FirstOrDefault()?.Result.Ladder is { } ladder) ResultJson.WriteLadder(w, ladder); // today's book: the same for every horizon
            w.WriteStartArray("horizons");
            foreach (var h in n.Horizons)
            {
                var r = h.Result;
                w.WriteStartObject();
                w.WriteString("horizon", h.Horizon.Text);
                w.WriteNumber("steps", r.Steps);
                w.WriteNumber("paths", r.Paths);
                JsonFields.Figure(w, "cascade", r.Probabilities.Cascade.Estimate, r.Probabilities.Cascade.Lower, r.Probabilities.Cascade.Upper);
                JsonFields.Figure(w, "badDebt", r.Probabilities.BadDebt.Estimate, r.Probabilities.BadDebt.Lower, r.Probabilities.BadDebt.Upper);
                JsonFields.Figure(w, "fundDepleted", r.Probabilities.FundDepleted.Estimate, r.Probabilities.FundDepleted.Lower, r.Probabilities.FundDepleted.Upper);
                JsonFields.Figure(w, "meanBadDebt", r.BadDebt.Mean, r.BadDebt.Mean - 1.96 * r.BadDebt.StandardError, r.BadDebt.Mean + 1.96 * r.BadDebt.StandardError);
                var es = r.BadDebt.ExpectedShortfallInterval.TryGetValue(0.99, out var interval) ? interval : default;
                JsonFields.Figure(w, "badDebtEs99", r.BadDebt.ExpectedShortfall.TryGetValue(0.99, out double es99) ? es99 : double.NaN, es.Lower, es.Upper);
                w.WriteStartArray("drivers");
                foreach (var c in Driving(r))
                {
                    w.WriteStartObject();
                    w.WriteString("cohort", c.Name);
                    JsonFields.Strings(w, "assets", c.Assets);
                    w.WriteString("side", c.Side);
                    JsonFields.Number(w, "leverage", c.Leverage);
                    JsonFields.Number(w, "tailShare", c.TailShare);
                    JsonFields.Figure(w, "liquidated", c.PLiquidated.Estimate, c.PLiquidated.Lower, c.PLiquidated.Upper);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WritePropertyName("result");
                ResultJson.Write(w, r);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The cohorts that drive a horizon's tail: the largest tail shares, then the largest expected liquidated notional.</summary>
    public static IEnumerable<CohortAttribution> Driving(RunResult r) =>
        r.CohortAttribution.OrderByDescending(c => c.TailShare ?? 0).ThenByDescending(c => c.LiquidatedNotional).Take(Drivers);
}
