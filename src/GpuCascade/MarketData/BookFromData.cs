using System.Collections.Immutable;
using GpuCascade.Prices;
using GpuCascade.Scenarios;

namespace GpuCascade.MarketData;

/// <summary>What the data say of one asset's positioning and depth (docs/market-data.md, "Books and depth from data");
/// each part optional.</summary>
public sealed record AssetPositioning
{
    /// <summary>The asset, as the scenario names it.</summary>
    public required string Symbol { get; init; }
    /// <summary>Open interest over time, USD (<see cref="PositioningFile.ReadOpenInterest"/>).</summary>
    public ImmutableArray<TimedValue> OpenInterest { get; init; } = [];
    /// <summary>The long share of open interest over time (<see cref="PositioningFile.ReadLongShare"/>).</summary>
    public ImmutableArray<TimedValue> LongShare { get; init; } = [];
    /// <summary>A liquidation map (<see cref="PositioningFile.ReadLiquidationMap"/>).</summary>
    public ImmutableArray<LiquidationLevel> LiquidationMap { get; init; } = [];
    /// <summary>Order-book snapshots (<see cref="PositioningFile.ReadDepth"/>).</summary>
    public ImmutableArray<DepthLevel> Depth { get; init; } = [];
}

/// <summary>One order-book snapshot's depth within 1% of its mid.</summary>
/// <param name="Time">The snapshot (null: a file without times).</param>
/// <param name="Mid">(best bid + best ask) / 2.</param>
/// <param name="BidUsd">USD of the bids at or above mid x 0.99.</param>
/// <param name="AskUsd">USD of the asks at or below mid x 1.01.</param>
public sealed record DepthEstimate(DateTimeOffset? Time, double Mid, double BidUsd, double AskUsd)
{
    /// <summary>The engine's symmetric linear depth per 1%: the mean of the two sides.</summary>
    public double Depth1Pct => (BidUsd + AskUsd) / 2;
}

/// <summary>What <see cref="BookFromData.Apply"/> took for one asset, for the user to read.</summary>
public sealed record PositioningSummary(string Symbol, double? OpenInterest, double? LongShare, int MapCohorts, double MapLongUsd,
    double MapShortUsd, int MapLevelsBeyondPrice, DepthEstimate? Depth);

/// <summary>
/// A scenario's book and depth from positioning data (docs/market-data.md, "Books and depth from data"): open interest
/// and the long share set the generator's size and side; a liquidation map becomes listed cohorts, one per level and
/// side, each liquidated exactly at its level under the venue's own margin rule; an order-book snapshot gives the
/// depth per 1%.
/// </summary>
public static class BookFromData
{
    /// <summary>Cohorts of a generator made for an asset the base did not generate [100], and the accounts each map cohort
    /// stands for [1000].</summary>
    public const int DefaultCohortsPerAsset = 100;

