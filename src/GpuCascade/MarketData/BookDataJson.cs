using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Book;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.MarketData;

/// <summary>
/// Writes what <see cref="BookFromData.Apply"/> took as JSON (<c>book --json</c>, docs/market-data.md, "Books and depth
/// from data"): the data files, per asset the open interest, the long share, the liquidation map's cohorts and USD, the
/// levels left out and the order book's depth estimate, and the resulting scenario's liquidation ladder (the block of a
/// run result, docs/model.md, "The liquidation ladder"), which the HTML report shows. NaN is written as null.
/// </summary>
public static class BookDataJson
{
    /// <summary>The document, indented: <paramref name="summary"/> of <paramref name="scenario"/> (the scenario
    /// <see cref="BookFromData.Apply"/> returned), made from <paramref name="files"/> (as the command names them) at
    /// <paramref name="at"/> (null: the last values).</summary>
    public static string Serialize(IReadOnlyList<PositioningSummary> summary, Scenario scenario, IEnumerable<string>? files = null, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(scenario);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            JsonFields.Strings(w, "files", files ?? []);
            if (at is { } t) w.WriteString("at", Time(t));
            else w.WriteNull("at");
            w.WriteStartArray("positioning");
            foreach (var s in summary)
            {
                w.WriteStartObject();
                w.WriteString("symbol", s.Symbol);
                JsonFields.Number(w, "openInterest", s.OpenInterest);
                JsonFields.Number(w, "longShare", s.LongShare);
                w.WriteNumber("mapCohorts", s.MapCohorts);
                JsonFields.Number(w, "mapLongUsd", s.MapLongUsd);
                JsonFields.Number(w, "mapShortUsd", s.MapShortUsd);
                w.WriteNumber("mapLevelsBeyondPrice", s.MapLevelsBeyondPrice);
                if (s.Depth is { } d)
                {
                    w.WriteStartObject("depth");
                    if (d.Time is { } time) w.WriteString("time", Time(time));
                    else w.WriteNull("time");
                    JsonFields.Number(w, "mid", d.Mid);
                    JsonFields.Number(w, "bidUsd", d.BidUsd);
                    JsonFields.Number(w, "askUsd", d.AskUsd);
                    JsonFields.Number(w, "depth1pct", d.Depth1Pct);
                    w.WriteEndObject();
                }
                else w.WriteNull("depth");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            ResultJson.WriteLadder(w, LiquidationLadder.Of(scenario));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
