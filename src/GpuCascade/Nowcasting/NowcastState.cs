using System.Collections.Immutable;
using GpuCascade.MarketData;
using GpuCascade.Operations;
using GpuCascade.Prices;
using GpuCascade.Scenarios;

namespace GpuCascade.Nowcasting;

/// <summary>
/// What is known now, for a nowcast (docs/market-data.md, "Nowcast"): the venue's scenario, each asset's price file
/// (today's price and the fitted volatilities), the positioning and depth files of <c>gpucascade book</c>, the time of
/// the state, and the horizons and paths of the runs.
/// </summary>
public sealed record NowcastState
{
    /// <summary>The default horizons: one hour and one day.</summary>
    public static readonly ImmutableArray<Duration> DefaultHorizons = [Duration.Parse("1h"), Duration.Parse("24h")];

    /// <summary>Paths per horizon by default: few, for a job every few minutes.</summary>
    public const long DefaultPaths = 4000;

    /// <summary>The scenario whose venue, book terms and assets' other terms apply; its market is fitted anew.</summary>
    public required Scenario Scenario { get; init; }
    /// <summary>Each asset's prices, in the scenario's asset order.</summary>
    public required ImmutableArray<PriceSeries> Prices { get; init; }
    /// <summary>Positioning and depth per asset (<see cref="BookFromData"/>); empty: the scenario's book and depth.</summary>
    public ImmutableArray<AssetPositioning> Positioning { get; init; } = [];
    /// <summary>The state's time: only data at or before it are used [the prices' last common time].</summary>
    public DateTimeOffset? AsOf { get; init; }
    /// <summary>How far back from the state's time the fit reads the prices [all of them].</summary>
    public Duration? Lookback { get; init; }
    /// <summary>The fit's interval and the runs' step [the files' coarsest spacing].</summary>
    public TimeSpan? Interval { get; init; }
    /// <summary>The horizons, each a whole number of intervals [1h, 24h].</summary>
    public ImmutableArray<Duration> Horizons { get; init; } = DefaultHorizons;
    /// <summary>Paths per horizon [4000].</summary>
    public long Paths { get; init; } = DefaultPaths;
    /// <summary>The runs' seed [the scenario's].</summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// Reads a state file (YAML): <c>scenario</c> [the embedded default], <c>prices: {SYMBOL: FILE}</c> (required, every
    /// asset of the scenario), <c>openInterest</c>, <c>longShort</c>, <c>liquidationMap</c>, <c>depth</c> (each
    /// <c>{SYMBOL: FILE}</c>), <c>asOf</c>, <c>lookback</c>, <c>interval</c>, <c>horizons</c>, <c>paths</c>, <c>seed</c>; files relative to
    /// the state file.
    /// </summary>
    /// <exception cref="ScenarioException">The file is missing, malformed, or a key or a file it names is bad: every
    /// error with its key, line and column.</exception>
    public static NowcastState Load(string path)
    {
        string text;
        try
        {
            text = InputFile.ReadText(path, "nowcast state", InputFile.MaxScenarioBytes);
        }
        catch (InputFileException e)
        {
            throw new ScenarioException(new ScenarioError("", e.Message));
        }
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        var root = ScenarioSyntax.FromYaml(text);
        var r = new NodeReader();
        if (r.Map(root, "") is not { } m) throw new ScenarioException(r.Errors.Errors.Select(r.Locate).ToList());
        string Resolve(string file) => Path.GetFullPath(file, directory);
        Scenario? scenario = null;
        if (m.Text("scenario") is { } scenarioFile)
        {
            try
            {
                scenario = ScenarioLoader.LoadFile(Resolve(scenarioFile));
            }
            catch (ScenarioException e)
            {
                foreach (var error in e.Errors) r.Errors.Add("scenario", $"{Echo.Path(scenarioFile)}: {error}", m.Node.Get("scenario"));
            }
        }
        else scenario = ScenarioLoader.LoadDefault();
        var prices = Files(r, m, "prices", required: true, (file, symbol) => PriceFile.Read(file, symbol), Resolve);
        var openInterest = Files(r, m, "openInterest", false, (file, _) => PositioningFile.ReadOpenInterest(file), Resolve);
        var longShort = Files(r, m, "longShort", false, (file, _) => PositioningFile.ReadLongShare(file), Resolve);
        var map = Files(r, m, "liquidationMap", false, (file, _) => PositioningFile.ReadLiquidationMap(file), Resolve);
        var depth = Files(r, m, "depth", false, (file, _) => PositioningFile.ReadDepth(file), Resolve);
        DateTimeOffset? asOf = null;
        if (m["asOf"] is { } asOfNode && r.Text(asOfNode, "asOf") is { } asOfText)
        {
            asOf = PriceFile.ParseTime(asOfText.Trim());
            if (asOf is null) r.Errors.Add("asOf", $"must be a date or a UTC date-time such as 2025-10-10T20:00:00Z, got {Echo.Quote(asOfText)}", asOfNode);
        }
        var interval = m.Duration("interval");
        var lookback = m.Duration("lookback");
        var horizons = m.Items("horizons") is { } items
            ? items.Select((node, i) => r.Duration(node, $"horizons[{i}]")).ToList() : null;
        var paths = m.Long("paths");
        var seed = m.UInt64("seed");
        m.Done();
        if (scenario is not null && prices is not null)
        {
            foreach (var a in scenario.Assets.Where(a => !prices.ContainsKey(a.Symbol)))
                r.Errors.Add("prices", $"no price file for {a.Symbol}, an asset of the scenario ({string.Join(", ", scenario.Assets.Select(x => x.Symbol))})", m.Node.Get("prices"));
            foreach (var extra in prices.Keys.Where(s => scenario.AssetIndex(s) < 0))
                r.Errors.Add($"prices.{extra}", $"{extra} is not an asset of the scenario ({string.Join(", ", scenario.Assets.Select(x => x.Symbol))})");
        }
        if (horizons is not null && horizons.Count == 0) r.Errors.Add("horizons", "must list at least one horizon", m.Node.Get("horizons"));
        if (paths is < 1 or > ScenarioLimits.MaxPaths) r.Errors.Add("paths", $"must be an integer in 1 .. {ScenarioLimits.MaxPaths}, got {paths}", m.Node.Get("paths"));
        if (r.Errors.Count > 0) throw new ScenarioException(r.Errors.Errors.Select(r.Locate).ToList());
        IEnumerable<string> Keys<T>(Dictionary<string, T>? files) => files?.Keys ?? Enumerable.Empty<string>();
        var symbols = Keys(openInterest).Concat(Keys(longShort)).Concat(Keys(map)).Concat(Keys(depth)).Distinct().ToList();
        var positioning = symbols.Select(s => new AssetPositioning
        {
            Symbol = s,
            OpenInterest = openInterest?.GetValueOrDefault(s) ?? [],
            LongShare = longShort?.GetValueOrDefault(s) ?? [],
            LiquidationMap = map?.GetValueOrDefault(s) ?? [],
            Depth = depth?.GetValueOrDefault(s) ?? [],
        }).ToImmutableArray();
        var state = new NowcastState
        {
            Scenario = scenario!,
            Prices = [.. scenario!.Assets.Select(a => prices![a.Symbol])],
            Positioning = positioning,
            AsOf = asOf,
            Interval = interval is { } d ? TimeSpan.FromSeconds(Math.Round(d.Seconds)) : null,
            Lookback = lookback,
            Seed = seed,
        };
        if (horizons is not null) state = state with { Horizons = [.. horizons.Select(h => h!.Value)] };
        if (paths is long p) state = state with { Paths = p };
        return state;
    }

    /// <summary>A <c>{SYMBOL: FILE}</c> map, each file read; a file's error is reported at its key with its position.</summary>
    private static Dictionary<string, T>? Files<T>(NodeReader r, MapReader m, string key, bool required, Func<string, string, T> read,
        Func<string, string> resolve)
    {
        if (m.Map(key, required) is not { } files) return null;
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (k, node) in files.Node.Entries)
        {
            string at = files.PathOf(k.Text);
            if (files[k.Text] is null || r.Text(node, at) is not { } file) continue;
            try
            {
                result[k.Text] = read(resolve(file), k.Text);
            }
            catch (PriceFileException e)
            {
                r.Errors.Add(at, e.Message, node);
            }
        }
        return result;
    }
}