    /// <summary>The base scenario with each asset's data applied; the values at or before <paramref name="at"/> [the last].</summary>
    /// <exception cref="ScenarioException">An asset is unknown, a series has no value at <paramref name="at"/>, or the
    /// result is not a valid scenario (every error named).</exception>
    public static (Scenario Scenario, ImmutableArray<PositioningSummary> Summary) Apply(Scenario baseScenario,
        IReadOnlyList<AssetPositioning> data, DateTimeOffset? at = null, double accountsPerCohort = 1000)
    {
        ArgumentNullException.ThrowIfNull(baseScenario);
        ArgumentNullException.ThrowIfNull(data);
        VenuesModule.RequireOneVenue(baseScenario, "a book from data");
        var errors = new List<ScenarioError>();
        var scenario = baseScenario;
        var summary = ImmutableArray.CreateBuilder<PositioningSummary>();
        var cohorts = baseScenario.Book.Cohorts.ToBuilder();
        var generator = baseScenario.Book.Generator;
        foreach (var d in data)
        {
            int a = baseScenario.AssetIndex(d.Symbol);
            string key = $"assets[{d.Symbol}]";
            if (a < 0)
            {
                errors.Add(new ScenarioError("assets", $"{d.Symbol} has data but is not an asset of the base scenario ({string.Join(", ", baseScenario.Assets.Select(x => x.Symbol))})"));
                continue;
            }
            double? oi = Latest(d.OpenInterest, at, key, "open interest", errors);
            double? share = Latest(d.LongShare, at, key, "long share", errors);
            DepthEstimate? depth = null;
            if (!d.Depth.IsDefaultOrEmpty)
            {
                depth = Snapshot(d.Depth, at);
                if (depth is null) errors.Add(new ScenarioError($"{key}.depth1pct", $"no order-book snapshot at or before {at:u}"));
                else if (!(depth.Depth1Pct > 0)) errors.Add(new ScenarioError($"{key}.depth1pct", $"the order-book snapshot{(depth.Time is { } when ? $" of {when:u}" : "")} has no bids or asks within 1% of its mid {depth.Mid:G6}"));
                else scenario = scenario with { Assets = scenario.Assets.SetItem(a, scenario.Assets[a] with { Impact = new LinearImpact(depth.Depth1Pct) }) };
            }
            int mapCohorts = 0, beyond = 0;
            double mapLong = 0, mapShort = 0;
            if (!d.LiquidationMap.IsDefaultOrEmpty)
            {
                var made = MapCohorts(scenario, a, d.LiquidationMap, oi, share, accountsPerCohort, out beyond);
                mapCohorts = made.Length;
                mapLong = made.Where(c => c.Positions[0].Units > 0).Sum(c => c.Positions[0].Units * c.Positions[0].EntryPrice);
                mapShort = made.Where(c => c.Positions[0].Units < 0).Sum(c => -c.Positions[0].Units * c.Positions[0].EntryPrice);
                cohorts.AddRange(made);
                if (generator is not null) generator = generator with { Assets = [.. generator.Assets.Where(g => g.AssetIndex != a)] };
            }
            else if (oi is not null || share is not null)
            {
                var profile = generator?.Assets.FirstOrDefault(g => g.AssetIndex == a)
                    ?? new GeneratorAssetSpec { AssetIndex = a, OpenInterest = 0 };
                profile = profile with { OpenInterest = oi ?? profile.OpenInterest, LongShare = share ?? profile.LongShare };
                if (!(profile.OpenInterest > 0)) errors.Add(new ScenarioError($"book.generator.assets.{d.Symbol}.openInterest", "a long share alone sets no book: give the open interest too, or a base scenario that generates this asset"));
                var g = generator ?? new BookGeneratorSpec { Assets = [], CohortsPerAsset = DefaultCohortsPerAsset, AccountsPerCohort = accountsPerCohort };
                generator = g with { Assets = [.. g.Assets.Where(x => x.AssetIndex != a).Append(profile).OrderBy(x => x.AssetIndex)] };
            }
            summary.Add(new PositioningSummary(d.Symbol, oi, share, mapCohorts, mapLong, mapShort, beyond, depth));
        }
        if (errors.Count > 0) throw new ScenarioException(errors);
        if (generator is { Assets.Length: 0 }) generator = null;
        scenario = scenario with { Book = new BookSpec { Cohorts = cohorts.ToImmutable(), Generator = generator } };
        ScenarioValidator.EnsureValid(scenario);
        return (scenario, summary.ToImmutable());
    }

    /// <summary>A snapshot's depth within 1% of its mid: the snapshot at or before <paramref name="at"/> [the last one].</summary>
    public static DepthEstimate? Snapshot(IReadOnlyList<DepthLevel> levels, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var times = levels.Select(l => l.Time).Distinct().Where(t => at is null || t is null || t <= at).OrderBy(t => t).ToList();
        if (times.Count == 0) return null;
        var book = levels.Where(l => l.Time == times[^1]).ToList();
        var bids = book.Where(l => l.Bid).ToList();
        var asks = book.Where(l => !l.Bid).ToList();
        if (bids.Count == 0 || asks.Count == 0) return new DepthEstimate(times[^1], double.NaN, 0, 0);
        double mid = (bids.Max(l => l.Price) + asks.Min(l => l.Price)) / 2;
        return new DepthEstimate(times[^1], mid, bids.Where(l => l.Price >= 0.99 * mid).Sum(l => l.Usd), asks.Where(l => l.Price <= 1.01 * mid).Sum(l => l.Usd));
    }

