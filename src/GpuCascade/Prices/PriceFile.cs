using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using GpuCascade.Operations;

namespace GpuCascade.Prices;

/// <summary>One asset's closing prices, oldest first (docs/market-data.md).</summary>
/// <param name="Symbol">The asset (<c>BTC</c>), from the file's symbol column, the caller or the file's name.</param>
/// <param name="Times">The rows' times (UTC), strictly increasing.</param>
/// <param name="Closes">The closes, positive and finite, one per time.</param>
/// <param name="Source">The file it was read from.</param>
/// <param name="Duplicates">Rows whose time repeated an earlier row's (the first was kept).</param>
public sealed record PriceSeries(string Symbol, ImmutableArray<DateTimeOffset> Times, ImmutableArray<double> Closes, string Source,
    int Duplicates = 0)
{
    /// <summary>The SHA-256 of the file's bytes (lower-case hex) when it was read by <see cref="PriceFile.Read"/>; null
    /// for a series parsed from text or built in code.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The most common spacing of consecutive rows (the file's own interval).</summary>
    public TimeSpan Spacing =>
        Times.Length < 2 ? TimeSpan.Zero
            : Enumerable.Range(1, Times.Length - 1).Select(i => Times[i] - Times[i - 1])
                .GroupBy(d => d).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
}

/// <summary>A price file that cannot be read: the message names the file, the line and the column.</summary>
public sealed class PriceFileException(string message) : Exception(message);

/// <summary>
/// Reads the price files risk teams have (docs/market-data.md): a CSV with a header naming a time column (<c>unix</c>,
/// <c>date</c>, <c>datetime</c>, <c>timestamp</c>, <c>open_time</c>, <c>time</c>) and a <c>close</c> column, after any
/// banner lines (CryptoDataDownload's URL line), rows in either order, with gaps; or an exchange's headerless kline CSV
/// (open time, open, high, low, close, ...: Binance's). Times are epoch seconds, milliseconds or microseconds (told by
/// their size) or ISO dates and date-times (UTC). Parsing is CsvHelper's.
/// </summary>
public static class PriceFile
{
    /// <summary>Cap on a price file: 37,000 hourly rows are 2 MB, ten years of minutes about 300 MB.</summary>
    public const long MaxBytes = 1L << 30;

    private static readonly string[] TimeColumns = ["unix", "open_time", "opentime", "timestamp", "datetime", "date", "time", "open time"];
    private static readonly string[] Quotes = ["USDT", "USDC", "BUSD", "FDUSD", "USD", "EUR"];

