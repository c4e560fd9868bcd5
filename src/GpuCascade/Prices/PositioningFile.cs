using System.Collections.Immutable;
using System.Globalization;
using CsvHelper;
using GpuCascade.Operations;

namespace GpuCascade.Prices;

/// <summary>A value of a series at a time (open interest in USD, the long share of open interest).</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="Value">The value.</param>
public sealed record TimedValue(DateTimeOffset Time, double Value);

/// <summary>One price level of a liquidation map: the USD notional of longs and of shorts that are liquidated when the
/// price reaches it (docs/market-data.md, "Books and depth from data").</summary>
/// <param name="Price">The level, USD per unit.</param>
/// <param name="LongUsd">Longs liquidated there, USD notional.</param>
/// <param name="ShortUsd">Shorts liquidated there, USD notional.</param>
public sealed record LiquidationLevel(double Price, double LongUsd, double ShortUsd);

/// <summary>One level of an order-book snapshot.</summary>
/// <param name="Time">The snapshot's time, or null for a file of one snapshot without a time column.</param>
/// <param name="Bid">A bid (true) or an ask.</param>
/// <param name="Price">USD per unit.</param>
/// <param name="Usd">The level's size in USD (size x price when the file gives units).</param>
public sealed record DepthLevel(DateTimeOffset? Time, bool Bid, double Price, double Usd);

/// <summary>
/// Reads the positioning and depth files of docs/market-data.md, "Books and depth from data": CSV with a header (after
/// up to ten banner lines) naming its columns, in any case; rows in any order. Parsing is CsvHelper's; errors name the
/// file, the line and the column.
/// </summary>
public static class PositioningFile
{
    private static readonly string[] TimeColumns = ["timestamp", "time", "datetime", "date", "unix", "open_time"];
    private static readonly string[] OpenInterestColumns = ["openinterestusd", "open_interest_usd", "sumopeninterestvalue", "openinterest", "open_interest"];

    /// <summary>Open interest in USD over time: a time column and <c>openInterestUsd</c>, <c>sumOpenInterestValue</c>
    /// (Binance's open-interest history) or <c>openInterest</c> (taken as USD), oldest first.</summary>
    /// <exception cref="PriceFileException">The file is missing, unreadable, or a row or column is not what it must be.</exception>
    public static ImmutableArray<TimedValue> ReadOpenInterest(string path) =>
        Series(Table.Read(path, [.. TimeColumns, .. OpenInterestColumns]), OpenInterestColumns, "open interest",
            v => v >= 0, "a number >= 0", v => v);

    /// <summary>The long share of open interest over time: a time column and <c>longShare</c> or <c>longAccount</c>
    /// (Binance's long/short ratios give it as a share in [0, 1]), or <c>longShortRatio</c> r (the share is r / (1 + r)),
    /// oldest first.</summary>
    /// <exception cref="PriceFileException">The file is missing, unreadable, or a row or column is not what it must be.</exception>
    public static ImmutableArray<TimedValue> ReadLongShare(string path)
    {
        var table = Table.Read(path, [.. TimeColumns, "longshare", "long_share", "longaccount", "longposition", "longshortratio", "long_short_ratio"]);
        if (table.Column("longshare", "long_share", "longaccount", "longposition") >= 0)
            return Series(table, ["longshare", "long_share", "longaccount", "longposition"], "long share", v => v is >= 0 and <= 1, "a share in [0, 1]", v => v);
        return Series(table, ["longshortratio", "long_short_ratio"], "long/short ratio", v => v >= 0 && double.IsFinite(v), "a ratio >= 0", r => r / (1 + r));
    }

    /// <summary>A liquidation map: <c>price</c> and the longs' and shorts' USD at it (<c>longUsd</c>/<c>long</c>/<c>longs</c>,
    /// <c>shortUsd</c>/<c>short</c>/<c>shorts</c>); a missing side counts 0. Sorted by price.</summary>
    /// <exception cref="PriceFileException">The file is missing, unreadable, or a row or column is not what it must be.</exception>
    public static ImmutableArray<LiquidationLevel> ReadLiquidationMap(string path)
    {
        var table = Table.Read(path, ["price", "level"]);
        int price = table.Require("price", ["price", "level"]);
        int longs = table.Column("longusd", "long_usd", "long", "longs", "longliquidationusd");
        int shorts = table.Column("shortusd", "short_usd", "short", "shorts", "shortliquidationusd");
        if (longs < 0 && shorts < 0) throw table.Error("no longUsd or shortUsd column (the USD of longs and shorts liquidated at each price)");
        var levels = table.Rows.Select(row => new LiquidationLevel(
            table.Number(row, price, "price", v => v > 0, "a positive price"),
            longs < 0 ? 0 : table.Number(row, longs, "longUsd", v => v >= 0, "a number >= 0", blankIsZero: true),
            shorts < 0 ? 0 : table.Number(row, shorts, "shortUsd", v => v >= 0, "a number >= 0", blankIsZero: true)));
        return [.. levels.OrderBy(l => l.Price)];
    }