    /// <summary>The map cohorts' collateral is this share of the amount that puts them exactly at maintenance at their
    /// level: the engine liquidates below maintenance, strictly, so a hair less makes the level itself liquidate them.</summary>
    internal const double AtTheLevel = 1 - 1e-9;

    /// <summary>
    /// One isolated cohort per level and side of <paramref name="map"/>: entered at the asset's price P0 with units N / P0,
    /// and USD collateral b set so that it is at maintenance exactly at the level L under the venue's rule for the asset
    /// (equity = requirement at L, then a hair less, <see cref="AtTheLevel"/>, so that reaching L liquidates it): a long's <c>b = R(N L / P0) + (N / P0)(P0 - L)</c>, a short's
    /// <c>b = R(N L / P0) + (N / P0)(L - P0)</c> with R the maintenance requirement of that notional (its tier per account,
    /// a dynamic rate at the asset's volatility). Longs at or above P0 and shorts at or below it would be liquidated at the
    /// start and are left out (counted in <paramref name="beyond"/>). With the open interest, each side is scaled to it: to
    /// OI x long share and OI x (1 - long share), the share being the data's, else the map's own.
    /// </summary>
    internal static ImmutableArray<CohortSpec> MapCohorts(Scenario s, int a, IReadOnlyList<LiquidationLevel> map, double? oi, double? share,
        double accounts, out int beyond)
    {
        var asset = s.Assets[a];
        double p0 = asset.Price;
        var rule = s.Venue.MaintenanceMargin[a];
        var longs = map.Where(l => l.LongUsd > 0 && l.Price < p0).ToList();
        var shorts = map.Where(l => l.ShortUsd > 0 && l.Price > p0).ToList();
        beyond = map.Count(l => (l.LongUsd > 0 && l.Price >= p0) || (l.ShortUsd > 0 && l.Price <= p0));
        double longTotal = longs.Sum(l => l.LongUsd), shortTotal = shorts.Sum(l => l.ShortUsd);
        double longScale = 1, shortScale = 1;
        if (oi is double total && longTotal + shortTotal > 0)
        {
            double longShare = share ?? longTotal / (longTotal + shortTotal);
            longScale = longTotal > 0 ? total * longShare / longTotal : 1;
            shortScale = shortTotal > 0 ? total * (1 - longShare) / shortTotal : 1;
        }
        var result = ImmutableArray.CreateBuilder<CohortSpec>();
        foreach (var l in longs)
        {
            double units = l.LongUsd * longScale / p0;
            double b = MaintenanceMargin.Requirement(rule, units * l.Price, accounts, asset.Volatility) + units * (p0 - l.Price);
            result.Add(Cohort($"map:{asset.Symbol}:long:{l.Price:G6}", a, units, p0, b * AtTheLevel, accounts));
        }
        foreach (var l in shorts)
        {
            double units = l.ShortUsd * shortScale / p0;
            double b = MaintenanceMargin.Requirement(rule, units * l.Price, accounts, asset.Volatility) + units * (l.Price - p0);
            result.Add(Cohort($"map:{asset.Symbol}:short:{l.Price:G6}", a, -units, p0, b * AtTheLevel, accounts));
        }
        return result.ToImmutable();
    }

    private static CohortSpec Cohort(string name, int asset, double units, double entry, double collateral, double accounts) => new()
    {
        Name = name, Accounts = accounts, Positions = [new PositionSpec(asset, units, entry)], UsdCollateral = collateral,
    };

    private static double? Latest(ImmutableArray<TimedValue> series, DateTimeOffset? at, string key, string what, List<ScenarioError> errors)
    {
        if (series.IsDefaultOrEmpty) return null;
        var value = series.LastOrDefault(v => at is null || v.Time <= at);
        if (value is null) errors.Add(new ScenarioError(key, $"the {what} series starts at {series[0].Time:u}, after {at:u}"));
        return value?.Value;
    }
}
