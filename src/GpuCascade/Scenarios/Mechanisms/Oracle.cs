using System.Collections.Immutable;
using System.Text.Json;
using GpuCascade.Kernels;
using GpuCascade.Operations;
using static GpuCascade.Kernels.OutputAggregations;

namespace GpuCascade.Scenarios;

/// <summary>
/// The oracle on the host (docs/model.md section 5, item 1; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Oracle.cs):
/// the binding of <c>venue.oracleDelaySteps</c> (<see cref="VenueSpec.OracleDelaySteps"/>), its validation rule, its
/// canonical JSON (which the normalised YAML lays out) and its packing into <see cref="OracleParams"/>.
/// </summary>
internal static class OracleModule
{
    /// <summary>The venue's key.</summary>
    public const string Name = "oracleDelaySteps";

    /// <summary>The key's field path.</summary>
    public const string Path = "venue." + Name;

    /// <summary>Reads <c>oracleDelaySteps</c> (optional; 0 = live) from the venue's mapping.</summary>
    public static int? Bind(MapReader venue) => venue.Int(Name, min: 0, max: int.MaxValue);

    /// <summary>The venue with the value read, when one was.</summary>
    public static VenueSpec Apply(VenueSpec venue, int? delay) => delay is int d ? venue with { OracleDelaySteps = d } : venue;

    /// <summary>The delay is a non-negative integer.</summary>
    public static void Validate(Diagnostics d, VenueSpec v) => d.IntegerIn(Path, v.OracleDelaySteps, 0, int.MaxValue);

    /// <summary><c>"oracleDelaySteps"</c>, always (0 for live).</summary>
    public static void WriteJson(Utf8JsonWriter w, VenueSpec v) => w.WriteNumber(Name, v.OracleDelaySteps);

    /// <summary>The delay a run of <paramref name="steps"/> steps uses: any longer delay sees only the starting price.</summary>
    public static int EffectiveDelay(int oracleDelaySteps, int steps) => Math.Min(oracleDelaySteps, steps);

    /// <summary>The kernel's parameters, from the effective delay (<see cref="EffectiveDelay"/>).</summary>
    public static OracleParams Pack(int delay) => new() { Delay = delay };
}

/// <summary>Where an oracle feed reads its price (docs/model.md section 8.10).</summary>
public enum OracleSource
{
    /// <summary>The exogenous (index) price F: the spot venues' price, which liquidations do not trade.</summary>
    Index,
    /// <summary>The venue's own traded mid P.</summary>
    Traded,
}

/// <summary>
/// A manipulation of one oracle feed over steps <paramref name="From"/> .. <paramref name="To"/> (counted from 0,
/// inclusive): its reading gains <c>ln(1 + Bias)</c>, or with <paramref name="Stale"/> repeats its last report before the
/// window.
/// </summary>
/// <param name="From">The window's first step.</param>
/// <param name="To">The window's last step.</param>
/// <param name="Bias">x &gt; -1: the reading is multiplied by 1 + x (exactly one of a bias and stale).</param>
/// <param name="Stale">The feed repeats its last report before the window.</param>
/// <param name="Asset">The symbol it acts on [null: every asset].</param>
public sealed record OracleManipulation(int From, int To, double? Bias = null, bool Stale = false, string? Asset = null);

/// <summary>One feed of the venue's oracle (docs/model.md section 8.10).</summary>
/// <param name="Source">What it reads [index].</param>
/// <param name="Latency">How late it reports, at least one step, rounded to whole steps [null: none].</param>
/// <param name="Noise">s &gt;= 0: its log reading gains s z, z standard normal per feed, asset and step [0].</param>
/// <param name="Manipulation">A window in which it is biased or stale [none].</param>
public sealed record OracleFeed(OracleSource Source = OracleSource.Index, Duration? Latency = null, double Noise = 0,
    OracleManipulation? Manipulation = null);

