using System.Collections.Immutable;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

internal sealed partial class ScenarioBinder
{
    private static readonly string[] IsolatedOnlyKeys = ["asset", "side", "notional", "units", "entryPrice", "collateralAsset"];

    private BookSpec? Book(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var items = m.Items("cohorts");
        var generator = m["generator"] is { } g ? Generator(g, m.PathOf("generator")) : null;
        m.Done();
        var cohorts = ImmutableArray.CreateBuilder<CohortSpec>();
        for (int i = 0; i < (items?.Count ?? 0); i++)
            if (Cohort(items![i], Index(m.PathOf("cohorts"), i)) is { } cohort) cohorts.Add(cohort);
        var book = new BookSpec { Cohorts = cohorts.ToImmutable() };
        return generator is null ? book : book with { Generator = generator };
    }

    /// <summary>The isolated form (one position: asset, side, notional, leverage) or the cross-margin form (positions).</summary>
    private CohortSpec? Cohort(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var name = m.Text("name");
        var accounts = m.Number("accounts");
        CohortSpec? cohort = null;
        if (m.Has("positions"))
        {
            foreach (var key in IsolatedOnlyKeys)
                m.Forbid(key, "not used with positions (the cross-margin form); give it on each position");
            var positions = m.Items("positions") is { } items ? Positions(items, m.PathOf("positions")) : null;
            var (usd, holdings) = m["collateral"] is { } c ? Collateral(c, m.PathOf("collateral")) : (null, null);
            var leverage = m.Number("leverage");
            if (positions is not null)
                cohort = CohortTerms.CrossMargin(Errors, path, prices, positions, usd, holdings, leverage, name, accounts);
        }
        else
        {
            m.Forbid("collateral", "only with positions (the cross-margin form); an isolated position may name a collateralAsset");
            var position = Position(m);
            var leverage = m.Number("leverage", required: true);
            int? collateralAsset = null;
            bool collateralOk = true;
            if (m["collateralAsset"] is { } ca)
            {
                collateralAsset = r.Text(ca, m.PathOf("collateralAsset")) is string symbol
                    ? table.Resolve(Errors, m.PathOf("collateralAsset"), symbol, ca) : null;
                collateralOk = collateralAsset is not null;
            }
            if (position is { } p && leverage is double l && collateralOk)
                cohort = CohortTerms.Isolated(Errors, path, prices, p, l, collateralAsset, name, accounts);
        }
        m.Done();
        return cohort;
    }

    private List<PositionTerms>? Positions(IReadOnlyList<ScenarioNode> items, string path)
    {
        var positions = new List<PositionTerms>();
        for (int k = 0; k < items.Count; k++)
        {
            if (r.Map(items[k], Index(path, k)) is not { } m) continue;
            if (Position(m) is { } p) positions.Add(p);
            m.Done();
        }
        return positions.Count == items.Count ? positions : null;
    }

    /// <summary>asset, side, notional (USD at entry) or units, and an optional entryPrice of a position map.</summary>
    private PositionTerms? Position(MapReader m)
    {
        var asset = AssetRef(m, "asset");
        var side = m.Choice("side", true, ("long", PositionSide.Long), ("short", PositionSide.Short));
        double? notional = null, units = null;
        if (m["units"] is not null && m["notional"] is not null)
            Errors.Add(m.PathOf("units"), "give either notional or units, not both", m["units"]);
        else if (m["units"] is not null) units = m.Number("units");
        else notional = m.Number("notional", required: true);
        var entry = m.Number("entryPrice");
        if (asset is not int a || side is not PositionSide s || (entry is null && m["entryPrice"] is not null)) return null;
        if (units is double u)
        {
            double price = entry ?? (a < prices.Count ? prices[a] : double.NaN);
            return new PositionTerms(a, s, u * price, entry, u);
        }
        return notional is double q ? new PositionTerms(a, s, q, entry) : null;
    }

    /// <summary><c>{USD: dollars, SYMBOL: units, ...}</c>.</summary>
    private (double? Usd, List<CollateralHolding>? Holdings) Collateral(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return (null, null);
        double? usd = null;
        var holdings = new List<CollateralHolding>();
        bool ok = true;
        foreach (var (key, child) in m.Node.Entries)
        {
            string childPath = Key(path, key.Text);
            var amount = r.Number(r.Visit(child, childPath), childPath);
            if (key.Text == "USD")
                usd = amount;
            else if (table.Resolve(Errors, childPath, key.Text, key, "USD") is int i && amount is double units)
                holdings.Add(new CollateralHolding(i, units));
            ok &= amount is not null;
        }
        // Every key is a currency or an asset, so there is nothing for Done() to report.
        return ok ? (usd, holdings) : (null, null);
    }

    private BookGeneratorSpec? Generator(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var seed = m.UInt64("seed");
        var cohortsPerAsset = m.Int("cohortsPerAsset", min: 1, max: ScenarioLimits.MaxCohorts);
        var crossShare = m.Number("crossMarginShare");
        var coinShare = m.Number("coinMarginedShare");
        var accounts = m.Number("accountsPerCohort");
        var assets = m.Map("assets", required: true) is { } a ? GeneratorAssets(a) : null;
        m.Done();
        if (assets is null) return null;
        var generator = new BookGeneratorSpec { Assets = assets.Value };
        if (seed is ulong s) generator = generator with { Seed = s };
        if (cohortsPerAsset is int n) generator = generator with { CohortsPerAsset = n };
        if (crossShare is double x) generator = generator with { CrossMarginShare = x };
        if (coinShare is double y) generator = generator with { CoinMarginedShare = y };
        if (accounts is double acc) generator = generator with { AccountsPerCohort = acc };
        return generator;
    }

    private ImmutableArray<GeneratorAssetSpec>? GeneratorAssets(MapReader assets)
    {
        var result = ImmutableArray.CreateBuilder<GeneratorAssetSpec>();
        bool ok = true;
        foreach (var (key, child) in assets.Node.Entries)
        {
            string path = assets.PathOf(key.Text);
            var index = table.Resolve(Errors, path, key.Text, key);
            if (r.Map(child, path) is not { } m)
            {
                ok = false;
                continue;
            }
            var openInterest = m.Number("openInterest", required: true);
            var longShare = m.Number("longShare");
            var leverage = m.Map("leverage");
            var median = leverage?.Number("median");
            var dispersion = leverage?.Number("dispersion");
            var max = leverage?.Number("max");
            leverage?.Done();
            var entryDispersion = m.Number("entryDispersion");
            var hedgedShare = m.Number("hedgedShare");
            m.Done();
            if (index is not int i || openInterest is not double oi)
            {
                ok = false;
                continue;
            }
            var spec = new GeneratorAssetSpec { AssetIndex = i, OpenInterest = oi };
            result.Add(GeneratorTerms.WithOptions(spec, longShare, median, dispersion, max, entryDispersion, hedgedShare));
        }
        return ok ? result.ToImmutable() : null;
    }
}