    /// <summary>Order-book snapshots: <c>side</c> (bid/buy/b or ask/sell/a), <c>price</c>, and the size in units
    /// (<c>size</c>, <c>quantity</c>, <c>qty</c>, <c>amount</c>) or in USD (<c>usd</c>, <c>notional</c>); an optional time
    /// column tells several snapshots apart.</summary>
    /// <exception cref="PriceFileException">The file is missing, unreadable, or a row or column is not what it must be.</exception>
    public static ImmutableArray<DepthLevel> ReadDepth(string path)
    {
        var table = Table.Read(path, ["side"]);
        int side = table.Require("side", ["side"]);
        int price = table.Require("price", ["price"]);
        int usd = table.Column("usd", "notional", "notional_usd");
        int units = usd >= 0 ? -1 : table.Require("size", ["size", "quantity", "qty", "amount"]);
        int time = table.Column(TimeColumns);
        var levels = ImmutableArray.CreateBuilder<DepthLevel>();
        foreach (var row in table.Rows)
        {
            string s = table.Text(row, side).ToLowerInvariant();
            bool bid = s is "bid" or "bids" or "buy" or "b";
            if (!bid && s is not ("ask" or "asks" or "sell" or "a"))
                throw table.Error(row, side, $"side must be bid or ask, got {Echo.Quote(table.Text(row, side))}");
            double p = table.Number(row, price, "price", v => v > 0, "a positive price");
            double size = usd >= 0 ? table.Number(row, usd, "usd", v => v >= 0, "a number >= 0") : p * table.Number(row, units, "size", v => v >= 0, "a number >= 0");
            levels.Add(new DepthLevel(time >= 0 ? table.Time(row, time) : null, bid, p, size));
        }
        return levels.ToImmutable();
    }

    private static ImmutableArray<TimedValue> Series(Table table, string[] names, string what, Func<double, bool> valid, string expected,
        Func<double, double> map)
    {
        int time = table.Require("time", TimeColumns);
        int value = table.Require(what, names);
        var rows = table.Rows.Select(row => new TimedValue(table.Time(row, time), map(table.Number(row, value, what, valid, expected))));
        return [.. rows.OrderBy(r => r.Time)];
    }

    /// <summary>A CSV file's header and rows, and the checks that name a cell by file, line and column.</summary>
    private sealed class Table
    {
        private readonly string _name;
        private readonly string[] _header;

        private Table(string name, string[] header, List<(string[] Fields, long Line)> rows)
        {
            _name = name;
            _header = header;
            Rows = rows;
        }

        public List<(string[] Fields, long Line)> Rows { get; }

        /// <summary>Reads the file; its header is the first line (of the first ten) that names one of <paramref name="names"/>
        /// and holds no number (an unnamed column, such as a data frame's index, may be blank).</summary>
        public static Table Read(string path, string[] names)
        {
            string text;
            try
            {
                text = InputFile.ReadText(path, "market data file", PriceFile.MaxBytes);
            }
            catch (InputFileException e)
            {
                throw new PriceFileException(e.Message);
            }
            string name = Echo.Path(path);
            using var csv = CsvReader.FromText(text, new CsvReaderOptions
            {
                HasHeader = false, Separator = ',', TrackLineNumbers = true, FieldCountMismatch = CsvFieldCountHandling.Allow,
                FormatProvider = CultureInfo.InvariantCulture,
            });
            string[]? header = null;
            var rows = new List<(string[], long)>();
            while (csv.Read())
            {
                var fields = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim()).ToArray();
                if (fields.All(f => f.Length == 0)) continue;
                if (header is null)
                {
                    var lower = fields.Select(f => f.ToLowerInvariant()).ToArray();
                    if (lower.Any(names.Contains) && !fields.Any(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                        header = lower;
                    else if (csv.LineNumber >= 10) throw new PriceFileException($"{name}: no header line naming a column ({string.Join(", ", names)}) in its first 10 lines");
                    continue;
                }
                rows.Add((fields, csv.LineNumber));
            }
            if (header is null) throw new PriceFileException($"{name}: no header line naming a column ({string.Join(", ", names)})");
            if (rows.Count == 0) throw new PriceFileException($"{name}: a header and no rows");
            return new Table(name, header, rows);
        }

        public int Column(params string[] names) => names.Select(n => Array.IndexOf(_header, n)).FirstOrDefault(i => i >= 0, -1);

        public int Require(string what, string[] names) =>
            Column(names) is int i and >= 0 ? i : throw Error($"no {what} column (one of {string.Join(", ", names)})");

        public PriceFileException Error(string message) => new($"{_name}: {message}");

        public PriceFileException Error((string[] Fields, long Line) row, int column, string message) =>
            new($"{_name}:{row.Line}:{column + 1}: {message}");

        public string Text((string[] Fields, long Line) row, int column) =>
            column < row.Fields.Length ? row.Fields[column] : throw Error(row, column, $"{row.Fields.Length} columns, but the {_header[column]} column is column {column + 1}");

        public double Number((string[] Fields, long Line) row, int column, string what, Func<double, bool> valid, string expected, bool blankIsZero = false)
        {
            string text = Text(row, column);
            if (blankIsZero && text.Length == 0) return 0;
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && valid(v)
                ? v : throw Error(row, column, $"{what} must be {expected}, got {Echo.Quote(text)}");
        }

        public DateTimeOffset Time((string[] Fields, long Line) row, int column) =>
            PriceFile.ParseTime(Text(row, column)) ?? throw Error(row, column,
                $"{_header[column]} must be a date, a date-time or epoch seconds, milliseconds or microseconds, got {Echo.Quote(Text(row, column))}");
    }
}