    /// <summary>Reads <paramref name="path"/>; <paramref name="symbol"/> names the asset (null: the file's symbol column,
    /// else its name: <c>Binance_BTCUSDT_d.csv</c>, <c>BTC_USDT_1h.csv</c>, <c>BTCUSDT-1h-2025-10.csv</c> give BTC).</summary>
    /// <exception cref="PriceFileException">The file is missing, unreadable, or a row or column is not what it must be.</exception>
    public static PriceSeries Read(string path, string? symbol = null)
    {
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadBytes(path, "price file", MaxBytes);
        }
        catch (InputFileException e)
        {
            throw new PriceFileException(e.Message);
        }
        return Parse(InputFile.Decode(bytes), path, symbol) with { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) };
    }

    /// <summary>Parses the text of a price file; <paramref name="source"/> names it in messages.</summary>
    public static PriceSeries Parse(string text, string source, string? symbol = null)
    {
        string name = Echo.Path(source);
        using var csv = CsvReader.FromText(text, new CsvReaderOptions
        {
            HasHeader = false, Separator = ',', TrackLineNumbers = true, FieldCountMismatch = CsvFieldCountHandling.Allow,
            FormatProvider = CultureInfo.InvariantCulture,
        });
        int timeColumn = -1, closeColumn = -1, symbolColumn = -1;
        string timeName = "time";
        var rows = new List<(DateTimeOffset Time, double Close, long Line)>();
        string? fileSymbol = null;
        while (csv.Read())
        {
            long line = csv.LineNumber;
            var fields = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim()).ToArray();
            if (fields.All(f => f.Length == 0)) continue;
            if (timeColumn < 0)
            {
                var lower = fields.Select(f => f.ToLowerInvariant()).ToArray();
                int close = Array.IndexOf(lower, "close");
                int time = TimeColumns.Select(c => Array.IndexOf(lower, c)).FirstOrDefault(i => i >= 0, -1);
                if (close >= 0 && time >= 0)
                {
                    (timeColumn, closeColumn, symbolColumn, timeName) = (time, close, Array.IndexOf(lower, "symbol"), fields[time]);
                    continue;
                }
                if (fields.Length >= 5 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    (timeColumn, closeColumn, timeName) = (0, 4, "open time");
                }
                else if (rows.Count == 0 && line <= 10) continue; // a banner line before the header
                else throw new PriceFileException($"{name}:{line}: no header naming a time column ({string.Join(", ", TimeColumns)}) and a close column, and not a kline row (open time, open, high, low, close, ...)");
            }
            if (Math.Max(timeColumn, closeColumn) >= fields.Length)
                throw new PriceFileException($"{name}:{line}: {fields.Length} columns, but the {(closeColumn >= fields.Length ? "close" : "time")} column is column {Math.Max(timeColumn, closeColumn) + 1}");
            var when = ParseTime(fields[timeColumn]) ?? throw new PriceFileException(
                $"{name}:{line}:{timeColumn + 1}: {timeName} must be a date, a date-time or epoch seconds, milliseconds or microseconds (from 2001), got {Echo.Quote(fields[timeColumn])}");
            if (!double.TryParse(fields[closeColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out double price) || !(price > 0) || !double.IsFinite(price))
                throw new PriceFileException($"{name}:{line}:{closeColumn + 1}: close must be a positive number, got {Echo.Quote(fields[closeColumn])}");
            if (symbolColumn >= 0 && symbolColumn < fields.Length && fileSymbol is null && fields[symbolColumn].Length > 0) fileSymbol = fields[symbolColumn];
            rows.Add((when, price, line));
        }
        if (timeColumn < 0)
            throw new PriceFileException($"{name}: no header naming a time column ({string.Join(", ", TimeColumns)}) and a close column in its first 10 lines, and no kline rows (open time, open, high, low, close, ...)");
        if (rows.Count < 2) throw new PriceFileException($"{name}: {rows.Count} price rows; at least 2 are needed");
        var ordered = rows.OrderBy(r => r.Time).ThenBy(r => r.Line).ToList();
        var times = ImmutableArray.CreateBuilder<DateTimeOffset>(ordered.Count);
        var closes = ImmutableArray.CreateBuilder<double>(ordered.Count);
        int duplicates = 0;
        foreach (var r in ordered)
        {
            if (times.Count > 0 && times[^1] == r.Time)
            {
                duplicates++;
                continue;
            }
            times.Add(r.Time);
            closes.Add(r.Close);
        }
        string resolved = symbol ?? (fileSymbol is not null ? BaseAsset(fileSymbol) : null) ?? SymbolFromName(source)
            ?? throw new PriceFileException($"{name}: no symbol column and no symbol in the file's name; give it as SYMBOL=FILE");
        return new PriceSeries(resolved, times.ToImmutable(), closes.ToImmutable(), source, duplicates);
    }

    /// <summary>A time: <c>yyyyMMdd</c>, epoch seconds, milliseconds or microseconds (by size, from 2001-09-09), or an ISO
    /// date or date-time (UTC when it gives no offset).</summary>
    internal static DateTimeOffset? ParseTime(string text)
    {
        if (text.Length == 8 && DateTimeOffset.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var compact))
            return compact; // 20240101, not epoch seconds of 1970
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch))
        {
            if (epoch < 1_000_000_000L) return null; // before 2001-09-09 in seconds: not an epoch time of market data
            // Seconds until 5e10 (year 3554), milliseconds until 5e13, microseconds beyond (Binance's klines since 2025).
            long ms = epoch < 50_000_000_000L ? epoch * 1000 : epoch < 50_000_000_000_000L ? epoch : epoch / 1000;
            return ms is >= 0 and <= 253_402_300_799_999L ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : null;
    }

    /// <summary>The base asset of a pair (<c>BTCUSDT</c>, <c>BTC-USD</c>, <c>BTC/USDT</c> give BTC).</summary>
    internal static string? BaseAsset(string pair)
    {
        string p = pair.ToUpperInvariant().Replace("-", "", StringComparison.Ordinal).Replace("/", "", StringComparison.Ordinal)
            .Replace("_", "", StringComparison.Ordinal);
        foreach (var q in Quotes)
            if (p.Length > q.Length && p.EndsWith(q, StringComparison.Ordinal)) return p[..^q.Length];
        return p.Length is >= 2 and <= 12 && p.All(char.IsLetterOrDigit) ? p : null;
    }

    /// <summary>The symbol in a file's name: the first token that is a pair (BTCUSDT) or is followed by a quote (BTC_USDT).</summary>
    internal static string? SymbolFromName(string path)
    {
        var tokens = Regex.Split(Path.GetFileNameWithoutExtension(path).ToUpperInvariant(), "[^A-Z0-9]+").Where(t => t.Length > 0).ToArray();
        for (int i = 0; i < tokens.Length; i++)
        {
            if (i + 1 < tokens.Length && Quotes.Contains(tokens[i + 1]) && tokens[i].All(char.IsLetterOrDigit) && tokens[i].Any(char.IsLetter)) return tokens[i];
            foreach (var q in Quotes)
                if (tokens[i].Length > q.Length && tokens[i].EndsWith(q, StringComparison.Ordinal)) return tokens[i][..^q.Length];
        }
        return null;
    }
}
