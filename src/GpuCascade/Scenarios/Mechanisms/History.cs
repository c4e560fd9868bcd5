using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GpuCascade.Kernels;
using GpuCascade.Prices;
using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>How historical shocks drive the paths (docs/model.md section 2, "Historical shocks").</summary>
public enum HistoryMethod
{
    /// <summary>Blocks of the history's demeaned returns, each block's start drawn per path (a circular block bootstrap).</summary>
    Bootstrap,
    /// <summary>Blocks of the returns standardised by their EWMA volatility, rescaled by the path's own volatility
    /// (filtered historical simulation).</summary>
    Filtered,
    /// <summary>The history's returns as they happened, in order from <see cref="HistorySpec.From"/>, on every path.</summary>
    Replay,
}

/// <summary>
/// Historical shocks (docs/model.md section 2, "Historical shocks"): the steps' returns come from price histories in place
/// of the drawn shocks, Student-t and jumps (items 1-3), so a scenario with them has no <c>correlation</c>,
/// <c>innovations</c> or <c>jumps</c>. The prices are the assets' own (one series per asset, in scenario order); their
/// returns are taken over one step of the scenario.
/// </summary>
public sealed record HistorySpec
{
    /// <summary>The EWMA decay per step of the filtered method [0.94, RiskMetrics].</summary>
    public const double DefaultLambda = 0.94;

    /// <summary>The default block length: one day.</summary>
    public static readonly Duration DefaultBlock = new("1d", 1.0 / 365.0);

