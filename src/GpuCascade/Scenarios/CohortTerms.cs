using System.Collections.Immutable;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>A position as written: USD notional at entry, resolved asset.</summary>
/// <param name="Asset">Asset index in scenario order.</param>
/// <param name="Side">Long or short.</param>
/// <param name="Notional">USD notional at entry; positive.</param>
/// <param name="EntryPrice">Entry price, or null for the asset's starting price.</param>
/// <param name="Units">Units when the file gave them instead of a notional (exact: the canonical JSON writes units).</param>
internal readonly record struct PositionTerms(int Asset, PositionSide Side, double Notional, double? EntryPrice, double? Units = null);

/// <summary>
/// Turns the isolated and cross-margin cohort forms (notionals, leverage) into a <see cref="CohortSpec"/>
/// (units, collateral). The file binder and the builder share it, so both derive the same numbers and
/// report bad inputs under the same field paths. It checks only what it derives from; the validator
/// checks the result.
/// </summary>
internal static class CohortTerms
{
    /// <summary>One position with USD collateral notional / leverage, or, with <paramref name="collateralAsset"/>,
    /// that value held in units of an asset (coin-margined).</summary>
    public static CohortSpec? Isolated(Diagnostics errors, string path, IReadOnlyList<double> prices, PositionTerms position,
        double leverage, int? collateralAsset, string? name, double? accounts)
    {
        bool ok = CheckPosition(errors, path, position) & errors.Above(Key(path, "leverage"), leverage, 0);
        if (!ok) return null;
        double margin = position.Notional / leverage;
        var cohort = new CohortSpec { Name = name, Positions = [ToSpec(position, prices)] };
        cohort = collateralAsset is int c
            ? cohort with { Collateral = [new CollateralHolding(c, margin / prices[c])] }
            : cohort with { UsdCollateral = margin };
        return accounts is double a ? cohort with { Accounts = a } : cohort;
    }

    /// <summary>Several positions sharing one pool: explicit collateral (USD and asset units) or USD = total notional / leverage.
    /// <c>usd</c> and <c>holdings</c> are both null when no <c>collateral</c> was given.</summary>
    public static CohortSpec? CrossMargin(Diagnostics errors, string path, IReadOnlyList<double> prices,
        IReadOnlyList<PositionTerms> positions, double? usd, IReadOnlyList<CollateralHolding>? holdings, double? leverage,
        string? name, double? accounts)
    {
        bool collateralGiven = usd is not null || holdings is not null;
        bool ok = true;
        if (collateralGiven && leverage is not null)
            ok = errors.Require(false, Key(path, "leverage"), "give either collateral or leverage, not both");
        else if (!collateralGiven && leverage is null)
            ok = errors.Require(false, path, "needs collateral or leverage (USD collateral = total notional / leverage)");
        if (leverage is double l) ok &= errors.Above(Key(path, "leverage"), l, 0);
        for (int k = 0; k < positions.Count; k++)
            ok &= CheckPosition(errors, Index(Key(path, "positions"), k), positions[k]);
        if (!ok) return null;

        var cohort = new CohortSpec
        {
            Name = name,
            Positions = positions.Select(p => ToSpec(p, prices)).ToImmutableArray(),
            UsdCollateral = leverage is double lev ? positions.Sum(p => p.Notional) / lev : usd ?? 0,
            Collateral = holdings?.ToImmutableArray() ?? ImmutableArray<CollateralHolding>.Empty,
        };
        return accounts is double a ? cohort with { Accounts = a } : cohort;
    }

    private static bool CheckPosition(Diagnostics errors, string path, PositionTerms p) =>
        (p.Units is double u ? errors.Above(Key(path, "units"), u, 0) : errors.Above(Key(path, "notional"), p.Notional, 0))
        & (p.EntryPrice is not double e || errors.Above(Key(path, "entryPrice"), e, 0));

    private static PositionSpec ToSpec(PositionTerms p, IReadOnlyList<double> prices)
    {
        double entry = p.EntryPrice ?? prices[p.Asset];
        double units = p.Units ?? p.Notional / entry;
        return new PositionSpec(p.Asset, p.Side == PositionSide.Long ? units : -units, entry);
    }
}