/// <summary>
/// The venue's oracle pipeline (docs/model.md section 8.10): the median of <paramref name="Feeds"/> is the index, its
/// TWAP over <paramref name="Twap"/> the reference, and with <paramref name="BasisHalfLife"/> the mark
/// <c>median(reference, mid, reference + smoothed basis)</c> is the price margins are checked at. In YAML,
/// <c>venue.oracle: {feeds: [{source: index}, {source: index, latency: 1m}], twap: 5m, mark: {basisHalfLife: 5m}}</c>;
/// in code, <c>VenueBuilder.Mechanism(new OracleSpec([new OracleFeed()], Twap: Duration.Parse("5m")))</c>.
/// </summary>
/// <param name="Feeds">1 to 32 feeds [default, not given: one index feed; an empty list is refused].</param>
/// <param name="Twap">The TWAP's window, one step to the horizon [null: none].</param>
/// <param name="BasisHalfLife">The mark's basis half-life, a positive duration [null: no mark, the reference itself].</param>
public sealed record OracleSpec(ImmutableArray<OracleFeed> Feeds = default, Duration? Twap = null, Duration? BasisHalfLife = null)
    : MechanismSpec
{
    /// <summary>The most feeds a venue may have.</summary>
    public const int MaxFeeds = 32;

    /// <summary>The feeds the engine uses: <see cref="Feeds"/>, or one index feed when none is given.</summary>
    public ImmutableArray<OracleFeed> EffectiveFeeds => Feeds.IsDefaultOrEmpty ? [new OracleFeed()] : Feeds;

    /// <inheritdoc/>
    public bool Equals(OracleSpec? other) =>
        other is not null && Sequence.Equal(Feeds, other.Feeds) && Twap == other.Twap && BasisHalfLife == other.BasisHalfLife;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence.Hash(Feeds), Twap, BasisHalfLife);
}

/// <summary>
/// The oracle pipeline on the host (docs/model.md section 8.10; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/Oracle.cs): <c>venue.oracle</c>, its rules, canonical JSON, packing (latency and
/// TWAP rings, readings and last reports in the path's mechanism region) and outputs.
/// </summary>
internal sealed class OracleFeedsModule : MechanismModule<OracleSpec>
{
    public override string Key => "oracle";

    public override MechanismScope Scope => MechanismScope.Venue;