    /// <summary>Bootstrap, filtered or replay.</summary>
    public required HistoryMethod Method { get; init; }
    /// <summary>Each asset's prices, in scenario order (<see cref="PriceFile.Read"/>); a series' <see cref="PriceSeries.Source"/>
    /// is the file as the scenario names it.</summary>
    public required ImmutableArray<PriceSeries> Prices { get; init; }
    /// <summary>The length of a block of consecutive history steps (bootstrap and filtered), whole steps [1d].</summary>
    public Duration Block { get; init; } = DefaultBlock;
    /// <summary>The filtered method's EWMA decay per step, in (0, 1) [0.94].</summary>
    public double Lambda { get; init; } = DefaultLambda;
    /// <summary>The history's window starts at this interval (the replay's first step) [the first interval every asset has].</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>The window ends before this time [after the last interval].</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Where a relative <see cref="PriceSeries.Source"/> lies (the scenario file's folder); null: the current
    /// directory. Not part of the scenario's value.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>SHA-256 of a series' content (each row's UTC time to the millisecond and its close, round-trip),
    /// lower-case hex: what the scenario's JSON records, and what <c>history.sha256</c> checks.</summary>
    public static string Fingerprint(PriceSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var text = new StringBuilder(series.Times.Length * 32);
        for (int k = 0; k < series.Times.Length; k++)
            text.Append(series.Times[k].ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(series.Closes[k].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The same history with each file named relative to <paramref name="directory"/> (where a scenario that names
    /// them is written), so that it is found from there.</summary>
    public HistorySpec RelativeTo(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string from = BaseDirectory ?? Directory.GetCurrentDirectory(), to = Path.GetFullPath(directory);
        return this with
        {
            Prices = [.. Prices.Select(p => p with { Source = Path.GetRelativePath(to, Path.GetFullPath(p.Source, from)) })],
            BaseDirectory = to,
        };
    }

    /// <summary>Value equality, the series compared by symbol, source and content.</summary>
    public bool Equals(HistorySpec? other) =>
        other is not null && Method == other.Method && Block == other.Block && Lambda.Equals(other.Lambda) && From == other.From
        && To == other.To && Prices.Length == other.Prices.Length
        && Prices.Zip(other.Prices).All(p => p.First.Symbol == p.Second.Symbol && p.First.Source == p.Second.Source
            && Sequence.Equal(p.First.Times, p.Second.Times) && Sequence.Equal(p.First.Closes, p.Second.Closes));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Method, Block, Lambda, From, To,
        Sequence.Hash(Prices.Select(p => p.Symbol).ToImmutableArray()));
}

/// <summary>
/// Historical shocks on the host (docs/model.md section 2, "Historical shocks"; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/History.cs): the binding of the top-level <c>history:</c> subtree (which reads
/// the price files), its validation, its canonical JSON and its packing into <see cref="HistoryParams"/>.
/// </summary>
internal static class HistoryModule
{
    /// <summary>The scenario's key of the subtree.</summary>
    public const string Name = "history";

    /// <summary>Most reals the history may put in the plan (rows x assets): 2^26, 512 MiB.</summary>
    public const long MaxValues = 1L << 26;

    /// <summary>Binds <c>history: {method, prices: {SYMBOL: FILE}, sha256, block, lambda, from, to}</c>, reading each
    /// asset's file (relative to <paramref name="baseDirectory"/>, else the current directory); null on errors.</summary>
    public static HistorySpec? Bind(NodeReader r, ScenarioNode node, string path, IReadOnlyList<string?> symbols, string? baseDirectory)
    {
        if (r.Map(node, path) is not { } m) return null;
        var method = m.Choice("method", true, ("bootstrap", HistoryMethod.Bootstrap), ("filtered", HistoryMethod.Filtered),
            ("replay", HistoryMethod.Replay));
        var files = m.Map("prices", required: true);
        var hashes = m.Map("sha256");
        Duration? block = null;
        double? lambda = null;
        if (method == HistoryMethod.Replay) m.Forbid("block", "a replay takes the history in order, without blocks");
        else block = m.Duration("block");
        if (method is HistoryMethod.Bootstrap or HistoryMethod.Replay) m.Forbid("lambda", "only the filtered method standardises the returns by an EWMA");
        else lambda = m.Number("lambda");
        var from = Time(r, m, "from");
        var to = Time(r, m, "to");
        m.Done();
        if (files is null || method is not { } chosen) return null;
        var prices = ImmutableArray.CreateBuilder<PriceSeries>(symbols.Count);
        bool complete = true;
        foreach (var symbol in symbols) // every asset's hash is a known key, whether or not its file reads
            if (symbol is not null) _ = hashes?[symbol];
        foreach (var symbol in symbols)
        {
            if (symbol is null)
            {
                complete = false;
                continue;
            }
            string at = files.PathOf(symbol);
            if (files[symbol] is not { } fileNode)
            {
                r.Errors.Add(files.Path, $"no price file for asset {symbol}: every asset needs one", files.Node);
                complete = false;
                continue;
            }
            if (r.Text(fileNode, at) is not { } written)
            {
                complete = false;
                continue;
            }
            try
            {
                var series = Read(Path.GetFullPath(written, baseDirectory ?? Directory.GetCurrentDirectory()), symbol, written);
                if (hashes?[symbol] is { } hashNode && r.Text(hashNode, hashes.PathOf(symbol)) is { } expected
                    && !string.Equals(expected.Trim(), HistorySpec.Fingerprint(series), StringComparison.OrdinalIgnoreCase))
                    r.Errors.Add(hashes.PathOf(symbol), $"the prices in {Echo.Path(written)} have SHA-256 {HistorySpec.Fingerprint(series)}, not the {Echo.Clip(expected)} the scenario records: the file changed since", hashNode);
                prices.Add(series);
            }
            catch (PriceFileException e)
            {
                r.Errors.Add(at, e.Message, fileNode);
                complete = false;
            }
        }
        files.Done();
        hashes?.Done();
        if (!complete) return null;
        var spec = new HistorySpec { Method = chosen, Prices = prices.MoveToImmutable(), From = from, To = to, BaseDirectory = baseDirectory };
        if (block is { } b) spec = spec with { Block = b };
        if (lambda is double l) spec = spec with { Lambda = l };
        return spec;
    }

    // The files a history read lately, by path, size, time of last write, symbol and name as written, and the rows
    // aligned from them: compare and calibrate bind and validate the scenario several times per variant, and a long
    // history takes a fraction of a second to parse and align that would add up. Both are small and cleared when full.
    private static readonly Dictionary<(string Path, long Length, DateTime Written, string Symbol, string Source), PriceSeries> Files = [];
    private static readonly List<(PriceSeries[] Prices, DateTimeOffset? From, DateTimeOffset? To, TimeSpan Interval, HistoricalReturns Rows)> Aligned = [];
    private const int Cached = 16;

    private static PriceSeries Read(string path, string symbol, string written)
    {
        var info = new FileInfo(path);
        var key = info.Exists ? (info.FullName, info.Length, info.LastWriteTimeUtc, symbol, written) : default;
        lock (Files)
            if (info.Exists && Files.TryGetValue(key, out var cached)) return cached;
        var series = PriceFile.Read(path, symbol) with { Source = written };
        if (!info.Exists) return series;
        lock (Files)
        {
            if (Files.Count >= Cached) Files.Clear();
            Files[key] = series;
        }
        return series;
    }

    /// <summary>The rows of <paramref name="h"/> at <paramref name="interval"/> (the validator and the packing both need them).</summary>
    /// <exception cref="PriceFileException">A file's rows are further apart than the interval.</exception>
    private static HistoricalReturns RowsOf(HistorySpec h, TimeSpan interval)
    {
        lock (Aligned)
            foreach (var a in Aligned)
                if (a.From == h.From && a.To == h.To && a.Interval == interval && a.Prices.AsSpan().SequenceEqual(h.Prices.AsSpan(), ReferenceEqualityComparer.Instance))
                    return a.Rows;
        var rows = HistoricalReturns.Align(h.Prices, interval, h.From, h.To);
        lock (Aligned)
        {
            if (Aligned.Count >= Cached) Aligned.Clear();
            Aligned.Add(([.. h.Prices], h.From, h.To, interval, rows));
        }
        return rows;
    }

    private static DateTimeOffset? Time(NodeReader r, MapReader m, string key)
    {
        if (m[key] is not { } node || r.Text(node, m.PathOf(key)) is not { } text) return null;
        var time = PriceFile.ParseTime(text.Trim());
        if (time is null) r.Errors.Add(m.PathOf(key), $"must be a date or a UTC date-time such as 2025-10-10 or 2025-10-10T20:00:00Z, got {Echo.Quote(text)}", node);
        return time;
    }

    /// <summary>The step as a time span, or null when it is not a whole number of seconds of at least one.</summary>
    public static TimeSpan? Interval(Scenario s)
    {
        double seconds = s.StepYears * Duration.SecondsPerYear;
        double whole = Math.Round(seconds);
        return double.IsFinite(seconds) && whole >= 1 && Math.Abs(seconds - whole) <= 1e-6 * whole ? TimeSpan.FromSeconds(whole) : null;
    }

    /// <summary>Every problem of the scenario's history: keys the history replaces, the assets' files, the window, the
    /// block and the replay's rows.</summary>
    public static void Validate(Diagnostics d, Scenario s)
    {
        if (s.History is not { } h) return;
        const string why = "the history's returns carry their own";
        if (s.Innovations.StudentTDof is not null) d.Add("innovations", $"{why} fat tails: remove innovations or history");
        if (s.Jumps is not null) d.Add("jumps", $"{why} jumps: remove jumps or history");
        if (!s.Correlation.IsDefaultOrEmpty) d.Add("correlation", $"{why} co-movement: remove correlation or history");
        if (h.Prices.IsDefault || h.Prices.Length != s.Assets.Length
            || h.Prices.Where((p, i) => p.Symbol != s.Assets[i].Symbol).Any())
        {
            d.Add("history.prices", $"must give one price series per asset, in the assets' order ({string.Join(", ", s.Assets.Select(a => a.Symbol))}), got {(h.Prices.IsDefault ? "none" : string.Join(", ", h.Prices.Select(p => p.Symbol)))}");
            return;
        }
        if (h.Method == HistoryMethod.Filtered) d.InRange("history.lambda", h.Lambda, 0, 1, lowClosed: false, highClosed: false);
        if (h.From is { } f && h.To is { } t) d.Require(f < t, "history.to", $"must be after from ({Format(f)}), got {Format(t)}");
        if (s.Steps <= 0 || !(s.Horizon.Years > 0)) return;
        if (Interval(s) is not { } interval)
        {
            d.Add("history", $"the step ({s.Horizon.Text} / {s.Steps} = {ScenarioNumbers.Format(s.StepYears * Duration.SecondsPerYear)} s) must be a whole number of seconds, the interval of the history's returns");
            return;
        }
        if (h.Method != HistoryMethod.Replay)
        {
            double blockSteps = h.Block.Years / s.StepYears;
            if (d.Require(blockSteps >= 1 - 1e-9 && double.IsFinite(blockSteps), "history.block",
                    $"must be at least one step ({s.Horizon.Text} / {s.Steps}), got {h.Block.Text}"))
                d.Require(Math.Abs(blockSteps - Math.Round(blockSteps)) <= 1e-6 * blockSteps, "history.block",
                    $"must be a whole number of steps of {Intervals.Format(interval)}, got {h.Block.Text} ({ScenarioNumbers.Format(blockSteps)} steps)");
        }
        HistoricalReturns rows;
        try
        {
            rows = RowsOf(h, interval);
        }
        catch (PriceFileException e)
        {
            d.Add("history.prices", e.Message);
            return;
        }
        string window = h.From is null && h.To is null ? "" : $" in [{(h.From is { } a ? Format(a) : "start")}, {(h.To is { } b ? Format(b) : "end")})";
        if (rows.Rows == 0)
        {
            d.Add("history.prices", $"the assets share no {Intervals.Format(interval)} interval{window}: their files do not overlap there");
            return;
        }
        if ((long)rows.Rows * rows.Assets > MaxValues)
            d.Add("history", $"{rows.Rows} rows x {rows.Assets} assets exceed the plan's {MaxValues} history values: narrow the window (from, to) or lengthen the step");
        if (h.Method == HistoryMethod.Replay)
        {
            int start = h.From is { } begin ? rows.RowAt(begin) : 0;
            if (start < 0)
            {
                d.Add("history.from", $"{Format(h.From!.Value)} starts no {Intervals.Format(interval)} interval that every asset has (the first is {Format(rows.Times[0])}, the last {Format(rows.Times[^1])})");
                return;
            }
            if (rows.Rows - start < s.Steps)
                d.Add("history", $"the replay needs {s.Steps} steps of {Intervals.Format(interval)} from {Format(rows.Times[start])}; the history{window} has {rows.Rows - start}");
            else if (rows.FirstGap(start, s.Steps) is int gap and >= 0)
                d.Add("history", $"the replay's {s.Steps} steps from {Format(rows.Times[start])} cross a gap: no return of every asset for {Format(rows.Times[gap - 1] + interval)}");
        }
        else
        {
            int block = BlockSteps(h, s);
            d.Require(rows.Rows >= block, "history.block", $"{block} steps is longer than the history's {rows.Rows} rows{window}");
        }
    }

    private static int BlockSteps(HistorySpec h, Scenario s) => (int)Math.Clamp(Math.Round(h.Block.Years / s.StepYears), 1, int.MaxValue);

    internal static string Format(DateTimeOffset t) =>
        t.UtcDateTime.ToString(t.UtcDateTime.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The <c>history</c> object: the files as the scenario names them (full paths when <paramref name="editable"/>,
    /// for binding elsewhere), their content's SHA-256, and the method's settings.</summary>
    public static void WriteJson(Utf8JsonWriter w, Scenario s, bool editable)
    {
        if (s.History is not { } h) return;
        w.WriteStartObject(Name);
        w.WriteString("method", h.Method switch { HistoryMethod.Bootstrap => "bootstrap", HistoryMethod.Filtered => "filtered", _ => "replay" });
        w.WriteStartObject("prices");
        foreach (var p in h.Prices)
            w.WriteString(p.Symbol, editable ? Path.GetFullPath(p.Source, h.BaseDirectory ?? Directory.GetCurrentDirectory()) : p.Source);
        w.WriteEndObject();
        w.WriteStartObject("sha256");
        foreach (var p in h.Prices) w.WriteString(p.Symbol, HistorySpec.Fingerprint(p));
        w.WriteEndObject();
        if (h.Method != HistoryMethod.Replay) w.WriteString("block", h.Block.Text);
        if (h.Method == HistoryMethod.Filtered) ScenarioJson.Number(w, "lambda", h.Lambda);
        if (h.From is { } f) w.WriteString("from", Format(f));
        if (h.To is { } t) w.WriteString("to", Format(t));
        w.WriteEndObject();
    }

    /// <summary>With several venues (docs/model.md section 9), the history's rows x U underlyings must still fit the plan as
    /// rows x <paramref name="markets"/> values (each market replays its underlying's returns); checked once the history
    /// of <paramref name="template"/> (the one-venue view) is valid.</summary>
    public static void ValidateMarkets(Diagnostics d, Scenario template, int markets)
    {
        if (template.History is not { } h || Interval(template) is not { } interval) return;
        var rows = RowsOf(h, interval);
        if ((long)rows.Rows * markets > MaxValues)
            d.Add("history", $"{rows.Rows} rows x {markets} markets exceed the plan's {MaxValues} history values: narrow the window (from, to), lengthen the step or use fewer venues");
    }

    /// <summary>The kernel's parameters, the rows' values appended through <paramref name="realArray"/>: rows x N, with
    /// several venues each market taking its underlying's column, so that every market of an asset moves alike.</summary>
    public static HistoryParams Pack(Scenario s, Func<IEnumerable<double>, int> realArray)
    {
        if (s.History is not { } h) return default;
        var rows = RowsOf(h, Interval(s)!.Value);
        var values = h.Method switch
        {
            HistoryMethod.Bootstrap => rows.Demeaned(),
            HistoryMethod.Filtered => rows.Standardised(h.Lambda),
            _ => rows.Values,
        };
        if (s.Venues is { } set)
        {
            int u = set.Assets.Length, n = s.Assets.Length;
            var underlying = values;
            values = new double[(long)rows.Rows * n];
            for (int row = 0; row < rows.Rows; row++)
                for (int k = 0; k < n; k++) values[(long)row * n + k] = underlying[(long)row * u + k % u];
        }
        return new HistoryParams
        {
            Method = (int)(h.Method switch
            {
                HistoryMethod.Bootstrap => HistoryMethodCode.Bootstrap,
                HistoryMethod.Filtered => HistoryMethodCode.Filtered,
                _ => HistoryMethodCode.Replay,
            }),
            Rows = rows.Rows,
            Block = h.Method == HistoryMethod.Replay ? 1 : BlockSteps(h, s),
            Start = h.Method == HistoryMethod.Replay && h.From is { } f ? rows.RowAt(f) : 0,
            Values = realArray(values),
        };
    }
}