    /// <summary>Binds <c>{feeds: [{source, latency, noise, manipulation: {from, to, bias | stale, asset}}], twap, mark:
    /// {basisHalfLife}}</c>, every key optional.</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var items = m.Items("feeds");
        var twap = m.Duration("twap");
        Duration? halfLife = null;
        if (m.Map("mark") is { } mark)
        {
            halfLife = mark.Duration("basisHalfLife", required: true);
            mark.Done();
        }
        m.Done();
        var feeds = ImmutableArray.CreateBuilder<OracleFeed>();
        bool ok = true;
        if (items is not null)
            for (int j = 0; j < items.Count; j++)
            {
                if (Feed(r, items[j], FieldPath.Index(m.PathOf("feeds"), j)) is { } feed) feeds.Add(feed);
                else ok = false;
            }
        return ok ? new OracleSpec(items is null ? default : feeds.ToImmutable(), twap, halfLife) : null;
    }

    private static OracleFeed? Feed(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var source = m.Choice("source", false, ("index", OracleSource.Index), ("traded", OracleSource.Traded));
        var latency = m.Duration("latency");
        var noise = m.Number("noise");
        OracleManipulation? manipulation = null;
        bool ok = true;
        if (m.Map("manipulation") is { } w)
        {
            var from = w.Int("from", required: true);
            var to = w.Int("to", required: true);
            var bias = w.Number("bias");
            bool stale = false;
            if (w["stale"] is { } staleNode)
            {
                var value = r.Choice(staleNode, w.PathOf("stale"), ("true", true), ("false", false));
                ok &= value.HasValue;
                stale = value ?? false;
            }
            var asset = w.Text("asset");
            w.Done();
            if (from is int a && to is int b) manipulation = new OracleManipulation(a, b, bias, stale, asset);
            else ok = false;
        }
        else if (m.Has("manipulation")) ok = false;
        m.Done();
        return ok ? new OracleFeed(source ?? OracleSource.Index, latency, noise ?? 0, manipulation) : null;
    }

    protected override void Validate(Diagnostics d, string path, OracleSpec spec, Scenario scenario, int assetIndex)
    {
        d.Require(scenario.Venue.OracleDelaySteps == 0, OracleModule.Path,
            $"must be 0 with venue.oracle (give the delay as a feed's latency instead), got {scenario.Venue.OracleDelaySteps}");
        string feedsPath = FieldPath.Key(path, "feeds");
        if (!spec.Feeds.IsDefault)
            d.Require(spec.Feeds.Length is >= 1 and <= OracleSpec.MaxFeeds, feedsPath,
                $"must have 1 to {OracleSpec.MaxFeeds} feeds (none: leave the key out for one index feed), got {spec.Feeds.Length}");
        var feeds = spec.Feeds.IsDefault ? [] : spec.Feeds;
        for (int j = 0; j < feeds.Length; j++)
        {
            string feedPath = FieldPath.Index(feedsPath, j);
            if (feeds[j] is not { } feed)
            {
                d.Add(feedPath, "must not be null");
                continue;
            }
            d.Require(Enum.IsDefined(feed.Source), FieldPath.Key(feedPath, "source"), $"must be index or traded, got {feed.Source}");
            if (feed.Latency is { } latency) AtLeastOneStep(d, FieldPath.Key(feedPath, "latency"), latency, scenario);
            d.Require(feed.Noise >= 0 && double.IsFinite(feed.Noise), FieldPath.Key(feedPath, "noise"),
                $"must be >= 0 and finite (a log standard deviation), got {ScenarioNumbers.Format(feed.Noise)}");
            if (feed.Manipulation is { } w) ValidateManipulation(d, FieldPath.Key(feedPath, "manipulation"), w, scenario);
        }
        if (spec.Twap is { } twap && AtLeastOneStep(d, FieldPath.Key(path, "twap"), twap, scenario) && scenario.Horizon.Years > 0)
            d.Require(twap.Years <= (1 + 1e-9) * scenario.Horizon.Years, FieldPath.Key(path, "twap"),
                $"must be at most the horizon ({scenario.Horizon.Text}), got {twap.Text}");
        if (spec.BasisHalfLife is { } halfLife) d.PositiveDuration(FieldPath.Key(FieldPath.Key(path, "mark"), "basisHalfLife"), halfLife);
    }

    private static void ValidateManipulation(Diagnostics d, string path, OracleManipulation w, Scenario scenario)
    {
        int last = Math.Max(0, scenario.Steps - 1);
        d.IntegerIn(FieldPath.Key(path, "from"), w.From, 0, last);
        if (d.IntegerIn(FieldPath.Key(path, "to"), w.To, 0, last))
            d.Require(w.To >= w.From, FieldPath.Key(path, "to"), $"must be >= from ({w.From}), got {w.To}");
        if (w.Bias is double bias)
        {
            d.Require(!w.Stale, path, "must have exactly one of bias and stale: true, got both");
            d.Require(bias > -1 && double.IsFinite(bias), FieldPath.Key(path, "bias"),
                $"must be > -1 and finite (the reading is multiplied by 1 + bias), got {ScenarioNumbers.Format(bias)}");
        }
        else d.Require(w.Stale, path, "must have exactly one of bias (the reading times 1 + bias) and stale: true");
        if (w.Asset is { } symbol)
            d.Require(!scenario.Assets.IsDefaultOrEmpty && scenario.Assets.Any(a => a?.Symbol == symbol), FieldPath.Key(path, "asset"),
                $"must be a listed symbol, got {Echo.Quote(symbol)}");
    }

    protected override void WriteJson(Utf8JsonWriter w, OracleSpec spec)
    {
        if (!spec.Feeds.IsDefaultOrEmpty)
        {
            w.WriteStartArray("feeds");
            foreach (var feed in spec.Feeds)
            {
                w.WriteStartObject();
                w.WriteString("source", feed.Source == OracleSource.Traded ? "traded" : "index");
                if (feed.Latency is { } latency) w.WriteString("latency", latency.Text);
                if (feed.Noise != 0) ScenarioJson.Number(w, "noise", feed.Noise);
                if (feed.Manipulation is { } m)
                {
                    w.WriteStartObject("manipulation");
                    w.WriteNumber("from", m.From);
                    w.WriteNumber("to", m.To);
                    if (m.Bias is double bias) ScenarioJson.Number(w, "bias", bias);
                    if (m.Stale) w.WriteBoolean("stale", true);
                    if (m.Asset is { } asset) w.WriteString("asset", asset);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (spec.Twap is { } twap) w.WriteString("twap", twap.Text);
        if (spec.BasisHalfLife is { } halfLife)
        {
            w.WriteStartObject("mark");
            w.WriteString("basisHalfLife", halfLife.Text);
            w.WriteEndObject();
        }
    }

    /// <summary>A feed's latency in whole steps (at most the scenario's steps).</summary>
    private static int LatencySteps(OracleFeed feed, Scenario scenario) => feed.Latency is { } l ? StepsOf(l, scenario) : 0;

    /// <summary>Each venue's pipeline (one entry with one venue; with several, each venue's own, or null).</summary>
    private static OracleSpec?[] PerVenue(Scenario scenario) => VenuesModule.PerVenue<OracleSpec>(scenario);

    /// <summary>The rows of the latency ring of <paramref name="source"/>: the largest latency of its feeds, of every venue.</summary>
    private static int RingSteps(IEnumerable<OracleSpec> specs, OracleSource source, Scenario scenario) =>
        specs.SelectMany(spec => spec.EffectiveFeeds).Where(f => f?.Source == source).Select(f => LatencySteps(f, scenario)).DefaultIfEmpty(0).Max();

    private static int TwapSteps(OracleSpec spec, Scenario scenario) => spec.Twap is { } t ? Math.Max(1, StepsOf(t, scenario)) : 1;

    /// <summary>The parts of the region, in order: the index and traded rings, the TWAP ring (the longest TWAP's), readings,
    /// last reports, scratch, over the venues' feeds together (in long: rows of up to `steps` times many assets exceed an
    /// int, and the estimate must say so).</summary>
    private static long[] Parts(IReadOnlyList<OracleSpec> specs, Scenario scenario)
    {
        long n = scenario.Assets.Length, k = specs.Sum(spec => (long)spec.EffectiveFeeds.Length);
        long twapRows = specs.Max(spec => TwapSteps(spec, scenario)) - 1L;
        return [RingSteps(specs, OracleSource.Index, scenario) * n, RingSteps(specs, OracleSource.Traded, scenario) * n,
            twapRows * n, k * n, k * n, k];
    }

    public override int RegionSlots(Scenario scenario)
    {
        var specs = PerVenue(scenario).OfType<OracleSpec>().ToList();
        if (specs.Count == 0 || scenario.Steps <= 0 || scenario.Assets.IsDefaultOrEmpty
            || specs.Any(spec => spec.EffectiveFeeds.Length > OracleSpec.MaxFeeds || spec.EffectiveFeeds.Any(f => f is null)))
            return 0;
        return (int)Math.Min(int.MaxValue, Parts(specs, scenario).Sum());
    }

    /// <summary>Packs each venue's pipeline: the feeds of all venues one after another (venue v's from FeedStart[v]), and
    /// per venue its TWAP and mark.</summary>
    public override void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        var scenario = packing.Scenario;
        var perVenue = PerVenue(scenario);
        var specs = perVenue.OfType<OracleSpec>().ToList();
        if (specs.Count == 0)
        {
            layout.OracleFeeds = default;
            return;
        }
        var feeds = perVenue.SelectMany((spec, v) => (spec?.EffectiveFeeds ?? []).Select(f => (Feed: f, Venue: v))).ToList();
        var feedStart = new int[perVenue.Length + 1];
        for (int v = 0; v < perVenue.Length; v++) feedStart[v + 1] = feedStart[v] + (perVenue[v]?.EffectiveFeeds.Length ?? 0);
        var parts = Parts(specs, scenario);
        int offset = packing.RegionOffset;
        int[] starts = new int[parts.Length];
        for (int p = 0; p < parts.Length; p++)
        {
            starts[p] = offset;
            offset += (int)parts[p]; // within int: a plan whose region exceeds it is refused before packing
        }
        // A window's asset: its market on the feed's venue (the asset itself with one venue); -1: all of the venue's.
        var underlyings = scenario.Venues?.Assets ?? scenario.Assets;
        int MarketOf(OracleManipulation? m, int v) =>
            m?.Asset is { } symbol ? v * underlyings.Length + underlyings.ToList().FindIndex(a => a.Symbol == symbol) : -1;
        layout.OracleFeeds = new OracleFeedsParams
        {
            On = 1,
            EveryVenue = perVenue.All(spec => spec is not null) ? 1 : 0,
            Feeds = feeds.Count,
            TwapRows = (int)(parts[2] / scenario.Assets.Length),
            FeedStart = packing.Ints(feedStart),
            TwapSteps = packing.Ints(perVenue.Select(spec => spec is null ? 1 : TwapSteps(spec, scenario))),
            HasMark = packing.Ints(perVenue.Select(spec => spec?.BasisHalfLife is null ? 0 : 1)),
            Lambda = packing.Reals(perVenue.Select(spec => spec?.BasisHalfLife is { } h ? Math.Exp(-packing.Dt * Math.Log(2) / h.Years) : 0)),
            FeedVenue = packing.Ints(feeds.Select(f => f.Venue)),
            Source = packing.Ints(feeds.Select(f => f.Feed.Source == OracleSource.Traded ? OracleFeedsParams.TradedSource : OracleFeedsParams.IndexSource)),
            Latency = packing.Ints(feeds.Select(f => LatencySteps(f.Feed, scenario))),
            WindowKind = packing.Ints(feeds.Select(f => f.Feed.Manipulation is not { } m ? OracleFeedsParams.NoWindow
                : m.Stale ? OracleFeedsParams.StaleWindow : OracleFeedsParams.BiasWindow)),
            WindowFrom = packing.Ints(feeds.Select(f => f.Feed.Manipulation?.From ?? 0)),
            WindowTo = packing.Ints(feeds.Select(f => f.Feed.Manipulation?.To ?? -1)),
            WindowAsset = packing.Ints(feeds.Select(f => MarketOf(f.Feed.Manipulation, f.Venue))),
            Noise = packing.Reals(feeds.Select(f => f.Feed.Noise)),
            LogBias = packing.Reals(feeds.Select(f => f.Feed.Manipulation is { Stale: false, Bias: double x } ? Math.Log(1 + x) : 0)),
            IndexRingSteps = RingSteps(specs, OracleSource.Index, scenario),
            TradedRingSteps = RingSteps(specs, OracleSource.Traded, scenario),
            IndexRing = starts[0],
            TradedRing = starts[1],
            TwapRing = starts[2],
            Readings = starts[3],
            LastReports = starts[4],
            Scratch = starts[5],
        };
    }

    public override IReadOnlyList<OutputRow> Outputs { get; } =
    [
        new("oracle.maxGap", "oracleMaxGap", OutputShape.PerPath, OracleOutput.MaxGap, OutputStorage.Real, "log",
            Mean, "largest oracle gap to the mid (|ln(O / P)|)") { Mechanism = "oracle" },
        new("oracle.maxError", "oracleMaxError", OutputShape.PerPath, OracleOutput.MaxError, OutputStorage.Real, "log",
            Mean, "largest oracle error (|ln(O / F)|, F the exogenous price)") { Mechanism = "oracle" },
        new("oracle.manipulatedLiquidations", "oracleManipulatedLiquidations", OutputShape.PerPath, OracleOutput.ManipulatedLiquidations,
            OutputStorage.Real, "liquidations", Mean | Positive | Target, "cohort liquidations in manipulated steps")
        {
            Mechanism = "oracle", ProbabilityKey = "probabilities.oracleManipulatedLiquidation",
            ProbabilityLabel = "liquidated while manipulated",
        },
    ];
}
